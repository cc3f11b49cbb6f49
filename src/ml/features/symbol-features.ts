import type { MarketData, SignalFeatures } from '../../contracts/index.ts';
import { FEATURE_COLUMNS, warmupBars, type FeatureDefinition } from './feature-definition.ts';
import { Float64Slab } from './float64-slab.ts';
import { RollingMean, RollingRsi, RollingStd } from './rolling-indicators.ts';

/** The features of one bar: the model inputs (column order of the definition) and the message's record. */
export interface FeatureVector {
  readonly timestamp: number;
  readonly close: number;
  readonly inputs: Float64Array;
  readonly exposed: SignalFeatures;
  /** `ma_cross_pct` of the previous bar (NaN before both averages were defined): rules see crossings. */
  readonly previousMaCrossPct: number;
}

/** A bar as the snapshot keeps it: [open time, open, high, low, close, volume]. */
export type CompactBar = readonly [number, number, number, number, number, number];

const pct = (a: number, b: number): number => (b > 0 ? (a / b - 1) * 100 : 0);
/** Numbers per bar kept: a CompactBar's. */
const FIELDS = 6;
/** Model inputs per bar, in FEATURE_COLUMNS order. */
const INPUTS = FEATURE_COLUMNS.length;

/**
 * One symbol's features, updated bar by bar with streaming indicators (rolling-indicators.ts,
 * technicalindicators' arithmetic), never recomputed over the history. It keeps the last `warmupBars` bars
 * so that a snapshot can rebuild it: replaying those bars gives the same SMAs and volatilities
 * (to within the rounding of their running sums), and RSI's Wilder smoothing to within
 * (13/14)^warmup of its value, far below its 0.01 rounding.
 */
export class SymbolFeatures {
  private readonly sma7 = new RollingMean(7);
  private readonly sma25 = new RollingMean(25);
  private readonly volumeSma25 = new RollingMean(25);
  private readonly rsi14 = new RollingRsi(14);
  private readonly volLong: RollingStd;
  private readonly volShort: RollingStd;
  /** The last momentumBars + 1 closes, a ring (`closesSeen` counts every close taken). */
  private readonly closes: Float64Array;
  private closesSeen = 0;
  /**
   * The last `keep` bars, FIELDS numbers each, a ring (`taken` counts every bar): numbers in one
   * typed array, not a small array per bar, which lived long enough to burden the old generation.
   */
  private readonly recent: Float64Array;
  private taken = 0;
  private readonly keep: number;
  private previousTime: number | undefined;
  private previousClose = 0;
  private previousVolume = 0;
  private previousMaCrossPct = Number.NaN;
  private readonly inputRows = new Float64Slab(INPUTS);

  constructor(readonly definition: FeatureDefinition) {
    this.volLong = new RollingStd(definition.volatilityBars);
    this.volShort = new RollingStd(definition.shortVolatilityBars);
    this.keep = warmupBars(definition);
    this.recent = new Float64Array(this.keep * FIELDS);
    this.closes = new Float64Array(definition.momentumBars + 1);
  }

  /** A state rebuilt from the bars a snapshot kept. */
  static restore(definition: FeatureDefinition, bars: readonly CompactBar[]): SymbolFeatures {
    const state = new SymbolFeatures(definition);
    for (const [time, open, high, low, close, volume] of bars)
      state.take(time, open, high, low, close, volume);
    return state;
  }

  /** The time of the last bar taken, if any. */
  get lastTime(): number | undefined {
    return this.previousTime;
  }

  /** The bars a snapshot needs to rebuild this state. */
  snapshot(): CompactBar[] {
    const count = Math.min(this.taken, this.keep);
    const bars: CompactBar[] = [];
    for (let k = this.taken - count; k < this.taken; k++) {
      const at = (k % this.keep) * FIELDS;
      const r = this.recent;
      bars.push([r[at], r[at + 1], r[at + 2], r[at + 3], r[at + 4], r[at + 5]] as unknown as CompactBar);
    }
    return bars;
  }

  /** Takes the next bar; the features once every window is full, undefined while warming up. */
  push(bar: MarketData): FeatureVector | undefined {
    return this.take(bar.timestamp, bar.open, bar.high, bar.low, bar.price, bar.volume);
  }

  private take(
    timestamp: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): FeatureVector | undefined {
    const previousTime = this.previousTime;
    const previousClose = this.previousClose;
    const previousVolume = this.previousVolume;
    this.previousTime = timestamp;
    this.previousClose = close;
    this.previousVolume = volume;
    const at = (this.taken % this.keep) * FIELDS;
    this.recent[at] = timestamp;
    this.recent[at + 1] = open;
    this.recent[at + 2] = high;
    this.recent[at + 3] = low;
    this.recent[at + 4] = close;
    this.recent[at + 5] = volume;
    this.taken++;
    const span = this.closes.length;
    this.closes[this.closesSeen % span] = close;
    this.closesSeen++;
    // The oldest close in the ring: momentumBars before this one, once the ring is full.
    const past = this.closes[this.closesSeen % span] as number;

    const ma7 = this.sma7.next(close);
    const ma25 = this.sma25.next(close);
    const rsi = this.rsi14.next(close);
    const volumeMa25 = this.volumeSma25.next(volume);
    const previousMaCrossPct = this.previousMaCrossPct;
    this.previousMaCrossPct = ma7 !== undefined && ma25 !== undefined ? pct(ma7, ma25) : Number.NaN;
    if (previousTime === undefined) return undefined;
    const ret1 = pct(close, previousClose);
    const volatility = this.volLong.next(ret1);
    const volShort = this.volShort.next(ret1);
    if (
      ma7 === undefined ||
      ma25 === undefined ||
      rsi === undefined ||
      volumeMa25 === undefined ||
      volatility === undefined ||
      volShort === undefined ||
      this.closesSeen <= this.definition.momentumBars
    )
      return undefined;

    const exposed: SignalFeatures = {
      ma_7: ma7,
      ma_25: ma25,
      rsi_14: rsi,
      volatility_7d: volatility,
      volume_change_pct: previousVolume > 0 ? (volume / previousVolume - 1) * 100 : 0,
    };
    // Set one by one: Float64Array.of takes a generic path in V8, a third of a backtest's feature time.
    const inputs = this.inputRows.next();
    inputs[0] = pct(close, ma7);
    inputs[1] = pct(close, ma25);
    inputs[2] = pct(ma7, ma25);
    inputs[3] = rsi;
    inputs[4] = volatility;
    inputs[5] = volShort;
    inputs[6] = ret1;
    inputs[7] = pct(close, past);
    inputs[8] = close > 0 ? ((high - low) / close) * 100 : 0;
    inputs[9] = Math.log((volume + 1) / (previousVolume + 1));
    inputs[10] = Math.log((volume + 1) / (volumeMa25 + 1));
    return { timestamp, close, inputs, exposed, previousMaCrossPct };
  }
}
