import type { MarketData, SignalFeatures } from '../../contracts/index.ts';
import { warmupBars, type FeatureDefinition } from './feature-definition.ts';
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
  /** The last `keep` bars, a ring starting at `recentStart`. */
  private readonly recent: CompactBar[] = [];
  private recentStart = 0;
  private readonly keep: number;
  private previous: CompactBar | undefined;
  private previousMaCrossPct = Number.NaN;

  constructor(readonly definition: FeatureDefinition) {
    this.volLong = new RollingStd(definition.volatilityBars);
    this.volShort = new RollingStd(definition.shortVolatilityBars);
    this.keep = warmupBars(definition);
    this.closes = new Float64Array(definition.momentumBars + 1);
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
    return [...this.recent.slice(this.recentStart), ...this.recent.slice(0, this.recentStart)];
  }

  /** Takes the next bar; the features once every window is full, undefined while warming up. */
  push(bar: MarketData): FeatureVector | undefined {
    return this.pushCompact([bar.timestamp, bar.open, bar.high, bar.low, bar.price, bar.volume]);
  }

  private pushCompact(bar: CompactBar): FeatureVector | undefined {
    const [timestamp, , high, low, close, volume] = bar;
    const previous = this.previous;
    this.previous = bar;
    if (this.recent.length < this.keep) this.recent.push(bar);
    else {
      this.recent[this.recentStart] = bar;
      this.recentStart = (this.recentStart + 1) % this.keep;
    }
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
    if (previous === undefined) return undefined;
    const ret1 = pct(close, previous[4]);
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
