import { brierScore, expectedCalibrationError, reliabilityBins } from './calibration/calibration-scores.ts';
import type { CalibrationMethod } from './calibration/confidence-calibration.ts';
import { FLAT, TREND_CLASSES, UP, type LabeledRow } from './dataset.ts';
import { bootstrapMean } from './evaluation/bootstrap.ts';
import { scoreTiers } from './evaluation/confidence-tiers.ts';
import {
  spreadOf,
  type CrossValidation,
  type FoldResult,
  type ModelValidation,
  type ScoresWithBaselines,
  type Spread,
} from './evaluation/model-validation.ts';
import { permutationImportance } from './evaluation/permutation-importance.ts';
import { purgedFolds } from './evaluation/purged-folds.ts';
import {
  alwaysHold,
  randomAtRate,
  scoreSignals,
  type JudgedSignal,
  type SignalScores,
} from './evaluation/signal-scores.ts';
import { actualOf, fitCalibrated, judged, type CalibratedFit } from './fit-model.ts';
import { mapPrediction, type MappedPrediction } from './signal-mapping.ts';
import type { ModelSpec, PreparedData, TrainSettings } from './train.ts';

/**
 * A model fitted on `train` (calibrated on its latest rows) and its test predictions with the raw
 * confidence and with each calibration: what the bench compares, fold by fold.
 */
export function calibratedPredictions(
  spec: ModelSpec,
  train: readonly LabeledRow[],
  test: readonly LabeledRow[],
  settings: TrainSettings,
): Record<'raw' | CalibrationMethod, JudgedSignal[]> {
  const fit = fitCalibrated(spec, train, test, settings, () => undefined);
  const withCalibration = (method: CalibrationMethod): JudgedSignal[] => {
    const calibration = fit.calibrations[method];
    const ctx = { ...fit.context, calibration };
    return judged(
      spec.target,
      test,
      fit.outputs.map((o, i) => mapPrediction(o, (test[i] as LabeledRow).features.close, ctx)),
    );
  };
  return {
    raw: judged(spec.target, test, fit.raw),
    isotonic: withCalibration('isotonic'),
    platt: withCalibration('platt'),
  };
}

/** The model and its baselines on the same test rows. */
function scoresWithBaselines(
  spec: ModelSpec,
  train: readonly LabeledRow[],
  test: readonly LabeledRow[],
  model: readonly JudgedSignal[],
  settings: TrainSettings,
): ScoresWithBaselines {
  const modelScores = scoreSignals(model);
  const shares = TREND_CLASSES.map(
    (_, k) => train.filter((r) => actualOf(spec.target, r) === k).length / Math.max(1, train.length),
  );
  const outcomes = test.map((r) => ({ actual: actualOf(spec.target, r), tradeReturnPct: r.tradeReturnPct }));
  const rule = fitCalibrated(
    { model: 'ma_rsi_rule', target: spec.target },
    train,
    test,
    settings,
    () => undefined,
  );
  return {
    model: modelScores,
    alwaysHold: scoreSignals(alwaysHold(outcomes, shares[FLAT] as number)),
    maRsiRule: scoreSignals(judged(spec.target, test, rule.predictions)),
    random: scoreSignals(randomAtRate(outcomes, modelScores, shares)),
  };
}

const actionable = (signals: readonly JudgedSignal[]): Array<{ confidence: number; right: boolean }> =>
  signals
    .filter((s) => s.trend !== FLAT)
    .map((s) => ({ confidence: s.confidence, right: s.trend === s.actual }));

/** Purged walk-forward folds over all the labelled rows, each fitted and calibrated as the artifact's model. */
export function crossValidate(spec: ModelSpec, data: PreparedData, settings: TrainSettings): CrossValidation {
  const folds = purgedFolds(data.rows, {
    folds: settings.cvFolds,
    embargoMs: settings.horizonBars * data.definition.intervalMs,
  });
  const pooled: JudgedSignal[] = [];
  const results: FoldResult[] = folds.map((fold) => {
    const fit = fitCalibrated(spec, fold.train, fold.test, settings, () => undefined);
    const signals = judged(spec.target, fold.test, fit.predictions);
    pooled.push(...signals);
    return {
      testFrom: fold.testFrom,
      testTo: fold.testTo,
      trainRows: fold.train.length,
      testRows: fold.test.length,
      tiers: scoreTiers(actionable(signals)),
      ...scoresWithBaselines(spec, fold.train, fold.test, signals, settings),
    };
  });
  const spreadBy = (score: (r: FoldResult) => number): Spread => spreadOf(results.map(score));
  const baseline = (pick: (r: FoldResult) => SignalScores): Record<'accuracy' | 'buyReturnPct', Spread> => ({
    accuracy: spreadBy((r) => pick(r).accuracy),
    buyReturnPct: spreadBy((r) => pick(r).buyReturn.mean),
  });
  return {
    folds: results,
    embargoBars: settings.horizonBars,
    summary: {
      accuracy: spreadBy((r) => r.model.accuracy),
      brier: spreadBy((r) => r.model.brier),
      ece: spreadBy((r) => r.model.ece),
      buyPrecision: spreadOf(results.filter((r) => r.model.buys > 0).map((r) => r.model.buyPrecision)),
      buyReturnPct: spreadBy((r) => r.model.buyReturn.mean),
    },
    baselineSummary: {
      alwaysHold: baseline((r) => r.alwaysHold),
      maRsiRule: baseline((r) => r.maRsiRule),
      random: baseline((r) => r.random),
    },
    tiers: scoreTiers(actionable(pooled)),
    buyReturn: bootstrapMean(pooled.filter((s) => s.trend === UP).map((s) => s.tradeReturnPct)),
  };
}

/** Evenly spaced rows, at most `max`. */
function spaced<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  const step = rows.length / max;
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)] as T);
}

/**
 * What the artifact's `validation` holds, measured on the test rows of the model `fit` (and, with
 * `cvFolds`, over purged walk-forward folds of all the rows).
 */
export function validateModel(
  spec: ModelSpec,
  data: PreparedData,
  settings: TrainSettings,
  fit: CalibratedFit,
): ModelValidation {
  const { predictions, context } = fit;
  const actual = data.test.map((r) => actualOf(spec.target, r));
  const signals = judged(spec.target, data.test, predictions);
  const rightOf = (p: readonly MappedPrediction[]): number[] =>
    p.map((q, i) => (q.trend === actual[i] ? 1 : 0));
  const comparison = [
    { method: 'raw' as const, predictions: fit.raw },
    ...(['isotonic', 'platt'] as const).flatMap((method) => {
      const calibration = fit.calibrations[method];
      if (calibration === undefined) return [];
      const ctx = { ...context, calibration };
      return [
        {
          method,
          predictions: fit.outputs.map((o, i) =>
            mapPrediction(o, (data.test[i] as LabeledRow).features.close, ctx),
          ),
        },
      ];
    }),
  ].map(({ method, predictions: p }) => ({
    method,
    brier: brierScore(
      p.map((q) => q.confidence),
      rightOf(p),
    ),
    ece: expectedCalibrationError(
      p.map((q) => q.confidence),
      rightOf(p),
    ),
  }));
  const sample = spaced(data.test, settings.permutationRows);
  const sampleRight = sample.map((r) => actualOf(spec.target, r));
  return {
    comparison,
    reliability: {
      raw: reliabilityBins(
        fit.raw.map((p) => p.confidence),
        rightOf(fit.raw),
      ),
      calibrated: reliabilityBins(
        predictions.map((p) => p.confidence),
        rightOf(predictions),
      ),
    },
    tiers: scoreTiers(actionable(signals)),
    scores: scoresWithBaselines(spec, data.train, data.test, signals, settings),
    permutationImportance: permutationImportance(
      sample.map((r) => r.features.inputs),
      (inputs) => {
        const p = inputs.map((x, i) =>
          mapPrediction(
            fit.predictor.predict({
              inputs: x,
              previousMaCrossPct: (sample[i] as LabeledRow).features.previousMaCrossPct,
            }),
            (sample[i] as LabeledRow).features.close,
            context,
          ),
        );
        return brierScore(
          p.map((q) => q.confidence),
          p.map((q, i) => (q.trend === sampleRight[i] ? 1 : 0)),
        );
      },
    ),
    ...(settings.cvFolds > 0 ? { crossValidation: crossValidate(spec, data, settings) } : {}),
  };
}
