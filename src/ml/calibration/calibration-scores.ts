/**
 * Scores of a confidence as a probability of being right (top-label: the confidence of the class
 * chosen, the outcome 1 when that class happened).
 */

/** Mean squared difference between confidence and outcome: 0 is perfect; always saying the base rate scores p(1 - p). */
export function brierScore(confidence: ArrayLike<number>, right: ArrayLike<number>): number {
  const n = confidence.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ((confidence[i] as number) - (right[i] as number)) ** 2;
  return sum / n;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Mean confidence and hit rate of the predictions in the bin (0 when empty). */
  readonly meanConfidence: number;
  readonly hitRate: number;
}

/** Predictions grouped by confidence in `bins` equal-width bins of [0, 1]. */
export function reliabilityBins(
  confidence: ArrayLike<number>,
  right: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(c * bins)));
    count[b] = (count[b] as number) + 1;
    conf[b] = (conf[b] as number) + c;
    hits[b] = (hits[b] as number) + (right[i] as number);
  }
  return count.map((n, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    count: n,
    meanConfidence: n > 0 ? (conf[b] as number) / n : 0,
    hitRate: n > 0 ? (hits[b] as number) / n : 0,
  }));
}

/** Expected calibration error: the bins' |hit rate - mean confidence|, weighted by their counts. */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  right: ArrayLike<number>,
  bins = 10,
): number {
  const n = confidence.length;
  if (n === 0) return 0;
  return reliabilityBins(confidence, right, bins).reduce(
    (s, bin) => s + (bin.count / n) * Math.abs(bin.hitRate - bin.meanConfidence),
    0,
  );
}
