import type { MarketData } from '../../contracts/index.ts';
import { SeededRandom } from './random.ts';

export interface SimulatedSymbol {
  readonly symbol: string;
  readonly startPrice: number;
  /** Annualised volatility of log returns, e.g. 0.6 for 60 %. */
  readonly annualVolatility: number;
  /** Mean base-asset volume per bar at an average hour. */
  readonly baseVolume: number;
}

export interface SimulatorOptions {
  readonly symbols: readonly SimulatedSymbol[];
  readonly intervalMs: number;
  /** Open time of the first bar. */
  readonly start: number;
  readonly seed: number;
}

export const DEFAULT_SYMBOLS: readonly SimulatedSymbol[] = [
  { symbol: 'BTCUSDT', startPrice: 68_000, annualVolatility: 0.55, baseVolume: 120 },
  { symbol: 'ETHUSDT', startPrice: 3_500, annualVolatility: 0.7, baseVolume: 1_500 },
  { symbol: 'SOLUSDT', startPrice: 150, annualVolatility: 0.95, baseVolume: 20_000 },
];

const YEAR_MS = 365 * 24 * 3_600_000;
/** GARCH(1,1) weights: a shock's effect on variance (alpha) and persistence (beta). */
const ALPHA = 0.08;
const BETA = 0.9;
const T_DEGREES = 4;
const SUB_STEPS = 12;

/** Volume by hour of day (UTC): quiet in the Asian night, busiest around the US open (14-16 UTC). */
export const intradayVolumeFactor = (hourUtc: number): number =>
  1 + 0.6 * Math.cos((2 * Math.PI * (hourUtc - 15)) / 24);

interface SymbolState {
  readonly spec: SimulatedSymbol;
  price: number;
  variance: number;
  lastShock: number;
  readonly longRunVariance: number;
}

/**
 * A seeded market: per symbol, log returns with GARCH(1,1) volatility clustering and Student-t
 * (4 degrees of freedom) fat tails; high and low from an intrabar path; volume following an
 * intraday pattern and rising with the size of the move. Pure: the same options give the same bars.
 */
export class MarketSimulator {
  private readonly random: SeededRandom;
  private readonly states: SymbolState[];
  private time: number;

  constructor(private readonly options: SimulatorOptions) {
    this.random = new SeededRandom(options.seed);
    this.time = options.start;
    this.states = options.symbols.map((spec) => {
      const longRunVariance = spec.annualVolatility ** 2 * (options.intervalMs / YEAR_MS);
      return { spec, price: spec.startPrice, variance: longRunVariance, lastShock: 0, longRunVariance };
    });
  }

  /** The next bar of every symbol, all with the same open time. */
  next(): MarketData[] {
    const timestamp = this.time;
    this.time += this.options.intervalMs;
    const hour = new Date(timestamp).getUTCHours();
    return this.states.map((state) => this.bar(state, timestamp, hour));
  }

  private bar(state: SymbolState, timestamp: number, hour: number): MarketData {
    const omega = state.longRunVariance * (1 - ALPHA - BETA);
    state.variance = omega + ALPHA * state.lastShock ** 2 + BETA * state.variance;
    const sigma = Math.sqrt(state.variance);
    const open = state.price;
    let logPrice = Math.log(open);
    let high = open;
    let low = open;
    let shock = 0;
    for (let step = 0; step < SUB_STEPS; step++) {
      const move = (sigma / Math.sqrt(SUB_STEPS)) * this.random.studentT(T_DEGREES);
      shock += move;
      logPrice += move;
      const price = Math.exp(logPrice);
      if (price > high) high = price;
      if (price < low) low = price;
    }
    state.lastShock = shock;
    const close = Math.exp(logPrice);
    state.price = close;
    const surprise = Math.abs(shock) / Math.sqrt(state.longRunVariance);
    const noise = Math.exp(0.3 * this.random.normal() - 0.045);
    const volume = state.spec.baseVolume * intradayVolumeFactor(hour) * (0.6 + 0.4 * surprise) * noise;
    const round = (value: number): number => Number(value.toPrecision(8));
    const bar = { open: round(open), high: round(high), low: round(low), price: round(close) };
    return {
      symbol: state.spec.symbol,
      timestamp,
      ...bar,
      // Rounding must not push open or close outside the bar.
      high: Math.max(bar.high, bar.open, bar.price),
      low: Math.min(bar.low, bar.open, bar.price),
      volume: round(volume),
      price_change_pct: ((bar.price - bar.open) / bar.open) * 100,
    };
  }
}
