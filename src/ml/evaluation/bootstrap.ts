import { seededRandom } from '../random.ts';

export interface MeanInterval {
  readonly n: number;
  readonly mean: number;
  /** 95% interval (2.5th and 97.5th percentiles of the resampled means); NaN with fewer than 2 values. */
  readonly low: number;
  readonly high: number;
}

/**
 * A circular block bootstrap of the mean (Politis and Romano, 1992): neighbouring trades overlap
 * in time and are not independent, so the values are resampled in blocks of consecutive ones
 * (length about n^(1/3)), wrapping around the end.
 */
export function bootstrapMean(values: readonly number[], resamples = 1000, seed = 11): MeanInterval {
  const n = values.length;
  const mean = n > 0 ? values.reduce((s, v) => s + v, 0) / n : Number.NaN;
  if (n < 2) return { n, mean, low: Number.NaN, high: Number.NaN };
  const block = Math.max(1, Math.round(Math.cbrt(n)));
  const random = seededRandom(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let taken = 0;
    while (taken < n) {
      const start = Math.floor(random() * n);
      for (let j = 0; j < block && taken < n; j++, taken++) sum += values[(start + j) % n] as number;
    }
    means[r] = sum / n;
  }
  means.sort();
  return {
    n,
    mean,
    low: means[Math.floor(0.025 * (resamples - 1))] as number,
    high: means[Math.ceil(0.975 * (resamples - 1))] as number,
  };
}
