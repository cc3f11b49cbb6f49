import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarketData } from '../../../src/contracts/index.ts';
import {
  DEFAULT_TRAIN_SETTINGS,
  trainModels,
  type ModelSpec,
  type TrainSettings,
} from '../../../src/ml/index.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';

const small = {
  nEstimators: 10,
  maxDepth: 5,
  minSamplesLeaf: 20,
  maxFeatures: 0.33,
  maxSamples: 0.5,
  seed: 1,
};
export const SMALL_SETTINGS: Partial<TrainSettings> = {
  regressionForest: small,
  classificationForest: small,
  logistic: { ...DEFAULT_TRAIN_SETTINGS.logistic, iterations: 60 },
  svm: { ...DEFAULT_TRAIN_SETTINGS.svm, iterations: 60 },
};

/** Small models of every kind trained on the first 6,000 fixture bars, in a new models directory. */
export function trainSmallModels(
  specs?: readonly ModelSpec[],
  modelsDir = mkdtempSync(join(tmpdir(), 'cml-models-')),
  bars: readonly MarketData[] = fixtureBars().slice(0, 6000),
): string {
  trainModels({ bars, modelsDir, settings: SMALL_SETTINGS, ...(specs === undefined ? {} : { specs }) });
  return modelsDir;
}
