/**
 * Isotonic regression by pool-adjacent-violators: the non-decreasing step function of the score that
 * fits the outcomes (0/1) with the least squared error. Stored as the blocks' score ranges and
 * values; a score between two blocks is interpolated linearly, outside them the nearest block's
 * value is kept (as scikit-learn's IsotonicRegression with out_of_bounds="clip").
 */
export interface IsotonicMap {
  /** Each block's lowest and highest score, ascending. */
  readonly low: number[];
  readonly high: number[];
  /** Each block's mean outcome, non-decreasing. */
  readonly value: number[];
}

export function fitIsotonic(scores: ArrayLike<number>, outcomes: ArrayLike<number>): IsotonicMap {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  const low: number[] = [];
  const high: number[] = [];
  const sum: number[] = [];
  const count: number[] = [];
  for (const i of order) {
    const s = scores[i] as number;
    const last = low.length - 1;
    // Equal scores share one block: the map is a function of the score.
    if (last >= 0 && high[last] === s) {
      sum[last] = (sum[last] as number) + (outcomes[i] as number);
      count[last] = (count[last] as number) + 1;
    } else {
      low.push(s);
      high.push(s);
      sum.push(outcomes[i] as number);
      count.push(1);
    }
    while (low.length > 1) {
      const b = low.length - 1;
      if ((sum[b - 1] as number) / (count[b - 1] as number) < (sum[b] as number) / (count[b] as number))
        break;
      sum[b - 1] = (sum[b - 1] as number) + (sum[b] as number);
      count[b - 1] = (count[b - 1] as number) + (count[b] as number);
      high[b - 1] = high[b] as number;
      low.pop();
      high.pop();
      sum.pop();
      count.pop();
    }
  }
  return { low, high, value: sum.map((s, b) => s / (count[b] as number)) };
}

export function applyIsotonic(map: IsotonicMap, score: number): number {
  const { low, high, value } = map;
  const n = value.length;
  if (n === 0) return score;
  if (score <= (high[0] as number)) return value[0] as number;
  if (score >= (low[n - 1] as number)) return value[n - 1] as number;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((low[mid] as number) <= score) lo = mid;
    else hi = mid;
  }
  if (score <= (high[lo] as number)) return value[lo] as number;
  const from = high[lo] as number;
  const to = low[hi] as number;
  const t = (score - from) / (to - from);
  return (value[lo] as number) + t * ((value[hi] as number) - (value[lo] as number));
}
