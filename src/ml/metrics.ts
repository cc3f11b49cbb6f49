/** Coefficient of determination: 1 - SSE / SST (0: no better than the mean; < 0: worse). */
export function r2Score(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = actual.length;
  if (n === 0) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i] as number;
  mean /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += ((actual[i] as number) - (predicted[i] as number)) ** 2;
    sst += ((actual[i] as number) - mean) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : 0;
}

export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = actual.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs((actual[i] as number) - (predicted[i] as number));
  return sum / n;
}

export interface ClassMetrics {
  readonly label: string;
  readonly support: number;
  readonly predicted: number;
  /** Of the rows predicted as this class, the share that were (0 when none predicted). */
  readonly precision: number;
  /** Of the rows of this class, the share predicted as it. */
  readonly recall: number;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly perClass: ClassMetrics[];
  /** confusion[actual][predicted]. */
  readonly confusion: number[][];
}

export function classificationMetrics(
  labels: readonly string[],
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): ClassificationMetrics {
  const K = labels.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const p = predicted[i] as number;
    (confusion[a] as number[])[p] = ((confusion[a] as number[])[p] as number) + 1;
    if (a === p) correct++;
  }
  const perClass = labels.map((label, k) => {
    const support = (confusion[k] as number[]).reduce((s, v) => s + v, 0);
    const predictedCount = confusion.reduce((s, row) => s + (row[k] as number), 0);
    const hit = (confusion[k] as number[])[k] as number;
    return {
      label,
      support,
      predicted: predictedCount,
      precision: predictedCount > 0 ? hit / predictedCount : 0,
      recall: support > 0 ? hit / support : 0,
    };
  });
  return { accuracy: actual.length > 0 ? correct / actual.length : 0, perClass, confusion };
}
