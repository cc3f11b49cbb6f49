import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastRandomForest } from '../../../src/ml/models/forest/fast-forest.ts';
import type { FlatTree } from '../../../src/ml/models/forest/histogram-tree.ts';
import { seededRandom } from '../../../src/ml/random.ts';
import { leafOf } from '../../support/tree-walk.ts';

/** The forest's outputs computed tree by tree with `leafOf`. */
function reference(trees: readonly FlatTree[], classes: number, x: Float64Array) {
  if (classes === 0) return { members: trees.map((t) => t.values[leafOf(t, x)] as number) };
  const probabilities = new Float64Array(classes);
  const votes = new Float64Array(classes);
  for (const tree of trees) {
    const base = leafOf(tree, x) * classes;
    let best = 0;
    for (let k = 0; k < classes; k++) {
      probabilities[k] = (probabilities[k] as number) + (tree.values[base + k] as number);
      if ((tree.values[base + k] as number) > (tree.values[base + best] as number)) best = k;
    }
    votes[best] = (votes[best] as number) + 1;
  }
  return {
    probabilities: probabilities.map((p) => p / trees.length),
    votes: votes.map((v) => v / trees.length),
  };
}

const feature = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, 0, -0, Infinity, -Infinity) },
);

describe('packed forest walk', () => {
  it.each([
    ['classification', 3],
    ['classification, two classes', 2],
    ['regression', 0],
  ])('gives the leaves leafOf gives, on any input (%s, NaN and infinities included)', (_, classes) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 13 }), (seed, trees) => {
        const random = seededRandom(seed);
        const rows = Array.from({ length: 300 }, () =>
          Float64Array.from({ length: 5 }, () => random() * 2 - 1),
        );
        const y = rows.map((r) =>
          classes === 0
            ? (r[0] as number) * 3 + (r[1] as number)
            : classes === 2
              ? Number((r[0] as number) > 0)
              : (r[0] as number) > 0.3
                ? 2
                : (r[2] as number) > 0
                  ? 1
                  : 0,
        );
        const forest = FastRandomForest.train(rows, y, classes, {
          nEstimators: trees,
          maxDepth: 1 + (seed % 8),
          minSamplesLeaf: 1 + (seed % 5),
          maxFeatures: 0.6,
          maxSamples: 1,
          seed,
        });
        const flat = forest.toJSON().trees.map((t) => ({
          feature: Int32Array.from(t.feature),
          threshold: Float64Array.from(t.threshold),
          left: Int32Array.from(t.left),
          right: Int32Array.from(t.right),
          values: Float64Array.from(t.values),
          width: classes === 0 ? 1 : classes,
        }));
        fc.assert(
          fc.property(fc.array(feature, { minLength: 5, maxLength: 5 }), (values) => {
            const x = Float64Array.from(values);
            const expected = reference(flat, classes, x);
            if (classes === 0) expect(Array.from(forest.members(x))).toEqual(expected.members);
            else {
              const got = forest.classify(x);
              expect(Array.from(got.probabilities)).toEqual(Array.from(expected.probabilities ?? []));
              expect(Array.from(got.votes)).toEqual(Array.from(expected.votes ?? []));
            }
          }),
          { numRuns: 40 },
        );
      }),
      { numRuns: 40 },
    );
  });
});
