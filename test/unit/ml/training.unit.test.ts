import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TRAIN_SETTINGS,
  TREND_CLASSES,
  classificationMetrics,
  latestArtifacts,
  loadModel,
  meanAbsoluteError,
  prepareData,
  r2Score,
  readArtifact,
  reportedScores,
  trainModels,
  type TrainSettings,
} from '../../../src/ml/index.ts';
import { fixtureBars } from './fixture-bars.ts';

/** A small forest for CI: seconds on the shared 11k-bar file. */
const small = {
  nEstimators: 20,
  maxDepth: 6,
  minSamplesLeaf: 20,
  maxFeatures: 0.33,
  maxSamples: 0.5,
  seed: 1,
};
const settings: Partial<TrainSettings> = {
  regressionForest: small,
  classificationForest: small,
  logistic: { ...DEFAULT_TRAIN_SETTINGS.logistic, iterations: 150 },
  svm: { ...DEFAULT_TRAIN_SETTINGS.svm, iterations: 150 },
};

describe('training on the shared BTCUSDT 5m data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cml-models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'saves versioned artifacts whose metrics match a recomputation from the saved model',
    { timeout: 60_000 },
    () => {
      const bars = fixtureBars();
      const progress: number[] = [];
      const started = performance.now();
      const trained = trainModels({
        bars,
        modelsDir: dir,
        settings,
        onProgress: (p) => progress.push(p.done / p.total),
      });
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(trained.map((t) => t.artifact.version)).toEqual([
        'random_forest-price-h48.v1',
        'random_forest-price_change-h48.v1',
        'random_forest-trend-h48.v1',
        'logistic_regression-trend-h48.v1',
        'svm-trend-h48.v1',
      ]);
      expect(progress.at(-1)).toBe(1);

      // Recompute from the files alone: same split, the saved model's predictions, same metrics.
      const data = prepareData(bars, { ...DEFAULT_TRAIN_SETTINGS, ...settings });
      for (const { path } of trained) {
        const artifact = readArtifact(path);
        expect(artifact.training.testFrom).toBe(data.test[0]?.features.timestamp);
        expect(artifact.training.trainTo).toBeLessThan(artifact.training.testFrom);
        const model = loadModel(artifact);
        const predictions = data.test.map((r) => model.predict(r.features));
        const change = data.test.map((r) => r.changePct);
        const price = data.test.map((r) => r.futureClose);
        expect(artifact.metrics.r2).toBeCloseTo(
          r2Score(
            change,
            predictions.map((p) => p.expectedChangePct),
          ),
          10,
        );
        expect(artifact.metrics.mae).toBeCloseTo(
          meanAbsoluteError(
            price,
            predictions.map((p) => p.predictedValue),
          ),
          8,
        );
        expect(artifact.metrics.r2Price).toBeCloseTo(
          r2Score(
            price,
            predictions.map((p) => p.predictedValue),
          ),
          10,
        );
        const signal = classificationMetrics(
          TREND_CLASSES,
          data.test.map((r) => r.trend),
          predictions.map((p) => p.trend),
        );
        expect(artifact.metrics.signal).toEqual(signal);
        // The naive baseline: no change, always HOLD.
        expect(artifact.baselines.lastPrice.mae).toBeCloseTo(
          meanAbsoluteError(
            price,
            data.test.map((r) => r.features.close),
          ),
          8,
        );
        expect(artifact.baselines.lastPrice.signal.accuracy).toBeCloseTo(
          data.test.filter((r) => r.trend === 1).length / data.test.length,
          12,
        );
        const scores = reportedScores(artifact);
        expect(Number.isFinite(scores.r2) && scores.mae > 0).toBe(true);
        // The served confidence is the calibrated one the validation measured, and calibration helped.
        expect(artifact.calibration?.method).toBe('isotonic');
        expect(predictions.map((p) => p.confidence)).toEqual(artifact.evaluation.confidence);
        const compared = artifact.validation?.comparison ?? [];
        const rawBrier = compared.find((c) => c.method === 'raw')?.brier ?? 0;
        const isotonicBrier = compared.find((c) => c.method === 'isotonic')?.brier ?? 1;
        if (artifact.model !== 'svm') expect(isotonicBrier).toBeLessThan(rawBrier);
        expect(artifact.validation?.tiers.map((t) => t.label)).toEqual(['≥ 0.8', '0.6 – 0.8', '< 0.6']);
      }
    },
  );

  it('a second run adds new versions; the latest of each slot is found', () => {
    trainModels({
      bars: fixtureBars(),
      modelsDir: dir,
      specs: [{ model: 'random_forest', target: 'trend' }],
      settings,
    });
    const latest = latestArtifacts(dir);
    expect(latest.get('random_forest-trend-h48')?.version).toBe(2);
    expect(latest.get('svm-trend-h48')?.version).toBe(1);
  });
});
