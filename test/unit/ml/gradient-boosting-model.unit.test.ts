import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CmlError } from '../../../src/errors/index.ts';
import {
  DEFAULT_BOOSTING_PARAMS,
  DEFAULT_MODEL_SPECS,
  DEFAULT_TRAIN_SETTINGS,
  GradientBoostedTrees,
  TREND_CLASSES,
  chooseModels,
  classificationMetrics,
  loadModel,
  predictorOfModel,
  prepareData,
  readArtifact,
  trainModels,
  type TrainSettings,
} from '../../../src/ml/index.ts';
import { fixtureBars } from './fixture-bars.ts';

const settings: Partial<TrainSettings> = { boosting: { ...DEFAULT_BOOSTING_PARAMS, rounds: 15 } };

describe('gradient_boosting as a model kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cml-gbdt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is trained, saved and loaded back into the same predictions and metrics', { timeout: 60_000 }, () => {
    const bars = fixtureBars();
    const [trained] = trainModels({
      bars,
      modelsDir: dir,
      settings,
      specs: [{ model: 'gradient_boosting', target: 'trend' }],
    });
    expect(trained?.artifact.version).toBe('gradient_boosting-trend-h48.v1');
    const artifact = readArtifact(trained?.path ?? '');
    if (artifact.serialized.kind !== 'gradient_boosting') throw new Error('not a boosted model');
    expect(artifact.serialized.boosting.trees).toHaveLength(15 * 3);
    expect(artifact.training.params).toMatchObject({ rounds: 15, classWeight: 'balanced' });

    const data = prepareData(bars, { ...DEFAULT_TRAIN_SETTINGS, ...settings });
    const model = loadModel(artifact);
    const predictions = data.test.map((r) => model.predict(r.features));
    expect(predictions.map((p) => p.confidence)).toEqual(artifact.evaluation.confidence);
    expect(artifact.metrics.signal).toEqual(
      classificationMetrics(
        TREND_CLASSES,
        data.test.map((r) => r.trend),
        predictions.map((p) => p.trend),
      ),
    );
    // The predictor gives the boosted trees' own probabilities.
    const boosted = GradientBoostedTrees.load(artifact.serialized.boosting);
    const predictor = predictorOfModel(artifact.serialized);
    for (const row of data.test.slice(0, 200)) {
      const raw = predictor.predict(row.features);
      if (raw.kind !== 'classification') throw new Error('not a classification');
      expect(raw.probabilities).toEqual(boosted.classify(row.features.inputs));
    }
  });

  it('is chosen for the trend target only, and never by default', () => {
    expect(chooseModels([], { models: ['gradient_boosting:trend'], rule: false })).toEqual([
      'gradient_boosting:trend',
    ]);
    expect(() => chooseModels([], { models: ['gradient_boosting:price'], rule: false })).toThrow(CmlError);
    expect(DEFAULT_MODEL_SPECS.map((s) => s.model)).not.toContain('gradient_boosting');
  });
});
