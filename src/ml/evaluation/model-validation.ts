import type { ReliabilityBin } from '../calibration/calibration-scores.ts';
import type { CalibrationMethod } from '../calibration/confidence-calibration.ts';
import type { MeanInterval } from './bootstrap.ts';
import type { SignalScores } from './signal-scores.ts';
import type { TierScore } from './confidence-tiers.ts';

/** Brier score and ECE of the test rows' confidences, raw and under each calibration method. */
export interface CalibrationComparison {
  readonly method: 'raw' | CalibrationMethod;
  readonly brier: number;
  readonly ece: number;
}

/** A model and its baselines scored on the same rows. */
export interface ScoresWithBaselines {
  readonly model: SignalScores;
  readonly alwaysHold: SignalScores;
  readonly maRsiRule: SignalScores;
  /** BUY and SELL at random, as often as the model. */
  readonly random: SignalScores;
}

export interface FoldResult extends ScoresWithBaselines {
  readonly testFrom: number;
  readonly testTo: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly tiers: TierScore[];
}

export interface Spread {
  readonly mean: number;
  readonly sd: number;
}

export interface CrossValidation {
  readonly folds: FoldResult[];
  /** Training rows whose label reached into a test block were purged; this many bars after it embargoed. */
  readonly embargoBars: number;
  /** Mean and sample standard deviation over the folds. */
  readonly summary: Record<'accuracy' | 'brier' | 'ece' | 'buyPrecision' | 'buyReturnPct', Spread>;
  readonly baselineSummary: Record<
    'alwaysHold' | 'maRsiRule' | 'random',
    Record<'accuracy' | 'buyReturnPct', Spread>
  >;
  /** The folds' test signals pooled per tier. */
  readonly tiers: TierScore[];
  /** BUY trade returns of all folds pooled. */
  readonly buyReturn: MeanInterval;
}

/**
 * How far a model's signals and confidence can be trusted, measured out of sample: on the
 * artifact's test rows, and (when asked) over purged walk-forward folds.
 */
export interface ModelValidation {
  readonly comparison: CalibrationComparison[];
  readonly reliability: { readonly raw: ReliabilityBin[]; readonly calibrated: ReliabilityBin[] };
  readonly tiers: TierScore[];
  readonly scores: ScoresWithBaselines;
  /** Increase of the Brier score when each input is shuffled, in the features' order. */
  readonly permutationImportance: number[];
  readonly crossValidation?: CrossValidation;
}

export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = finite.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}
