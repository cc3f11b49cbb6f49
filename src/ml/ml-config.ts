import { resolve } from 'node:path';
import type { Config } from '../config/index.ts';
import type { ModelKind } from './artifact.ts';
import type { Target } from './dataset.ts';
import { DEFAULT_TRAIN_SETTINGS, type ModelSpec, type TrainSettings } from './train.ts';
import { slotOf } from './artifact.ts';

/** The models directory: `ml.modelsDir`, or `<dataDir>/models`. */
export const modelsDirOf = (config: Config): string =>
  resolve(config.ml.modelsDir ?? resolve(config.dataDir, 'models'));

/** The configured model list as specs. */
export const modelSpecsOf = (config: Config): ModelSpec[] =>
  config.ml.models.map((entry) => {
    const [model, target] = entry.split(':') as [ModelKind, Target];
    return { model, target };
  });

/** The slots the processor serves: the configured models at the configured horizon. */
export const servedSlotsOf = (config: Config): string[] =>
  modelSpecsOf(config).map((spec) => slotOf(spec.model, spec.target, config.ml.horizonBars));

/** Training settings from the configuration (the rest are the defaults). */
export function trainSettingsOf(config: Config): TrainSettings {
  const forest = { nEstimators: config.ml.trees, maxDepth: config.ml.maxDepth };
  return {
    ...DEFAULT_TRAIN_SETTINGS,
    horizonBars: config.ml.horizonBars,
    bandPct: config.ml.bandPct,
    testShare: config.ml.testShare,
    forestEngine: config.ml.forestEngine,
    labels: config.ml.labels,
    barriers: { stopLossPct: config.decision.stopLossPct, takeProfitPct: config.decision.takeProfitPct },
    classWeight: config.ml.classWeight,
    calibration: config.ml.calibration,
    cvFolds: config.ml.cvFolds,
    rule: { buyRsiBelow: config.ml.rule.buyRsiBelow, sellRsiAbove: config.ml.rule.sellRsiAbove },
    regressionForest: { ...DEFAULT_TRAIN_SETTINGS.regressionForest, ...forest },
    classificationForest: { ...DEFAULT_TRAIN_SETTINGS.classificationForest, ...forest },
  };
}
