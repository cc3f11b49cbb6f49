import { RSI, SD, SMA } from 'technicalindicators';
import type { MarketData, SignalFeatures } from '../../contracts/index.ts';
import { warmupBars, type FeatureDefinition } from './feature-definition.ts';

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
const identity = (v: number): number => v;

/**
 * One symbol's features, updated bar by bar in O(window) with technicalindicators' streaming
 * indicators (`nextValue`), never recomputed over the history. It keeps the last `warmupBars` bars
 * so that a snapshot can rebuild it: replaying those bars gives the same SMAs and volatilities
 * (to within the rounding of their running sums), and RSI's Wilder smoothing to within
 * (13/14)^warmup of its value, far below its 0.01 rounding.
 */
export class SymbolFeatures {
  private readonly sma7 = new SMA({ period: 7, values: [], format: identity });
  private readonly sma25 = new SMA({ period: 25, values: [], format: identity });
  private readonly volumeSma25 = new SMA({ period: 25, values: [], format: identity });
  private readonly rsi14 = new RSI({ period: 14, values: [] });
  private readonly volLong: SD;
  private readonly volShort: SD;
  private readonly closes: number[] = [];
  private readonly recent: CompactBar[] = [];
  private readonly keep: number;
  private previous: CompactBar | undefined;
  private previousMaCrossPct = Number.NaN;

  constructor(readonly definition: FeatureDefinition) {
    this.volLong = new SD({ period: definition.volatilityBars, values: [], format: identity });
    this.volShort = new SD({ period: definition.shortVolatilityBars, values: [], format: identity });
    this.keep = warmupBars(definition);
  }

  /** A state rebuilt from the bars a snapshot kept. */
  static restore(definition: FeatureDefinition, bars: readonly CompactBar[]): SymbolFeatures {
    const state = new SymbolFeatures(definition);
    for (const bar of bars) state.pushCompact(bar);
    return state;
  }

  /** The time of the last bar taken, if any. */
  get lastTime(): number | undefined {
    return this.previous?.[0];
  }

  /** The bars a snapshot needs to rebuild this state. */
  snapshot(): CompactBar[] {
    return [...this.recent];
  }

  /** Takes the next bar; the features once every window is full, undefined while warming up. */
  push(bar: MarketData): FeatureVector | undefined {
    return this.pushCompact([bar.timestamp, bar.open, bar.high, bar.low, bar.price, bar.volume]);
  }

  private pushCompact(bar: CompactBar): FeatureVector | undefined {
    const [timestamp, , high, low, close, volume] = bar;
    const previous = this.previous;
    this.previous = bar;
    this.recent.push(bar);
    if (this.recent.length > this.keep) this.recent.shift();
    this.closes.push(close);
    if (this.closes.length > this.definition.momentumBars + 1) this.closes.shift();

    const ma7 = this.sma7.nextValue(close);
    const ma25 = this.sma25.nextValue(close);
    const rsi = this.rsi14.nextValue(close);
    const volumeMa25 = this.volumeSma25.nextValue(volume);
    const previousMaCrossPct = this.previousMaCrossPct;
    this.previousMaCrossPct = ma7 !== undefined && ma25 !== undefined ? pct(ma7, ma25) : Number.NaN;
    if (previous === undefined) return undefined;
    const ret1 = pct(close, previous[4]);
    const volatility = this.volLong.nextValue(ret1);
    const volShort = this.volShort.nextValue(ret1);
    const past = this.closes[0] as number;
    if (
      ma7 === undefined ||
      ma25 === undefined ||
      rsi === undefined ||
      volumeMa25 === undefined ||
      volatility === undefined ||
      volShort === undefined ||
      this.closes.length <= this.definition.momentumBars
    )
      return undefined;

    const previousVolume = previous[5];
    const exposed: SignalFeatures = {
      ma_7: ma7,
      ma_25: ma25,
      rsi_14: rsi,
      volatility_7d: volatility,
      volume_change_pct: previousVolume > 0 ? (volume / previousVolume - 1) * 100 : 0,
    };
    const inputs = Float64Array.of(
      pct(close, ma7),
      pct(close, ma25),
      pct(ma7, ma25),
      rsi,
      volatility,
      volShort,
      ret1,
      pct(close, past),
      close > 0 ? ((high - low) / close) * 100 : 0,
      Math.log((volume + 1) / (previousVolume + 1)),
      Math.log((volume + 1) / (volumeMa25 + 1)),
    );
    return { timestamp, close, inputs, exposed, previousMaCrossPct };
  }
}
