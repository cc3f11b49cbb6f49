/**
 * The ML stage's library: features (incremental, per symbol), targets (band or triple-barrier
 * labels) and the walk-forward split,
 * the models (a histogram random forest, ml-random-forest behind the same interface, gradient boosted
 * trees (optional, not a default), multinomial
 * logistic regression, a linear SVM with Platt scaling), the mapping of predictions to signals,
 * confidence calibration, training with out-of-sample metrics, baselines, confidence tiers and
 * purged walk-forward cross-validation, versioned artifacts, and the HTML report.
 */
export {
  FEATURE_COLUMNS,
  FEATURE_DESCRIPTIONS,
  MAX_VOLATILITY_BARS,
  definitionKey,
  featureDefinitionFor,
  inferIntervalMs,
  warmupBars,
  type FeatureColumn,
  type FeatureDefinition,
} from './features/feature-definition.ts';
export { SymbolFeatures, type CompactBar, type FeatureVector } from './features/symbol-features.ts';
export {
  DEFAULT_BARRIERS,
  DOWN,
  FLAT,
  LABELS,
  TARGETS,
  TREND_CLASSES,
  UP,
  labelBars,
  trendOf,
  walkForwardSplit,
  type LabeledRow,
  type Labeling,
  type Labels,
  type Target,
  type WalkForwardSplit,
} from './dataset.ts';
export { barrierOutcome, type BarrierBar, type BarrierOutcome, type Barriers } from './barrier-labels.ts';
export {
  CALIBRATION_METHODS,
  calibratedConfidence,
  fitCalibration,
  type CalibrationMethod,
  type ConfidenceCalibration,
  type ScoredPrediction,
} from './calibration/confidence-calibration.ts';
export { applyIsotonic, fitIsotonic, type IsotonicMap } from './calibration/isotonic.ts';
export {
  brierScore,
  expectedCalibrationError,
  reliabilityBins,
  type ReliabilityBin,
} from './calibration/calibration-scores.ts';
export { bootstrapMean, type MeanInterval } from './evaluation/bootstrap.ts';
export {
  MIN_TIER_SIGNALS,
  SPEC_TIERS,
  scoreTiers,
  tierLabels,
  tierOf,
  tierVerdict,
  type TierBounds,
  type TierScore,
} from './evaluation/confidence-tiers.ts';
export type {
  CalibrationComparison,
  CrossValidation,
  FoldResult,
  ModelValidation,
  ScoresWithBaselines,
  Spread,
} from './evaluation/model-validation.ts';
export { permutationImportance } from './evaluation/permutation-importance.ts';
export { purgedFolds, type Fold, type FoldOptions } from './evaluation/purged-folds.ts';
export {
  alwaysHold,
  randomAtRate,
  scoreSignals,
  type JudgedSignal,
  type SignalScores,
} from './evaluation/signal-scores.ts';
export { classificationMetrics, meanAbsoluteError, r2Score, type ClassificationMetrics } from './metrics.ts';
export {
  MODEL_KINDS,
  activeFromOf,
  reportedScores,
  slotOf,
  versionNumberOf,
  type ArtifactProvenance,
  type ModelArtifact,
  type ModelKind,
  type SerializedModel,
  type ValueMetrics,
} from './artifact.ts';
export {
  latestArtifacts,
  listArtifacts,
  readArtifact,
  saveArtifact,
  type StoredArtifact,
} from './artifact-store.ts';
export { loadModel, predictorOfModel, type LoadedModel, type Predictor } from './predictor.ts';
export {
  changeOf,
  labelOf,
  mapPrediction,
  signalOf,
  type MappedPrediction,
  type MappingContext,
  type RawPrediction,
} from './signal-mapping.ts';
export {
  DEFAULT_MODEL_SPECS,
  DEFAULT_TRAIN_SETTINGS,
  MIN_TRAINING_ROWS,
  fitModels,
  labelledRowsAtMost,
  lastPriceBaseline,
  prepareData,
  scoreOn,
  supportsTarget,
  trainDefaultModels,
  trainModel,
  trainModels,
  type ForestEngine,
  type ModelSpec,
  type PreparedData,
  type TrainModelsOptions,
  type TrainProgress,
  type TrainSettings,
  type TrainedModel,
} from './train.ts';
export { calibratedPredictions, crossValidate, validateModel } from './validate-model.ts';
export { FastRandomForest, type ForestParams } from './models/forest/fast-forest.ts';
export { MlRandomForest } from './models/forest/ml-forest.ts';
export {
  DEFAULT_BOOSTING_PARAMS,
  GradientBoostedTrees,
  type BoostingParams,
  type SerializedBoostedTrees,
} from './models/forest/boosted-trees.ts';
export { LogisticRegression } from './models/logistic-regression.ts';
export { LinearSvm, fitPlatt } from './models/linear-svm.ts';
export { readBarsFile } from './bars-file.ts';
export { codeVersion, type CodeVersion } from './code-version.ts';
export { modelSpecsOf, modelsDirOf, servedSlotsOf, trainSettingsOf } from './ml-config.ts';
export { RULE_MODEL, chooseModels } from './model-choice.ts';
export { renderModelReport } from './report.ts';
export { versionRows, type VersionRow, type VersionStatus } from './model-versions.ts';
