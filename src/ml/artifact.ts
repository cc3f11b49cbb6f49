import type { FeatureDefinition } from './features/feature-definition.ts';
import type { Barriers } from './barrier-labels.ts';
import type { ConfidenceCalibration } from './calibration/confidence-calibration.ts';
import type { Labels, Target } from './dataset.ts';
import type { ModelValidation } from './evaluation/model-validation.ts';
import type { ClassificationMetrics } from './metrics.ts';
import type { SerializedBoostedTrees } from './models/forest/boosted-trees.ts';
import type { SerializedFastForest } from './models/forest/fast-forest.ts';
import type { SerializedMlForest } from './models/forest/ml-forest.ts';
import type { SerializedLogistic } from './models/logistic-regression.ts';
import type { SerializedSvm } from './models/linear-svm.ts';
import type { MaRsiRuleParams } from './models/ma-rsi-rule.ts';

/**
 * What a signal's `model` field names: the spec's three families, `gradient_boosting` (trend only,
 * never a default), and `ma_rsi_rule`, a moving-average crossover with an RSI filter served through
 * the same artifacts and processor (no fitting).
 */
export const MODEL_KINDS = [
  'random_forest',
  'svm',
  'logistic_regression',
  'gradient_boosting',
  'ma_rsi_rule',
] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Out-of-sample scores of a model (or a baseline) on the test part of a walk-forward split. */
export interface ValueMetrics {
  /** R² of the expected percent change against the realized change over the horizon. */
  readonly r2: number;
  /** Mean absolute error of the predicted price against the realized price, in USDT. */
  readonly mae: number;
  /** Mean absolute error of the expected change, in percentage points. */
  readonly maeChangePct: number;
  /** R² of the predicted price level (high for any model that stays near the current price). */
  readonly r2Price: number;
  /** The signal (BUY/HOLD/SELL as up/flat/down) against the realized trend class. */
  readonly signal: ClassificationMetrics;
}

export type SerializedModel =
  | { readonly kind: 'random_forest'; readonly forest: SerializedFastForest | SerializedMlForest }
  | { readonly kind: 'logistic_regression'; readonly logistic: SerializedLogistic }
  | { readonly kind: 'svm'; readonly svm: SerializedSvm }
  | { readonly kind: 'gradient_boosting'; readonly boosting: SerializedBoostedTrees }
  | { readonly kind: 'ma_rsi_rule'; readonly rule: MaRsiRuleParams };

/** Out-of-sample predictions kept for the report. */
export interface EvaluationPoints {
  readonly time: number[];
  readonly close: number[];
  readonly actualChangePct: number[];
  readonly expectedChangePct: number[];
  readonly confidence: number[];
}

/**
 * A trained model with everything needed to serve and judge it: one JSON file per version in the
 * models directory (`<slot>.v<N>.json`). Signals take `metadata.model_version`, `r2_score` and
 * `mae` from here: `version`, `metrics.r2`, `metrics.mae`.
 */
export interface ModelArtifact {
  readonly format: 'cml-model/1';
  /** `<slot>.v<N>`, e.g. random_forest-trend-h48.v3. */
  readonly version: string;
  /** What the model is for: `<model>-<target>-h<horizon>`; a newer version of a slot replaces it. */
  readonly slot: string;
  readonly model: ModelKind;
  readonly target: Target;
  readonly horizonBars: number;
  /** The ±band of the trend classes and the BUY/SELL threshold, in percent. */
  readonly bandPct: number;
  readonly createdAt: string;
  readonly training: {
    readonly symbols: string[];
    /** First and last bar open time of the data given (ms). */
    readonly dataFrom: number;
    readonly dataTo: number;
    readonly trainRows: number;
    readonly testRows: number;
    readonly trainFrom: number;
    readonly trainTo: number;
    readonly testFrom: number;
    readonly testTo: number;
    readonly seconds: number;
    readonly params: Record<string, unknown>;
  };
  readonly features: FeatureDefinition & { readonly descriptions: Record<string, string> };
  readonly metrics: ValueMetrics;
  readonly baselines: {
    /** Predicts the current price (no change), hence always HOLD. */
    readonly lastPrice: ValueMetrics;
  };
  /** Mean change of each trend class (down, flat, up) in the training rows. */
  readonly classMeanChangePct: number[];
  /** Share of each trend class (down, flat, up) in the training and test rows. */
  readonly classShares: { readonly train: number[]; readonly test: number[] };
  readonly importances?: number[];
  readonly evaluation: EvaluationPoints;
  readonly serialized: SerializedModel;
  /** Where a version published by the trainer service comes from and when it goes live; absent on `cml train`'s. */
  readonly provenance?: ArtifactProvenance;
  /** What the trend classes meant in training (absent: the band). */
  readonly labeling?: { readonly labels: Labels; readonly barriers: Barriers };
  /** Applied to every prediction's confidence (absent: the raw confidence is served). */
  readonly calibration?: ConfidenceCalibration;
  /** Calibration, confidence tiers, baselines and cross-validation, out of sample. */
  readonly validation?: ModelValidation;
}

/**
 * What trained a version and from when it acts. A version with no `activeFrom` (trained by hand,
 * or on first run) is live for every bar from the moment the processor loads it.
 */
export interface ArtifactProvenance {
  /**
   * Event time (ms) from which the version serves: for each bar, the signals processor and the
   * backtests use the newest version of the slot whose `activeFrom` <= the bar's time.
   */
  readonly activeFrom: number;
  /** First and last bar open time (ms) of the bars trained on. */
  readonly dataFrom: number;
  readonly dataTo: number;
  readonly bars: number;
  /** The topic the bars were read from, and per partition the offset read up to (exclusive). */
  readonly topic: string;
  readonly offsets: Record<string, number>;
  /** The code that trained it: package version and git commit (when the checkout has one). */
  readonly code: { readonly packageVersion: string; readonly gitCommit?: string };
  /** Its out-of-sample scores, as its signals report them, with the signal's accuracy against always-HOLD's. */
  readonly scores: {
    readonly r2: number;
    readonly mae: number;
    readonly accuracy: number;
    readonly baselineAccuracy: number;
  };
  /** The trainer's schedule when it was trained (ms). */
  readonly trainer: { readonly windowMs: number; readonly intervalMs: number };
}

/**
 * The rule has one slot whatever the horizon (its signals do not depend on it; only the horizon its
 * scores were measured at does, which the artifact records), so its versions read `ma_rsi_rule.v<N>`.
 */
/** The `N` of a `<slot>.v<N>` version (0 for a name without one). */
export function versionNumberOf(version: string): number {
  const match = /\.v(\d+)$/.exec(version);
  return match === null ? 0 : Number(match[1]);
}

/** From when a version serves: its `provenance.activeFrom`, or always. */
export const activeFromOf = (artifact: Pick<ModelArtifact, 'provenance'>): number =>
  artifact.provenance?.activeFrom ?? -Infinity;

export const slotOf = (model: ModelKind, target: Target, horizonBars: number): string =>
  model === 'ma_rsi_rule' ? model : `${model}-${target}-h${horizonBars}`;

/**
 * The scores a signal carries (`metadata.r2_score`, `metadata.mae`), as the contract defines them:
 * out of sample, in the unit of the target: the price level (USDT) for `price` models, the percent
 * change for `price_change` models and, for `trend` classifiers, their expected change.
 */
export function reportedScores(artifact: Pick<ModelArtifact, 'target' | 'metrics'>): {
  r2: number;
  mae: number;
  unit: 'USDT' | 'percentage points';
} {
  return artifact.target === 'price'
    ? { r2: artifact.metrics.r2Price, mae: artifact.metrics.mae, unit: 'USDT' }
    : { r2: artifact.metrics.r2, mae: artifact.metrics.maeChangePct, unit: 'percentage points' };
}
