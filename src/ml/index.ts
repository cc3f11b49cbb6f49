/**
 * The ML stage's library: features (incremental, per symbol), targets and the walk-forward split,
 * the models (a histogram random forest, ml-random-forest behind the same interface, multinomial
 * logistic regression, a linear SVM with Platt scaling), the mapping of predictions to signals,
 * training with out-of-sample metrics and baselines, versioned artifacts, and the HTML report.
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
  TARGETS,
  TREND_CLASSES,
  labelBars,
  trendOf,
  walkForwardSplit,
  type LabeledRow,
  type Labeling,
  type Target,
  type WalkForwardSplit,
} from './dataset.ts';
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
export { FastRandomForest, type ForestParams } from './models/forest/fast-forest.ts';
export { MlRandomForest } from './models/forest/ml-forest.ts';
export { LogisticRegression } from './models/logistic-regression.ts';
export { LinearSvm, fitPlatt } from './models/linear-svm.ts';
export { readBarsFile } from './bars-file.ts';
export { codeVersion, type CodeVersion } from './code-version.ts';
export { modelSpecsOf, modelsDirOf, servedSlotsOf, trainSettingsOf } from './ml-config.ts';
export { RULE_MODEL, chooseModels } from './model-choice.ts';
export { renderModelReport } from './report.ts';
export { versionRows, type VersionRow, type VersionStatus } from './model-versions.ts';
