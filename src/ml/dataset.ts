import type { MarketData } from '../contracts/index.ts';
import type { FeatureDefinition } from './features/feature-definition.ts';
import { SymbolFeatures, type FeatureVector } from './features/symbol-features.ts';
import { barrierOutcome, type Barriers } from './barrier-labels.ts';

/** What a model predicts, as the spec names it. */
export const TARGETS = ['price', 'price_change', 'trend'] as const;
export type Target = (typeof TARGETS)[number];

/** Trend classes, in the order models index them. */
export const TREND_CLASSES = ['down', 'flat', 'up'] as const;
export type TrendClass = (typeof TREND_CLASSES)[number];
export const DOWN = 0;
export const FLAT = 1;
export const UP = 2;

/** The class of a percent change: beyond +band up, below -band down, else flat (the spec's ±1.5%). */
export const trendOf = (changePct: number, bandPct: number): number =>
  changePct > bandPct ? UP : changePct < -bandPct ? DOWN : FLAT;

/**
 * What the trend classes of a run mean: `band`, the change at the horizon against the ±band (the
 * spec's); `barrier`, how a long trade entered at the bar's close ends (take-profit first: up,
 * stop-loss first: down, neither within the horizon: flat; see barrier-labels.ts).
 */
export const LABELS = ['band', 'barrier'] as const;
export type Labels = (typeof LABELS)[number];

/** A bar's features with what happened in the `horizon` bars after it. */
export interface LabeledRow {
  readonly symbol: string;
  readonly features: FeatureVector;
  /** Open time of the horizon's last bar: every label of the row is known at its close. */
  readonly labelTime: number;
  readonly futureClose: number;
  readonly changePct: number;
  /** The class the models learn, under the run's labels. */
  readonly trend: number;
  /** The band class and the barrier class, whichever the run learns. */
  readonly bandTrend: number;
  readonly barrierTrend: number;
  /** Return of a long entered at the close and left at the barriers or the horizon, percent, before fees. */
  readonly tradeReturnPct: number;
}

export interface Labeling {
  readonly horizonBars: number;
  readonly bandPct: number;
  /** Default `band`. */
  readonly labels?: Labels;
  /** The trade's exits (default the decision defaults, -2% / +5%). */
  readonly barriers?: Barriers;
}

export const DEFAULT_BARRIERS: Barriers = { stopLossPct: -2, takeProfitPct: 5 };

/**
 * Features for every bar, computed by the same incremental state the processor runs (bar by bar,
 * each from the bars up to it), and labels from the `horizonBars` bars after it (the band's from
 * the last one's close, the barriers' from their highs and lows). Bars are grouped per
 * symbol and taken in time order; repeated or out-of-order bars are dropped, as the processor does.
 */
export function labelBars(
  bars: readonly MarketData[],
  definition: FeatureDefinition,
  labeling: Labeling,
): LabeledRow[] {
  const bySymbol = new Map<string, MarketData[]>();
  for (const bar of bars) {
    const list = bySymbol.get(bar.symbol) ?? [];
    if (list.length === 0 || bar.timestamp > (list.at(-1) as MarketData).timestamp) list.push(bar);
    bySymbol.set(bar.symbol, list);
  }
  const rows: LabeledRow[] = [];
  for (const [symbol, series] of bySymbol) {
    const state = new SymbolFeatures(definition);
    for (let i = 0; i < series.length; i++) {
      const features = state.push(series[i] as MarketData);
      const future = series[i + labeling.horizonBars];
      if (features === undefined || future === undefined) continue;
      const changePct = (future.price / features.close - 1) * 100;
      const bandTrend = trendOf(changePct, labeling.bandPct);
      const barrier = barrierOutcome(
        features.close,
        series.slice(i + 1, i + 1 + labeling.horizonBars),
        labeling.horizonBars,
        labeling.barriers ?? DEFAULT_BARRIERS,
      );
      rows.push({
        symbol,
        features,
        labelTime: future.timestamp,
        futureClose: future.price,
        changePct,
        trend: labeling.labels === 'barrier' ? barrier.trend : bandTrend,
        bandTrend,
        barrierTrend: barrier.trend,
        tradeReturnPct: barrier.returnPct,
      });
    }
  }
  return rows.sort((a, b) => a.features.timestamp - b.features.timestamp);
}

export interface WalkForwardSplit {
  readonly train: LabeledRow[];
  readonly test: LabeledRow[];
  /** The first bar time of the test part. */
  readonly boundary: number;
}

/**
 * Time-ordered split: the latest `testShare` of the rows are out of sample; a training row is kept
 * only when its label bar opened before the first test bar (an embargo of `horizon` bars), so no
 * training label is taken from the test period.
 */
export function walkForwardSplit(rows: readonly LabeledRow[], testShare: number): WalkForwardSplit {
  const start = Math.min(rows.length - 1, Math.max(1, Math.floor(rows.length * (1 - testShare))));
  const boundary = (rows[start] as LabeledRow).features.timestamp;
  return {
    boundary,
    test: rows.filter((row) => row.features.timestamp >= boundary),
    train: rows.filter((row) => row.labelTime < boundary),
  };
}
