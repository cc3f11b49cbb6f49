import { describe, expect, it } from 'vitest';
import {
  bootstrapMean,
  featureDefinitionFor,
  labelBars,
  permutationImportance,
  purgedFolds,
  scoreTiers,
  tierVerdict,
} from '../../../src/ml/index.ts';
import { fixtureBars } from './fixture-bars.ts';

describe('purged, embargoed folds', () => {
  const rows = labelBars(fixtureBars().slice(0, 3000), featureDefinitionFor(300_000), {
    horizonBars: 48,
    bandPct: 1.5,
  });
  const embargoMs = 48 * 300_000;

  for (const walkForward of [true, false])
    it(`no training label's horizon overlaps a test bar (${walkForward ? 'walk-forward' : 'k-fold'})`, () => {
      const folds = purgedFolds(rows, { folds: 4, embargoMs, walkForward });
      expect(folds).toHaveLength(4);
      for (const fold of folds) {
        expect(fold.train.length).toBeGreaterThan(0);
        for (const row of fold.train) {
          const [start, end] = [row.features.timestamp, row.labelTime];
          // The row's span [open, label] lies wholly before the test block or wholly after it.
          expect(end < fold.testFrom || start > fold.testTo).toBe(true);
          if (start > fold.testTo) {
            expect(walkForward).toBe(false);
            expect(start).toBeGreaterThan(fold.testTo + embargoMs);
          }
        }
        // Purging drops exactly the rows whose label reaches into the block.
        const before = rows.filter((r) => r.features.timestamp < fold.testFrom);
        const purged = before.filter((r) => r.labelTime >= fold.testFrom);
        expect(purged).toHaveLength(before.length > 0 ? 48 : 0);
        for (const row of purged) expect(fold.train).not.toContain(row);
      }
    });

  it('walk-forward tests later blocks on models of the past only, growing the training part', () => {
    const folds = purgedFolds(rows, { folds: 3, embargoMs });
    for (let f = 1; f < folds.length; f++) {
      expect((folds[f] as (typeof folds)[number]).testFrom).toBeGreaterThan(
        (folds[f - 1] as (typeof folds)[number]).testTo,
      );
      expect((folds[f] as (typeof folds)[number]).train.length).toBeGreaterThan(
        (folds[f - 1] as (typeof folds)[number]).train.length,
      );
    }
  });
});

describe('confidence tiers', () => {
  it('a tier is earned only when its signals were right as often as it promises, on enough of them', () => {
    const signals = [
      ...Array.from({ length: 25 }, (_, i) => ({ confidence: 0.9, right: i < 21 })),
      ...Array.from({ length: 30 }, (_, i) => ({ confidence: 0.7, right: i < 12 })),
      { confidence: 0.3, right: true },
    ];
    const tiers = scoreTiers(signals);
    expect(tiers.map((t) => [t.signals, t.right])).toEqual([
      [25, 21],
      [30, 12],
      [1, 1],
    ]);
    expect(tiers[0]?.verdict).toBe('earned: 21 of 25 right (84%)');
    expect(tiers[1]?.verdict).toBe('not earned: 12 of 30 right (40%), below 60%');
    expect(tiers[2]?.verdict).toBe('ignored by the rules');
    expect(tierVerdict(0, 0, 0)).toBe('not earned: no signal fell in it');
    expect(tierVerdict(0, 5, 5)).toBe('not earned: only 5 of 5 right (100%), too few to tell');
  });
});

describe('significance and importance', () => {
  it('the bootstrap interval of a mean holds it, widens with noise, and is reproducible', () => {
    const quiet = Array.from({ length: 200 }, (_, i) => 1 + ((i % 5) - 2) * 0.01);
    const noisy = Array.from({ length: 200 }, (_, i) => 1 + ((i % 5) - 2) * 1);
    const a = bootstrapMean(quiet);
    const b = bootstrapMean(noisy);
    expect(a.low).toBeLessThanOrEqual(a.mean);
    expect(a.high).toBeGreaterThanOrEqual(a.mean);
    expect(b.high - b.low).toBeGreaterThan(50 * (a.high - a.low));
    expect(bootstrapMean(noisy)).toEqual(b);
    expect(Number.isNaN(bootstrapMean([1]).low)).toBe(true);
  });

  it('permutation importance is large for the input the loss depends on, zero for the others', () => {
    const inputs = Array.from({ length: 300 }, (_, i) => Float64Array.from([i / 300, (i * 7) % 13]));
    const target = inputs.map((x) => x[0] as number);
    const loss = (xs: readonly Float64Array[]): number =>
      xs.reduce((s, x, i) => s + ((x[0] as number) - (target[i] as number)) ** 2, 0) / xs.length;
    const [used, unused] = permutationImportance(inputs, loss);
    expect(used).toBeGreaterThan(0.1);
    expect(unused).toBe(0);
  });
});
