import type { MarketData } from '../contracts/index.ts';
import {
  slotOf,
  type EvaluationPoints,
  type ModelArtifact,
  type ModelKind,
  type ValueMetrics,
} from './artifact.ts';
import { saveArtifact } from './artifact-store.ts';
import type { Barriers } from './barrier-labels.ts';
import type { CalibrationMethod } from './calibration/confidence-calibration.ts';
import {
  DEFAULT_BARRIERS,
  FLAT,
  TREND_CLASSES,
  labelBars,
  walkForwardSplit,
  type LabeledRow,
  type Labels,
  type Target,
} from './dataset.ts';
import {
  FEATURE_DESCRIPTIONS,
  featureDefinitionFor,
  inferIntervalMs,
  warmupBars,
  type FeatureDefinition,
} from './features/feature-definition.ts';
import { actualOf, fitCalibrated } from './fit-model.ts';
import { classificationMetrics, meanAbsoluteError, r2Score } from './metrics.ts';
import { DEFAULT_BOOSTING_PARAMS, type BoostingParams } from './models/forest/boosted-trees.ts';
import type { ForestParams } from './models/forest/fast-forest.ts';
import type { SvmParams } from './models/linear-svm.ts';
import type { LogisticParams } from './models/logistic-regression.ts';
import type { MaRsiRuleParams } from './models/ma-rsi-rule.ts';
import type { MappedPrediction } from './signal-mapping.ts';
import { validateModel } from './validate-model.ts';

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
  /** Gradient boosting (`gradient_boosting:trend`); classWeight comes from `classWeight`. */
  readonly boosting: BoostingParams;
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
  boosting: DEFAULT_BOOSTING_PARAMS,
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

/** The fewest labelled rows a model is trained on. */
export const MIN_TRAINING_ROWS = 50;

/**
 * How many labelled rows bars give at most: per symbol, its bars after the features' warm-up and
 * before the horizon's end (a cheap count, to skip a fit that cannot happen).
 */
export function labelledRowsAtMost(bars: readonly MarketData[], settings: TrainSettings): number {
  const perSymbol = new Map<string, number[]>();
  for (const bar of bars) {
    const times = perSymbol.get(bar.symbol) ?? [];
    times.push(bar.timestamp);
    perSymbol.set(bar.symbol, times);
  }
  const first = [...perSymbol.values()][0];
  if (first === undefined) return 0;
  const definition = featureDefinitionFor(
    inferIntervalMs(first),
    settings.maxVolatilityBars === undefined ? {} : { maxVolatilityBars: settings.maxVolatilityBars },
  );
  const lost = warmupBars(definition) - 1 + settings.horizonBars;
  return [...perSymbol.values()].reduce((sum, times) => sum + Math.max(0, times.length - lost), 0);
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
  if (rows.length < MIN_TRAINING_ROWS)
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

const unitsOf = (spec: ModelSpec, settings: TrainSettings): number =>
  spec.model === 'ma_rsi_rule'
    ? 1
    : spec.model === 'gradient_boosting'
      ? settings.boosting.rounds
      : spec.model !== 'random_forest'
        ? 10
        : (spec.target === 'trend' ? settings.classificationForest : settings.regressionForest).nEstimators;

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
  const validation = validateModel(spec, data, settings, fit);
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

/**
 * Trains each model spec on the bars, without saving: the trainer service trains in a worker thread
 * and publishes the artifacts from its own thread.
 */
export function fitModels(options: Omit<TrainModelsOptions, 'modelsDir'>): Omit<ModelArtifact, 'version'>[] {
  const settings = { ...DEFAULT_TRAIN_SETTINGS, ...options.settings };
  const specs = options.specs ?? DEFAULT_MODEL_SPECS;
  const data = prepareData(options.bars, settings);
  const total = specs.reduce((s, spec) => s + unitsOf(spec, settings), 0);
  let before = 0;
  const fitted: Omit<ModelArtifact, 'version'>[] = [];
  for (const spec of specs) {
    const slot = slotOf(spec.model, spec.target, settings.horizonBars);
    options.onProgress?.({ slot, done: before, total });
    fitted.push(
      trainModel(spec, data, settings, (done) => options.onProgress?.({ slot, done: before + done, total })),
    );
    before += unitsOf(spec, settings);
  }
  return fitted;
}

/** Trains each model spec on the bars and saves each as the next version of its slot. */
export function trainModels(options: TrainModelsOptions): TrainedModel[] {
  return fitModels(options).map((artifact) => saveArtifact(options.modelsDir, artifact));
}

/** What `npm start` calls when no model exists: the default models with the default settings. */
export function trainDefaultModels(options: Omit<TrainModelsOptions, 'specs'>): TrainedModel[] {
  return trainModels(options);
}
