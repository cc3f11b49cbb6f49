import type { MarketData } from '../contracts/index.ts';
import {
  slotOf,
  type EvaluationPoints,
  type ModelArtifact,
  type ModelKind,
  type SerializedModel,
  type ValueMetrics,
} from './artifact.ts';
import { saveArtifact } from './artifact-store.ts';
import type { Barriers } from './barrier-labels.ts';
import { brierScore, expectedCalibrationError, reliabilityBins } from './calibration/calibration-scores.ts';
import {
  fitCalibration,
  type CalibrationMethod,
  type ConfidenceCalibration,
} from './calibration/confidence-calibration.ts';
import {
  DEFAULT_BARRIERS,
  FLAT,
  TREND_CLASSES,
  UP,
  labelBars,
  walkForwardSplit,
  type LabeledRow,
  type Labels,
  type Target,
} from './dataset.ts';
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
import {
  FEATURE_DESCRIPTIONS,
  featureDefinitionFor,
  inferIntervalMs,
  type FeatureDefinition,
} from './features/feature-definition.ts';
import { classificationMetrics, meanAbsoluteError, r2Score } from './metrics.ts';
import { FastRandomForest, type ForestParams } from './models/forest/fast-forest.ts';
import { MlRandomForest } from './models/forest/ml-forest.ts';
import { LinearSvm, type SvmParams } from './models/linear-svm.ts';
import { LogisticRegression, type LogisticParams } from './models/logistic-regression.ts';
import { MA_RSI_RULE, type MaRsiRuleParams } from './models/ma-rsi-rule.ts';
import { predictorOfModel, type Predictor } from './predictor.ts';
import {
  labelOf,
  mapPrediction,
  type MappedPrediction,
  type MappingContext,
  type RawPrediction,
} from './signal-mapping.ts';

/** A model to train: a family and what it predicts. */
export interface ModelSpec {
  readonly model: ModelKind;
  readonly target: Target;
}

export type ForestEngine = 'fast' | 'ml-random-forest';

export interface TrainSettings {
  /** Bars ahead the label is taken from. */
  readonly horizonBars: number;
  /** Trend band and BUY/SELL threshold, percent. */
  readonly bandPct: number;
  /** Latest share of the labelled rows held out for the out-of-sample metrics. */
  readonly testShare: number;
  readonly forestEngine: ForestEngine;
  readonly regressionForest: ForestParams;
  readonly classificationForest: ForestParams;
  readonly logistic: LogisticParams;
  readonly svm: SvmParams;
  /** Cap of the volatility_7d window, bars. */
  readonly maxVolatilityBars?: number;
  /** The MA/RSI rule's thresholds (default MA_RSI_RULE). */
  readonly rule?: Pick<MaRsiRuleParams, 'buyRsiBelow' | 'sellRsiAbove'>;
  /** What the trend classifiers learn: the ±band at the horizon, or the trade's barriers. */
  readonly labels: Labels;
  /** The barriers of `barrier` labels (the decision settings' stop-loss and take-profit). */
  readonly barriers: Barriers;
  /** `balanced`: classifiers weigh every class the same (forest: balanced bootstraps). */
  readonly classWeight: 'balanced' | 'none';
  /** How the confidence is calibrated, on the latest `calibrationShare` of the training rows. */
  readonly calibration: CalibrationMethod | 'none';
  readonly calibrationShare: number;
  /** Purged walk-forward folds scored into the artifact's validation (0: none, the fast default). */
  readonly cvFolds: number;
  /** Test rows (evenly spaced) the permutation importance is measured on. */
  readonly permutationRows: number;
}

/** Horizon 48 bars: 4 h of 5 m bars, where ±1.5% moves are frequent enough (~7% of bars) to learn. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  horizonBars: 48,
  bandPct: 1.5,
  testShare: 0.25,
  forestEngine: 'fast',
  regressionForest: {
    nEstimators: 100,
    maxDepth: 10,
    minSamplesLeaf: 20,
    maxFeatures: 0.33,
    maxSamples: 0.5,
    seed: 7,
  },
  classificationForest: {
    nEstimators: 100,
    maxDepth: 10,
    minSamplesLeaf: 20,
    maxFeatures: 0.33,
    maxSamples: 0.5,
    seed: 7,
  },
  logistic: { l2: 1e-3, iterations: 400, learningRate: 0.5 },
  svm: { C: 1, iterations: 300, learningRate: 0.05, calibrationShare: 0.2 },
  labels: 'band',
  barriers: DEFAULT_BARRIERS,
  classWeight: 'balanced',
  calibration: 'isotonic',
  calibrationShare: 0.2,
  cvFolds: 0,
  permutationRows: 1000,
};

/** The model list trained and served by default: every family on what it can predict. */
export const DEFAULT_MODEL_SPECS: readonly ModelSpec[] = [
  { model: 'random_forest', target: 'price' },
  { model: 'random_forest', target: 'price_change' },
  { model: 'random_forest', target: 'trend' },
  { model: 'logistic_regression', target: 'trend' },
  { model: 'svm', target: 'trend' },
];

/** Which targets each family supports: SVM, logistic regression and the rule are classifiers here. */
export const supportsTarget = (model: ModelKind, target: Target): boolean =>
  model === 'random_forest' || target === 'trend';

export interface TrainProgress {
  readonly slot: string;
  /** Work units done and total over the whole run (trees, or tenths of a linear model). */
  readonly done: number;
  readonly total: number;
}

/** The labelled rows and their split, built once and shared by the models of a run. */
export interface PreparedData {
  readonly definition: FeatureDefinition;
  readonly rows: LabeledRow[];
  readonly train: LabeledRow[];
  readonly test: LabeledRow[];
  readonly symbols: string[];
  readonly dataFrom: number;
  readonly dataTo: number;
}

export function prepareData(bars: readonly MarketData[], settings: TrainSettings): PreparedData {
  if (bars.length === 0) throw new RangeError('no bars to train on');
  const symbols = [...new Set(bars.map((b) => b.symbol))];
  const first = bars.filter((b) => b.symbol === symbols[0]).map((b) => b.timestamp);
  const definition = featureDefinitionFor(
    inferIntervalMs(first),
    settings.maxVolatilityBars === undefined ? {} : { maxVolatilityBars: settings.maxVolatilityBars },
  );
  const rows = labelBars(bars, definition, settings);
  if (rows.length < 50)
    throw new RangeError(`only ${rows.length} labelled rows: give more bars (warm-up and horizon take some)`);
  const { train, test } = walkForwardSplit(rows, settings.testShare);
  let dataFrom = Infinity;
  let dataTo = -Infinity;
  for (const bar of bars) {
    dataFrom = Math.min(dataFrom, bar.timestamp);
    dataTo = Math.max(dataTo, bar.timestamp);
  }
  return { definition, rows, train, test, symbols, dataFrom, dataTo };
}

const share = (rows: readonly LabeledRow[]): number[] =>
  TREND_CLASSES.map((_, k) => rows.filter((r) => r.trend === k).length / Math.max(1, rows.length));

/** Each class's mean change (band labels) or mean trade return (barrier labels) in the rows. */
function classMeans(
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
const actualOf = (target: Target, row: LabeledRow): number =>
  target === 'trend' ? row.trend : row.bandTrend;

/** Scores of predictions on the test rows. */
export function scoreOn(
  rows: readonly LabeledRow[],
  predictions: readonly MappedPrediction[],
  actual: readonly number[] = rows.map((r) => r.trend),
): ValueMetrics {
  const actualChange = rows.map((r) => r.changePct);
  const actualPrice = rows.map((r) => r.futureClose);
  const expected = predictions.map((p) => p.expectedChangePct);
  const price = predictions.map((p) => p.predictedValue);
  return {
    r2: r2Score(actualChange, expected),
    mae: meanAbsoluteError(actualPrice, price),
    maeChangePct: meanAbsoluteError(actualChange, expected),
    r2Price: r2Score(actualPrice, price),
    signal: classificationMetrics(
      TREND_CLASSES,
      actual,
      predictions.map((p) => p.trend),
    ),
  };
}

/** The naive baseline: the price stays where it is (expected change 0, always HOLD). */
export function lastPriceBaseline(rows: readonly LabeledRow[]): ValueMetrics {
  return scoreOn(
    rows,
    rows.map((r) => ({
      expectedChangePct: 0,
      predictedValue: r.features.close,
      confidence: 1,
      signal: 'HOLD' as const,
      trend: FLAT,
    })),
  );
}

function fitModel(
  spec: ModelSpec,
  rows: readonly LabeledRow[],
  settings: TrainSettings,
  onUnit: (done: number) => void,
): { serialized: SerializedModel; importances?: number[]; params: Record<string, unknown> } {
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
  const params = { ...settings.svm, classWeight };
  const model = LinearSvm.train(X, y, TREND_CLASSES.length, params);
  onUnit(10);
  return { serialized: { kind: 'svm', svm: model.toJSON() }, params: { ...params } };
}

const unitsOf = (spec: ModelSpec, settings: TrainSettings): number =>
  spec.model === 'ma_rsi_rule'
    ? 1
    : spec.model !== 'random_forest'
      ? 10
      : (spec.target === 'trend' ? settings.classificationForest : settings.regressionForest).nEstimators;

/** A model fitted on a training part, calibrated on its latest rows, and its predictions on a test part. */
interface CalibratedFit {
  readonly fitted: ReturnType<typeof fitModel>;
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
function fitCalibrated(
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

const judged = (
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
 * Trains one model on the training part of a walk-forward split and scores it on the rest: the
 * artifact's metrics are those of the very model it holds, out of sample.
 */
export function trainModel(
  spec: ModelSpec,
  data: PreparedData,
  settings: TrainSettings,
  onUnit: (done: number) => void = () => undefined,
): Omit<ModelArtifact, 'version'> {
  if (!supportsTarget(spec.model, spec.target))
    throw new RangeError(`${spec.model} predicts trend only (asked for ${spec.target})`);
  const started = performance.now();
  const fit = fitCalibrated(spec, data.train, data.test, settings, onUnit);
  const seconds = (performance.now() - started) / 1000;
  const { fitted, predictions, context } = fit;
  const actual = data.test.map((r) => actualOf(spec.target, r));
  const evaluation: EvaluationPoints = {
    time: data.test.map((r) => r.features.timestamp),
    close: data.test.map((r) => r.features.close),
    actualChangePct: data.test.map((r) => r.changePct),
    expectedChangePct: predictions.map((p) => p.expectedChangePct),
    confidence: predictions.map((p) => p.confidence),
  };
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
  const validation: ModelValidation = {
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
  const first = <T>(rows: readonly T[]): T => rows[0] as T;
  const last = <T>(rows: readonly T[]): T => rows.at(-1) as T;
  return {
    format: 'cml-model/1',
    slot: slotOf(spec.model, spec.target, settings.horizonBars),
    model: spec.model,
    target: spec.target,
    horizonBars: settings.horizonBars,
    bandPct: settings.bandPct,
    createdAt: new Date().toISOString(),
    training: {
      symbols: data.symbols,
      dataFrom: data.dataFrom,
      dataTo: data.dataTo,
      trainRows: data.train.length,
      testRows: data.test.length,
      trainFrom: first(data.train).features.timestamp,
      trainTo: last(data.train).features.timestamp,
      testFrom: first(data.test).features.timestamp,
      testTo: last(data.test).features.timestamp,
      seconds,
      params: fitted.params,
    },
    features: { ...data.definition, descriptions: { ...FEATURE_DESCRIPTIONS } },
    metrics: scoreOn(data.test, predictions, actual),
    baselines: { lastPrice: lastPriceBaseline(data.test) },
    classMeanChangePct: [...context.classMeanChangePct],
    classShares: { train: share(data.train), test: share(data.test) },
    ...(fitted.importances === undefined ? {} : { importances: fitted.importances }),
    evaluation,
    serialized: fitted.serialized,
    labeling: { labels: settings.labels, barriers: settings.barriers },
    ...(context.calibration === undefined ? {} : { calibration: context.calibration }),
    validation,
  };
}

export interface TrainModelsOptions {
  readonly bars: readonly MarketData[];
  readonly modelsDir: string;
  readonly specs?: readonly ModelSpec[];
  readonly settings?: Partial<TrainSettings>;
  readonly onProgress?: (progress: TrainProgress) => void;
}

export interface TrainedModel {
  readonly artifact: ModelArtifact;
  readonly path: string;
}

/** Trains each model spec on the bars and saves each as the next version of its slot. */
export function trainModels(options: TrainModelsOptions): TrainedModel[] {
  const settings = { ...DEFAULT_TRAIN_SETTINGS, ...options.settings };
  const specs = options.specs ?? DEFAULT_MODEL_SPECS;
  const data = prepareData(options.bars, settings);
  const total = specs.reduce((s, spec) => s + unitsOf(spec, settings), 0);
  let before = 0;
  const trained: TrainedModel[] = [];
  for (const spec of specs) {
    const slot = slotOf(spec.model, spec.target, settings.horizonBars);
    options.onProgress?.({ slot, done: before, total });
    const artifact = trainModel(spec, data, settings, (done) =>
      options.onProgress?.({ slot, done: before + done, total }),
    );
    before += unitsOf(spec, settings);
    trained.push(saveArtifact(options.modelsDir, artifact));
  }
  return trained;
}

/** What `npm start` calls when no model exists: the default models with the default settings. */
export function trainDefaultModels(options: Omit<TrainModelsOptions, 'specs'>): TrainedModel[] {
  return trainModels(options);
}
