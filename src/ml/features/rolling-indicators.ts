/**
 * Streaming indicators over typed rings, with technicalindicators' arithmetic operation for
 * operation, so SMA and RSI give its values bit for bit and SD does wherever that library's SD is
 * right (test/unit/ml/rolling-indicators.unit.test.ts). Two reasons not to call it per bar: its
 * streaming API runs on generators and linked lists, which took most of a backtest's time, and its
 * SD stops summing at the first 0 in its window (its list iterator takes a 0 value for the end), so
 * a flat bar's 0 % return cut the volatility features short.
 */

/** A ring of the last `period` values, oldest first. */
class Ring {
  private readonly values: Float64Array;
  private start = 0;
  size = 0;

  constructor(readonly period: number) {
    this.values = new Float64Array(period);
  }

  /** Adds a value; returns the one it pushed out, or undefined while the ring was not full. */
  push(value: number): number | undefined {
    if (this.size < this.period) {
      this.values[(this.start + this.size++) % this.period] = value;
      return undefined;
    }
    const out = this.values[this.start] as number;
    this.values[this.start] = value;
    this.start = (this.start + 1) % this.period;
    return out;
  }

  /** Sum of (value - mean)^2, oldest to newest (in two runs, from `start` and from 0: no modulo). */
  squaredDeviations(mean: number): number {
    const { values, start, size, period } = this;
    let sum = 0;
    const firstEnd = Math.min(period, start + size);
    for (let i = start; i < firstEnd; i++) {
      const d = (values[i] as number) - mean;
      sum = sum + d * d;
    }
    const wrapped = start + size - period;
    for (let i = 0; i < wrapped; i++) {
      const d = (values[i] as number) - mean;
      sum = sum + d * d;
    }
    return sum;
  }
}

/** Simple moving average (technicalindicators' SMA): undefined until `period` values. */
export class RollingMean {
  /** technicalindicators seeds its window with a 0 that the period-th value pushes out. */
  private readonly window: Ring;
  private sum = 0;
  private count = 1;

  constructor(readonly period: number) {
    this.window = new Ring(period);
    this.window.push(0);
  }

  next(value: number): number | undefined {
    if (this.count < this.period) {
      this.count++;
      this.window.push(value);
      this.sum = this.sum + value;
      return undefined;
    }
    this.sum = this.sum - (this.window.push(value) ?? 0) + value;
    return this.sum / this.period;
  }
}

/** Population standard deviation over `period` values (technicalindicators' SD). */
export class RollingStd {
  private readonly mean: RollingMean;
  private readonly window: Ring;

  constructor(readonly period: number) {
    this.mean = new RollingMean(period);
    this.window = new Ring(period);
  }

  next(value: number): number | undefined {
    this.window.push(value);
    const mean = this.mean.next(value);
    return mean === undefined ? undefined : Math.sqrt(this.window.squaredDeviations(mean) / this.period);
  }
}

/** Wilder's average of gains or losses (technicalindicators' AverageGain / AverageLoss). */
class WilderAverage {
  private count = 1;
  private sum = 0;
  private average: number | undefined;

  constructor(private readonly period: number) {}

  next(move: number): number | undefined {
    if (move > 0) this.sum = this.sum + move;
    if (this.count < this.period) this.count++;
    else if (this.average === undefined) this.average = this.sum / this.period;
    else this.average = (this.average * (this.period - 1) + move) / this.period;
    return this.average;
  }
}

/** Relative strength index rounded to 0.01 (technicalindicators' RSI). */
export class RollingRsi {
  private readonly gains: WilderAverage;
  private readonly losses: WilderAverage;
  private previous: number | undefined;
  private last: number | undefined;

  constructor(readonly period: number) {
    this.gains = new WilderAverage(period);
    this.losses = new WilderAverage(period);
  }

  next(close: number): number | undefined {
    const previous = this.previous;
    this.previous = close;
    if (previous === undefined) return this.last;
    const gain = close - previous;
    const loss = previous - close;
    const averageGain = this.gains.next(gain > 0 ? gain : 0);
    const averageLoss = this.losses.next(loss > 0 ? loss : 0);
    if (averageGain !== undefined && averageLoss !== undefined) {
      if (averageLoss === 0) this.last = 100;
      else if (averageGain === 0) this.last = 0;
      else {
        const rs = averageGain / averageLoss;
        this.last = toHundredths(100 - 100 / (1 + (Number.isNaN(rs) ? 0 : rs)));
      }
    }
    return this.last;
  }
}

/**
 * `Number.parseFloat(x.toFixed(2))`, as technicalindicators rounds RSI, without the string: k / 100
 * for k = round(x * 100), the division correctly rounded as parsing is, whenever x * 100 is clear
 * of a half (where the rounding of the product could pick the other side of it, and where
 * `toFixed` rounds half away from zero and Math.round half up); there, and for NaN, infinities
 * and magnitudes past 10^13, the strings.
 */
export function toHundredths(x: number): number {
  if (x === 0) return 0; // -0 too: toFixed writes it "0.00"
  const scaled = x * 100;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6 && Math.abs(scaled) < 1e15)
    return Math.round(scaled) / 100;
  return Number.parseFloat(x.toFixed(2));
}
