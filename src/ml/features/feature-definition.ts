/**
 * What the features are, as data: saved in every model artifact, so the processor computes exactly
 * the features a model was trained on, whatever interval the live feed has.
 */
export interface FeatureDefinition {
  /** Bumped when the meaning of any feature changes; artifacts of another version are refused. */
  readonly version: 1;
  /** The bar interval the windows were sized for, in ms (informational: windows count bars). */
  readonly intervalMs: number;
  /**
   * Bars in the `volatility_7d` window: 7 days of bars, capped at `maxVolatilityBars` so that a
   * processor warms up from the 24 h that crypto.market_data keeps (1h bars: 168; 5m and 1m: 288).
   */
  readonly volatilityBars: number;
  /** Bars in the short volatility window (`vol_short`). */
  readonly shortVolatilityBars: number;
  /** Bars of momentum in `ret_mid`. */
  readonly momentumBars: number;
  /** The model inputs, in column order. */
  readonly columns: readonly FeatureColumn[];
}

/**
 * Model inputs. Scale-free on purpose (ratios and percents, not prices): trees cannot extrapolate
 * beyond the prices they were trained on, and a trending market leaves them there within weeks.
 */
export const FEATURE_COLUMNS = [
  'ma7_gap_pct',
  'ma25_gap_pct',
  'ma_cross_pct',
  'rsi_14',
  'volatility_7d',
  'vol_short',
  'ret_1',
  'ret_mid',
  'range_pct',
  'volume_log_change',
  'volume_ratio_25',
] as const;
export type FeatureColumn = (typeof FEATURE_COLUMNS)[number];

/** What each input means, for artifacts and the report. */
export const FEATURE_DESCRIPTIONS: Readonly<Record<FeatureColumn, string>> = {
  ma7_gap_pct: 'close / SMA(close, 7) - 1, in percent',
  ma25_gap_pct: 'close / SMA(close, 25) - 1, in percent',
  ma_cross_pct: 'SMA(close, 7) / SMA(close, 25) - 1, in percent',
  rsi_14: 'RSI(14) of the close (Wilder), 0..100',
  volatility_7d: 'population std of 1-bar close returns over volatilityBars bars, in percent',
  vol_short: 'population std of 1-bar close returns over shortVolatilityBars bars, in percent',
  ret_1: 'close return over the last bar, in percent',
  ret_mid: 'close return over momentumBars bars, in percent',
  range_pct: '(high - low) / close, in percent',
  volume_log_change: 'ln((volume + 1) / (previous volume + 1))',
  volume_ratio_25: 'ln((volume + 1) / (SMA(volume, 25) + 1))',
};

const DAY_MS = 86_400_000;
export const MAX_VOLATILITY_BARS = 288;

/** The feature definition for bars of `intervalMs`. */
export function featureDefinitionFor(
  intervalMs: number,
  options: { maxVolatilityBars?: number } = {},
): FeatureDefinition {
  const cap = options.maxVolatilityBars ?? MAX_VOLATILITY_BARS;
  return {
    version: 1,
    intervalMs,
    volatilityBars: Math.max(2, Math.min(cap, Math.round((7 * DAY_MS) / intervalMs))),
    shortVolatilityBars: 24,
    momentumBars: 12,
    columns: FEATURE_COLUMNS,
  };
}

/** Bars a symbol needs before its features are defined (the longest window, plus one return). */
export const warmupBars = (definition: FeatureDefinition): number =>
  Math.max(definition.volatilityBars, definition.shortVolatilityBars, definition.momentumBars, 25) + 1;

/** A stable key: models with equal keys share one feature state per symbol. */
export const definitionKey = (definition: FeatureDefinition): string =>
  `v${definition.version}:${definition.volatilityBars}:${definition.shortVolatilityBars}:${definition.momentumBars}:${definition.columns.join(',')}`;

/** The interval of a bar series: the most common gap between consecutive open times. */
export function inferIntervalMs(timestamps: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < timestamps.length; i++) {
    const gap = (timestamps[i] as number) - (timestamps[i - 1] as number);
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 60_000;
  let bestCount = -1;
  for (const [gap, count] of counts)
    if (count > bestCount) {
      best = gap;
      bestCount = count;
    }
  return best;
}
