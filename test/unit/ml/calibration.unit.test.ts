import { describe, expect, it } from 'vitest';
import {
  FastRandomForest,
  LogisticRegression,
  applyIsotonic,
  brierScore,
  calibratedConfidence,
  expectedCalibrationError,
  fitCalibration,
  fitIsotonic,
  mapPrediction,
  type ScoredPrediction,
} from '../../../src/ml/index.ts';
import { seededRandom } from '../../../src/ml/random.ts';

/** A classifier whose confidence c is over-confident: it is right with probability c². */
function overconfident(n: number, seed: number): { predictions: ScoredPrediction[]; truth: number[] } {
  const random = seededRandom(seed);
  const predictions: ScoredPrediction[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const confidence = random();
    const p = confidence * confidence;
    truth.push(p);
    predictions.push({ trend: i % 3, confidence, right: random() < p });
  }
  return { predictions, truth };
}

const rightOf = (p: readonly ScoredPrediction[]): number[] => p.map((q) => (q.right ? 1 : 0));

describe('confidence calibration', () => {
  const fit = overconfident(6000, 1);
  const held = overconfident(6000, 2);
  const raw = held.predictions.map((p) => p.confidence);
  const rawBrier = brierScore(raw, rightOf(held.predictions));
  const bestBrier = brierScore(held.truth, rightOf(held.predictions));

  for (const method of ['isotonic', 'platt'] as const)
    it(`${method} improves the Brier score on held-out rows with known probabilities`, () => {
      const calibration = fitCalibration(method, fit.predictions, 3);
      const calibrated = held.predictions.map((p) =>
        calibratedConfidence(calibration, p.trend, p.confidence),
      );
      const brier = brierScore(calibrated, rightOf(held.predictions));
      expect(brier).toBeLessThan(rawBrier - 0.02);
      // Close to the Brier score of the true probabilities, the best any confidence can do.
      expect(brier - bestBrier).toBeLessThan(0.005);
      expect(expectedCalibrationError(calibrated, rightOf(held.predictions))).toBeLessThan(
        expectedCalibrationError(raw, rightOf(held.predictions)) / 3,
      );
    });

  it('isotonic regression is non-decreasing and fits block means (pool adjacent violators)', () => {
    const map = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(map.value).toEqual([0, 0.5, 1]);
    expect(applyIsotonic(map, 0.05)).toBe(0);
    expect(applyIsotonic(map, 0.25)).toBe(0.5);
    expect(applyIsotonic(map, 0.9)).toBe(1);
    const random = seededRandom(4);
    const big = fitIsotonic(
      Array.from({ length: 500 }, () => random()),
      Array.from({ length: 500 }, () => (random() < 0.5 ? 1 : 0)),
    );
    for (let b = 1; b < big.value.length; b++)
      expect(big.value[b] as number).toBeGreaterThanOrEqual(big.value[b - 1] as number);
  });

  it('a class predicted too rarely uses the pooled map', () => {
    const predictions = fit.predictions.map((p, i) => ({ ...p, trend: i < 10 ? 2 : 1 }));
    const calibration = fitCalibration('isotonic', predictions, 3);
    expect(calibration.predicted).toEqual([0, predictions.length - 10, 10]);
    expect(calibration.perClass[0]).toBe(calibration.perClass[2]);
    expect(calibration.perClass[1]).not.toBe(calibration.perClass[0]);
  });

  it('the mapping serves the calibrated confidence and keeps the class the model chose', () => {
    const calibration = fitCalibration('isotonic', fit.predictions, 3);
    const raw = {
      kind: 'classification' as const,
      probabilities: Float64Array.from([0.1, 0.2, 0.7]),
      votes: undefined,
    };
    const context = { target: 'trend' as const, thresholdPct: 1.5, classMeanChangePct: [-2, 0, 2] };
    const plain = mapPrediction(raw, 100, context);
    const served = mapPrediction(raw, 100, { ...context, calibration });
    expect(served.trend).toBe(plain.trend);
    expect(served.confidence).toBe(calibratedConfidence(calibration, 2, 0.7));
    expect(served.confidence).toBeLessThan(0.6);
  });
});

/** About 94% flat rows: up on 30% of the rows with x0 > 0.9, down on 30% of those with x0 < 0.1. */
function imbalanced(n: number, seed: number): { X: Float64Array[]; y: number[] } {
  const random = seededRandom(seed);
  const X: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from([random(), random(), random()]);
    const edge = x[0] as number;
    const up = edge > 0.9 && random() < 0.3;
    const down = edge < 0.1 && random() < 0.3;
    X.push(x);
    y.push(up ? 2 : down ? 0 : 1);
  }
  return { X, y };
}

describe('class balance', () => {
  const { X, y } = imbalanced(4000, 9);
  const test = imbalanced(2000, 10);
  const predicted = (classify: (x: Float64Array) => Float64Array): number[] =>
    test.X.map((x) => {
      const p = classify(x);
      return p.indexOf(Math.max(...p));
    });
  const forestParams = {
    nEstimators: 30,
    maxDepth: 6,
    minSamplesLeaf: 20,
    maxFeatures: 1,
    maxSamples: 0.5,
    seed: 1,
  };

  it('the forest without balance never leaves flat; with balanced bootstraps it calls up and down', () => {
    const plain = FastRandomForest.train(X, y, 3, forestParams);
    const balanced = FastRandomForest.train(X, y, 3, { ...forestParams, classWeight: 'balanced' });
    const before = predicted((x) => plain.classify(x).votes);
    const after = predicted((x) => balanced.classify(x).votes);
    expect(before.filter((k) => k !== 1)).toHaveLength(0);
    expect(after.filter((k) => k === 2).length).toBeGreaterThan(20);
    expect(after.filter((k) => k === 0).length).toBeGreaterThan(20);
  });

  it('logistic regression with balanced weights calls up and down', () => {
    const params = { l2: 1e-3, iterations: 200, learningRate: 0.5 };
    const plain = LogisticRegression.train(X, y, 3, params);
    const balanced = LogisticRegression.train(X, y, 3, { ...params, classWeight: 'balanced' });
    expect(predicted((x) => plain.probabilities(x)).filter((k) => k !== 1)).toHaveLength(0);
    const after = predicted((x) => balanced.probabilities(x));
    expect(after.filter((k) => k === 2).length).toBeGreaterThan(20);
    expect(after.filter((k) => k === 0).length).toBeGreaterThan(20);
  });
});
