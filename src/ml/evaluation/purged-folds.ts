import type { LabeledRow } from '../dataset.ts';

export interface Fold {
  readonly train: LabeledRow[];
  readonly test: LabeledRow[];
  /** Open times of the first and last test bars. */
  readonly testFrom: number;
  readonly testTo: number;
}

export interface FoldOptions {
  readonly folds: number;
  /** Training rows starting within this long after a test block are dropped too (ms). */
  readonly embargoMs: number;
  /**
   * Walk-forward (default): the time-ordered rows are cut into folds + 1 blocks and fold f tests on
   * block f + 1 with a model trained on what came before. Otherwise a purged k-fold: every block is
   * tested once, trained on all the others.
   */
  readonly walkForward?: boolean;
}

/**
 * Purged, embargoed cross-validation folds (López de Prado, 2018, ch. 7). A row is known only at
 * its `labelTime` (the horizon's last bar), so a training row whose span [open time, labelTime]
 * overlaps the test block is purged, and one that starts within the embargo after the block is
 * dropped, since its features still read bars of the test block.
 */
export function purgedFolds(rows: readonly LabeledRow[], options: FoldOptions): Fold[] {
  const walkForward = options.walkForward ?? true;
  const blocks = walkForward ? options.folds + 1 : options.folds;
  const size = Math.floor(rows.length / blocks);
  if (options.folds < 1 || size < 1)
    throw new RangeError(`cannot cut ${rows.length} rows into ${blocks} blocks`);
  const folds: Fold[] = [];
  for (let f = walkForward ? 1 : 0; f < blocks; f++) {
    const test = rows.slice(f * size, f === blocks - 1 ? rows.length : (f + 1) * size);
    const testFrom = (test[0] as LabeledRow).features.timestamp;
    const testTo = (test.at(-1) as LabeledRow).features.timestamp;
    const train = rows.filter((row) => {
      const start = row.features.timestamp;
      if (start >= testFrom && start <= testTo) return false;
      if (row.labelTime >= testFrom && start <= testTo) return false;
      if (start > testTo) return !walkForward && start > testTo + options.embargoMs;
      return true;
    });
    folds.push({ train, test, testFrom, testTo });
  }
  return folds;
}
