import type { SerializedModel } from './artifact.ts';
import {
  fitCalibration,
  type CalibrationMethod,
  type ConfidenceCalibration,
} from './calibration/confidence-calibration.ts';
import { FLAT, TREND_CLASSES, walkForwardSplit, type LabeledRow, type Target } from './dataset.ts';
import type { JudgedSignal } from './evaluation/signal-scores.ts';
import { GradientBoostedTrees } from './models/forest/boosted-trees.ts';
import { FastRandomForest } from './models/forest/fast-forest.ts';
import { MlRandomForest } from './models/forest/ml-forest.ts';
import { LinearSvm } from './models/linear-svm.ts';
import { LogisticRegression } from './models/logistic-regression.ts';
import { MA_RSI_RULE, type MaRsiRuleParams } from './models/ma-rsi-rule.ts';
import { predictorOfModel, type Predictor } from './predictor.ts';
import {
  labelOf,
  mapPrediction,
  type MappedPrediction,
  type MappingContext,
  type RawPrediction,
} from './signal-mapping.ts';
import type { ModelSpec, TrainSettings } from './train.ts';

/** Each class's mean change (band labels) or mean trade return (barrier labels) in the rows. */
export function classMeans(
  rows: readonly LabeledRow[],
  settings: Pick<TrainSettings, 'bandPct' | 'labels'>,
): number[] {
  const valueOf = (r: LabeledRow): number => (settings.labels === 'barrier' ? r.tradeReturnPct : r.changePct);
  return TREND_CLASSES.map((_, k) => {
    const members = rows.filter((r) => r.trend === k);
    if (members.length === 0) return k === FLAT ? 0 : (k > FLAT ? 2 : -2) * settings.bandPct;
    return members.reduce((s, r) => s + valueOf(r), 0) / members.length;
  });
}

/** The class a model's signal is judged against: its own labels for classifiers, the band for regressions. */
export const actualOf = (target: Target, row: LabeledRow): number =>
  target === 'trend' ? row.trend : row.bandTrend;

export interface FittedModel {
  readonly serialized: SerializedModel;
  readonly importances?: number[];
  readonly params: Record<string, unknown>;
}

/** Fits one model of the spec on the rows (the rule: nothing to fit). */
export function fitModel(
  spec: ModelSpec,
  rows: readonly LabeledRow[],
  settings: TrainSettings,
  onUnit: (done: number) => void,
): FittedModel {
  if (spec.model === 'ma_rsi_rule') {
    // Nothing to fit: the artifact carries the rule's thresholds, and its scores are measured below.
    onUnit(1);
    const rule: MaRsiRuleParams = { ...MA_RSI_RULE, ...settings.rule };
    return { serialized: { kind: 'ma_rsi_rule', rule }, params: { ...rule } };
  }
  const X = rows.map((r) => r.features.inputs);
  const classWeight = settings.classWeight;
  if (spec.model === 'random_forest') {
    const classification = spec.target === 'trend';
    const params = classification
      ? { ...settings.classificationForest, classWeight }
      : settings.regressionForest;
    const y = rows.map((r) => (classification ? r.trend : labelOf(spec.target, r.changePct)));
    const classes = classification ? TREND_CLASSES.length : 0;
    const forest =
      settings.forestEngine === 'fast'
        ? FastRandomForest.train(X, y, classes, params, (done) => onUnit(done))
        : MlRandomForest.train(X, y, classes, params);
    onUnit(params.nEstimators);
    return {
      serialized: { kind: 'random_forest', forest: forest.toJSON() },
      importances: [...forest.importances],
      params: { engine: settings.forestEngine, ...params },
    };
  }
  const y = rows.map((r) => r.trend);
  if (spec.model === 'logistic_regression') {
    const params = { ...settings.logistic, classWeight };
    const model = LogisticRegression.train(X, y, TREND_CLASSES.length, params);
    onUnit(10);
    return { serialized: { kind: 'logistic_regression', logistic: model.toJSON() }, params: { ...params } };
  }
  if (spec.model === 'gradient_boosting') {
    const params = { ...settings.boosting, classWeight };
    const model = GradientBoostedTrees.train(X, y, TREND_CLASSES.length, params, (done) => onUnit(done));
    return {
      serialized: { kind: 'gradient_boosting', boosting: model.toJSON() },
      importances: [...model.importances],
      params: { ...params },
    };
  }
  const params = { ...settings.svm, classWeight };
  const model = LinearSvm.train(X, y, TREND_CLASSES.length, params);
  onUnit(10);
  return { serialized: { kind: 'svm', svm: model.toJSON() }, params: { ...params } };
}

/** A model fitted on a training part, calibrated on its latest rows, and its predictions on a test part. */
export interface CalibratedFit {
  readonly fitted: FittedModel;
  readonly context: MappingContext;
  readonly calibrations: Partial<Record<CalibrationMethod, ConfidenceCalibration>>;
  /** Test predictions, with the raw confidence and with the chosen calibration. */
  readonly raw: MappedPrediction[];
  readonly predictions: MappedPrediction[];
  /** The model's raw outputs on the test rows, mapped once per context. */
  readonly outputs: RawPrediction[];
  readonly predictor: Predictor;
}

const MIN_CALIBRATION_ROWS = 50;

/**
 * Fits the model on the training rows before the calibration part (the latest `calibrationShare`,
 * purged so that no fitting label reaches into it), fits both calibrations on the model's
 * predictions there, and predicts the test rows.
 */
export function fitCalibrated(
  spec: ModelSpec,
  train: readonly LabeledRow[],
  test: readonly LabeledRow[],
  settings: TrainSettings,
  onUnit: (done: number) => void,
): CalibratedFit {
  const split =
    settings.calibration === 'none' ||
    settings.calibrationShare <= 0 ||
    train.length < 2 * MIN_CALIBRATION_ROWS
      ? { train: [...train], test: [] }
      : walkForwardSplit(train, settings.calibrationShare);
  const calibrationRows = split.test.length >= MIN_CALIBRATION_ROWS ? split.test : [];
  const fitRows = calibrationRows.length > 0 ? split.train : [...train];
  const fitted = fitModel(spec, fitRows, settings, onUnit);
  const base = {
    target: spec.target,
    thresholdPct: settings.bandPct,
    classMeanChangePct: classMeans(fitRows, settings),
  };
  const predictor = predictorOfModel(fitted.serialized);
  const held = calibrationRows.map((r) => {
    const p = mapPrediction(predictor.predict(r.features), r.features.close, base);
    return { trend: p.trend, confidence: p.confidence, right: p.trend === actualOf(spec.target, r) };
  });
  const calibrations: Partial<Record<CalibrationMethod, ConfidenceCalibration>> =
    held.length === 0
      ? {}
      : {
          isotonic: fitCalibration('isotonic', held, TREND_CLASSES.length),
          platt: fitCalibration('platt', held, TREND_CLASSES.length),
        };
  // The rule is a strategy, not a classifier: its confidence stays 1 (its calibration is measured only).
  const chosen =
    settings.calibration === 'none' || spec.model === 'ma_rsi_rule'
      ? undefined
      : calibrations[settings.calibration];
  const context: MappingContext = { ...base, calibration: chosen };
  const outputs = test.map((r) => predictor.predict(r.features));
  const mapped = (ctx: MappingContext): MappedPrediction[] =>
    outputs.map((o, i) => mapPrediction(o, (test[i] as LabeledRow).features.close, ctx));
  return {
    fitted,
    context,
    calibrations,
    raw: mapped(base),
    predictions: mapped(context),
    outputs,
    predictor,
  };
}

export const judged = (
  target: Target,
  rows: readonly LabeledRow[],
  predictions: ReadonlyArray<Pick<MappedPrediction, 'trend' | 'confidence'>>,
): JudgedSignal[] =>
  rows.map((r, i) => ({
    trend: (predictions[i] as MappedPrediction).trend,
    confidence: (predictions[i] as MappedPrediction).confidence,
    actual: actualOf(target, r),
    tradeReturnPct: r.tradeReturnPct,
  }));
