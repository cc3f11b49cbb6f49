import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogisticRegression } from '../../../src/ml/models/logistic-regression.ts';
import { binFeatures } from '../../../src/ml/models/forest/binning.ts';
import {
  DEFAULT_BOOSTING_PARAMS,
  GradientBoostedTrees,
  type BoostingParams,
} from '../../../src/ml/models/forest/boosted-trees.ts';
import { growGradientTree } from '../../../src/ml/models/forest/gradient-tree.ts';
import type { FlatTree } from '../../../src/ml/models/forest/histogram-tree.ts';
import { seededRandom } from '../../../src/ml/random.ts';
import { leafOf } from '../../support/tree-walk.ts';

const params = (over: Partial<BoostingParams> = {}): BoostingParams => ({
  ...DEFAULT_BOOSTING_PARAMS,
  rounds: 40,
  maxLeaves: 8,
  minSamplesLeaf: 5,
  ...over,
});

function points(n: number, seed: number, features = 3): Float64Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: features }, () => random() * 2 - 1));
}

/** Class 1 when exactly one of the first two inputs is positive: no line separates the classes. */
const xor = (x: Float64Array): number => ((x[0] as number) > 0 !== (x[1] as number) > 0 ? 1 : 0);

/** Three classes in bands of x0, the middle one split again by x1. */
const bands = (x: Float64Array): number =>
  (x[0] as number) < -0.3 ? 0 : (x[0] as number) > 0.3 ? 2 : (x[1] as number) > 0 ? 1 : 0;

const argmax = (p: Float64Array): number => p.indexOf(Math.max(...p));

function accuracy(model: { classify(x: Float64Array): Float64Array }, rows: Float64Array[], y: number[]) {
  return rows.filter((x, i) => argmax(model.classify(x)) === y[i]).length / rows.length;
}

/** A single-output tree's value for x (its leaf by the definition). */
const leafValue = (tree: FlatTree, x: ArrayLike<number>): number => tree.values[leafOf(tree, x)] as number;

describe('gradient-histogram tree', () => {
  it('splits where the gradients change sign and gives each leaf -G / (H + lambda) x learning rate', () => {
    const rows = Array.from({ length: 40 }, (_, i) => Float64Array.of(i));
    const binned = binFeatures(rows, 1);
    const gradient = Float64Array.from(rows, (x) => ((x[0] as number) < 10 ? -1 : 0.5));
    const hessian = Float64Array.from(rows, (x) => ((x[0] as number) < 10 ? 0.25 : 0.5));
    const importance = new Float64Array(1);
    const tree = growGradientTree(
      { binned, gradient, hessian },
      Int32Array.from(rows, (_, i) => i),
      { maxLeaves: 2, maxDepth: 3, minSamplesLeaf: 1, minHessianLeaf: 0, lambda: 1, learningRate: 0.1 },
      importance,
    );
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(9.5);
    // Left: 10 rows, G = -10, H = 2.5; right: 30 rows, G = 15, H = 15.
    expect(leafValue(tree, [0])).toBeCloseTo((10 / 3.5) * 0.1, 12);
    expect(leafValue(tree, [39])).toBeCloseTo((-15 / 16) * 0.1, 12);
    // Gain: 100 / 3.5 + 225 / 16 - 25 / 18.5.
    expect(importance[0]).toBeCloseTo(100 / 3.5 + 225 / 16 - 25 / 18.5, 9);
  });

  it('gives a leaf with no hessian and lambda 0 the value 0, not NaN', () => {
    const rows = Array.from({ length: 10 }, (_, i) => Float64Array.of(i));
    const tree = growGradientTree(
      { binned: binFeatures(rows, 1), gradient: new Float64Array(10), hessian: new Float64Array(10) },
      Int32Array.from(rows, (_, i) => i),
      { maxLeaves: 4, maxDepth: 3, minSamplesLeaf: 1, minHessianLeaf: 0, lambda: 0, learningRate: 0.1 },
      new Float64Array(1),
    );
    expect(Array.from(tree.values)).toEqual([0]);
  });

  it('grows no more leaves than maxLeaves and no deeper than maxDepth', () => {
    const rows = points(500, 3);
    const binned = binFeatures(rows, 3);
    const random = seededRandom(4);
    const gradient = Float64Array.from(rows, () => random() * 2 - 1);
    const hessian = new Float64Array(rows.length).fill(1);
    const depthOf = (tree: FlatTree, node: number): number =>
      (tree.feature[node] as number) < 0
        ? 0
        : 1 + Math.max(depthOf(tree, tree.left[node] as number), depthOf(tree, tree.right[node] as number));
    for (const [maxLeaves, maxDepth] of [
      [5, 10],
      [64, 3],
    ] as const) {
      const tree = growGradientTree(
        { binned, gradient, hessian },
        Int32Array.from(rows, (_, i) => i),
        { maxLeaves, maxDepth, minSamplesLeaf: 1, minHessianLeaf: 0, lambda: 0, learningRate: 1 },
        new Float64Array(3),
      );
      const leaves = Array.from(tree.feature).filter((f) => f < 0).length;
      expect(leaves).toBe(Math.min(maxLeaves, 2 ** maxDepth));
      expect(depthOf(tree, 0)).toBeLessThanOrEqual(maxDepth);
    }
  });
});

describe('gradient boosted trees', () => {
  it('learns XOR out of sample, where a linear model stays at chance', () => {
    const train = points(600, 1);
    const test = points(600, 2);
    const y = train.map(xor);
    const yTest = test.map(xor);
    const model = GradientBoostedTrees.train(train, y, 2, params());
    const linear = LogisticRegression.train(train, y, 2, { l2: 1e-3, iterations: 300, learningRate: 0.5 });
    expect(accuracy(model, test, yTest)).toBeGreaterThan(0.95);
    expect(accuracy({ classify: (x) => linear.probabilities(x) }, test, yTest)).toBeLessThan(0.65);
  });

  it('learns three classes out of sample', () => {
    const train = points(900, 5);
    const test = points(600, 6);
    const model = GradientBoostedTrees.train(train, train.map(bands), 3, params());
    expect(accuracy(model, test, test.map(bands))).toBeGreaterThan(0.95);
  });

  it('lowers the training log loss every round, from the class priors', () => {
    const train = points(600, 7);
    const y = train.map(bands);
    const losses: number[] = [];
    GradientBoostedTrees.train(train, y, 3, params({ subsample: 0.8 }), (_, __, loss) => losses.push(loss()));
    const prior = [0, 1, 2].map((k) => y.filter((v) => v === k).length / y.length);
    const priorLoss = -y.reduce((s, k) => s + Math.log(prior[k] as number), 0) / y.length;
    expect(losses).toHaveLength(40);
    expect(losses[0]).toBeLessThan(priorLoss);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1] as number);
    expect(losses.at(-1)).toBeLessThan(priorLoss / 4);
  });

  it.each([1, 0.7])(
    'reports the training loss that its own predictions give (the scores kept while training are right, subsample %s)',
    (subsample) => {
      const train = points(500, 14);
      const y = train.map(bands);
      let reported = Number.NaN;
      const model = GradientBoostedTrees.train(
        train,
        y,
        3,
        params({ subsample, rounds: 12 }),
        (_, __, loss) => {
          reported = loss();
        },
      );
      const loss =
        -train.reduce((s, x, i) => s + Math.log(model.classify(x)[y[i] as number] as number), 0) / 500;
      expect(reported).toBeCloseTo(loss, 10);
    },
  );

  it('is the same model from the same seed, and another with another seed (row subsampling)', () => {
    const train = points(400, 8);
    const y = train.map(bands);
    const fit = (seed: number) =>
      JSON.stringify(GradientBoostedTrees.train(train, y, 3, params({ subsample: 0.6, seed, rounds: 10 })));
    expect(fit(11)).toBe(fit(11));
    expect(fit(11)).not.toBe(fit(12));
  });

  it('gives probabilities that sum to 1 on any input, equal to the softmax of the trees walked one by one', () => {
    const train = points(300, 9);
    const model = GradientBoostedTrees.train(train, train.map(bands), 3, params({ rounds: 15 }));
    const { trees, initialScores } = model.toJSON();
    const flat: FlatTree[] = trees.map((t) => ({
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      values: Float64Array.from(t.values),
      width: 1,
    }));
    const value = fc.oneof(
      { weight: 20, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity) },
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 3, maxLength: 3 }), (x) => {
        const scores = Float64Array.from(initialScores);
        flat.forEach((tree, t) => {
          scores[t % 3] = (scores[t % 3] as number) + leafValue(tree, x);
        });
        const max = Math.max(...scores);
        const exp = scores.map((s) => Math.exp(s - max));
        const sum = exp.reduce((a, b) => a + b, 0);
        const p = model.classify(x);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        p.forEach((pk, k) => {
          expect(pk).toBeGreaterThanOrEqual(0);
          expect(pk).toBeCloseTo((exp[k] as number) / sum, 12);
        });
      }),
    );
  });

  it('predicts the same after a JSON round trip', () => {
    const train = points(300, 10);
    const model = GradientBoostedTrees.train(train, train.map(bands), 3, params({ rounds: 10 }));
    const loaded = GradientBoostedTrees.load(
      JSON.parse(JSON.stringify(model)) as ReturnType<typeof model.toJSON>,
    );
    expect(loaded.size).toBe(30);
    for (const x of points(50, 11)) expect(loaded.classify(x)).toEqual(model.classify(x));
  });

  it('refuses a class outside 0..classes-1 instead of training on it', () => {
    const train = points(50, 15);
    expect(() =>
      GradientBoostedTrees.train(
        train,
        train.map(() => 3),
        3,
        params(),
      ),
    ).toThrow(RangeError);
    expect(() =>
      GradientBoostedTrees.train(
        train,
        train.map(() => 0.5),
        3,
        params(),
      ),
    ).toThrow(RangeError);
  });

  it('with balanced class weights, calls a rare class that the unweighted model misses', () => {
    // 5% of rows are class 1, on a region the other class also fills (x0 > 0.6) and only partly owns.
    const random = seededRandom(12);
    const train = points(2000, 13);
    const y = train.map((x) => ((x[0] as number) > 0.6 && random() < 0.3 ? 1 : 0));
    const called = (classWeight: 'balanced' | 'none'): number => {
      const model = GradientBoostedTrees.train(train, y, 2, params({ classWeight, rounds: 30 }));
      return train.filter((x) => argmax(model.classify(x)) === 1).length;
    };
    expect(called('none')).toBeLessThan(50);
    expect(called('balanced')).toBeGreaterThan(200);
  });
});
