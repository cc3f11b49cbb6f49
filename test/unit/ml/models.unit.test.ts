import { describe, expect, it } from 'vitest';
import {
  FastRandomForest,
  LinearSvm,
  LogisticRegression,
  MlRandomForest,
  fitPlatt,
} from '../../../src/ml/index.ts';

/** A seeded toy problem: y = 3 x0 + sin(3 x1), classes by thresholds of y. */
function toy(n: number, seed: number) {
  let s = seed;
  const r = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const X = Array.from({ length: n }, () => Float64Array.from({ length: 5 }, r));
  const y = X.map((x) => 3 * (x[0] as number) + Math.sin(3 * (x[1] as number)));
  const cls = y.map((v) => (v < 1.2 ? 0 : v < 2.4 ? 1 : 2));
  return { X, y, cls };
}

const params = { nEstimators: 30, maxDepth: 8, minSamplesLeaf: 2, maxFeatures: 0.6, maxSamples: 1, seed: 3 };

describe('models', () => {
  const train = toy(1500, 11);
  const test = toy(400, 99);

  it('the fast forest regresses at least as well as ml-random-forest', () => {
    const fast = FastRandomForest.train(train.X, train.y, 0, params);
    const ml = MlRandomForest.train(train.X.slice(0, 500), train.y.slice(0, 500), 0, {
      ...params,
      nEstimators: 10,
    });
    const mse = (f: (x: Float64Array) => number) =>
      test.X.reduce((s, x, i) => s + (f(x) - (test.y[i] as number)) ** 2, 0) / test.X.length;
    const mean = (m: Float64Array) => m.reduce((a, b) => a + b, 0) / m.length;
    const fastMse = mse((x) => mean(fast.members(x)));
    const mlMse = mse((x) => mean(ml.members(x)));
    expect(fastMse).toBeLessThan(0.05);
    expect(mlMse).toBeLessThan(0.4);
    expect(fastMse).toBeLessThan(mlMse);
    expect(fast.importances[0]).toBeGreaterThan(fast.importances[4] as number);
  });

  it('the fast forest classifies, with vote shares, and survives a JSON round trip', () => {
    const forest = FastRandomForest.train(train.X, train.cls, 3, params);
    const loaded = FastRandomForest.load(
      JSON.parse(JSON.stringify(forest.toJSON())) as ReturnType<typeof forest.toJSON>,
    );
    let correct = 0;
    for (const [i, x] of test.X.entries()) {
      const { votes, probabilities } = loaded.classify(x);
      expect(votes.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const best = votes.indexOf(Math.max(...votes));
      if (best === test.cls[i]) correct++;
      expect(Array.from(forest.classify(x).votes)).toEqual(Array.from(votes));
    }
    expect(correct / test.X.length).toBeGreaterThan(0.9);
  });

  it('logistic regression and the linear SVM learn a linear boundary with calibrated probabilities', () => {
    const y = train.X.map((x) => ((x[0] as number) + 0.5 * (x[2] as number) > 0.75 ? 2 : 1));
    const yt = test.X.map((x) => ((x[0] as number) + 0.5 * (x[2] as number) > 0.75 ? 2 : 1));
    const lr = LogisticRegression.train(train.X, y, 3, { l2: 1e-4, iterations: 300, learningRate: 0.5 });
    const svm = LinearSvm.train(train.X, y, 3, {
      C: 10,
      iterations: 300,
      learningRate: 0.05,
      calibrationShare: 0.2,
    });
    for (const model of [lr, LogisticRegression.load(lr.toJSON()), svm, LinearSvm.load(svm.toJSON())]) {
      let correct = 0;
      for (const [i, x] of test.X.entries()) {
        const p = model.probabilities(x);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        if (p.indexOf(Math.max(...p)) === yt[i]) correct++;
      }
      expect(correct / test.X.length).toBeGreaterThan(0.93);
    }
  });

  it('Platt scaling maps decision values to the observed frequencies', () => {
    // P(positive | f) = sigmoid(2 f): sampled, then recovered.
    let s = 5;
    const r = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    const f = Array.from({ length: 4000 }, () => r() * 4 - 2);
    const positive = f.map((v) => r() < 1 / (1 + Math.exp(-2 * v)));
    const { a, b } = fitPlatt(f, positive);
    expect(a).toBeCloseTo(-2, 0);
    expect(Math.abs(b)).toBeLessThan(0.2);
  });
});
