import { fitScaler, scale, type Scaler } from './scaler.ts';

export interface LogisticParams {
  /** L2 penalty on the weights (not the intercepts). */
  readonly l2: number;
  readonly iterations: number;
  readonly learningRate: number;
  /** `balanced`: each row weighs n / (classes present × rows of its class), as scikit-learn's class_weight="balanced". */
  readonly classWeight?: 'balanced' | 'none';
}

export interface SerializedLogistic {
  readonly classes: number;
  readonly scaler: Scaler;
  /** weights[k] = [intercept, w_1 .. w_d] of class k. */
  readonly weights: number[][];
}

export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp((z[k] as number) - max);
    sum += z[k] as number;
  }
  for (let k = 0; k < z.length; k++) z[k] = (z[k] as number) / sum;
  return z;
}

/**
 * Multinomial (softmax) logistic regression with an L2 penalty, fitted by full-batch gradient
 * descent with Nesterov momentum on standardized inputs. It minimizes the log loss, so its
 * probabilities are calibrated by construction; they are the signals' confidence.
 */
export class LogisticRegression {
  private constructor(
    readonly classes: number,
    private readonly scaler: Scaler,
    private readonly weights: Float64Array[],
  ) {}

  static train(
    rows: readonly Float64Array[],
    y: ArrayLike<number>,
    classes: number,
    params: LogisticParams,
  ): LogisticRegression {
    const scaler = fitScaler(rows);
    const X = rows.map((r) => scale(scaler, r));
    const n = X.length;
    const d = (X[0] as Float64Array).length;
    const W = Array.from({ length: classes }, () => new Float64Array(d + 1));
    const V = Array.from({ length: classes }, () => new Float64Array(d + 1));
    const G = Array.from({ length: classes }, () => new Float64Array(d + 1));
    const look = Array.from({ length: classes }, () => new Float64Array(d + 1));
    const z = new Float64Array(classes);
    const weightOf = rowWeights(y, params.classWeight);
    const momentum = 0.9;
    for (let it = 0; it < params.iterations; it++) {
      for (let k = 0; k < classes; k++) {
        const w = W[k] as Float64Array;
        const v = V[k] as Float64Array;
        const l = look[k] as Float64Array;
        for (let j = 0; j <= d; j++) l[j] = (w[j] as number) + momentum * (v[j] as number);
        (G[k] as Float64Array).fill(0);
      }
      for (let i = 0; i < n; i++) {
        const x = X[i] as Float64Array;
        for (let k = 0; k < classes; k++) {
          const l = look[k] as Float64Array;
          let s = l[0] as number;
          for (let j = 0; j < d; j++) s += (l[j + 1] as number) * (x[j] as number);
          z[k] = s;
        }
        softmaxInPlace(z);
        const label = y[i] as number;
        const weight = weightOf[i] as number;
        for (let k = 0; k < classes; k++) {
          const g = G[k] as Float64Array;
          const err = ((z[k] as number) - (k === label ? 1 : 0)) * weight;
          g[0] = (g[0] as number) + err;
          for (let j = 0; j < d; j++) g[j + 1] = (g[j + 1] as number) + err * (x[j] as number);
        }
      }
      for (let k = 0; k < classes; k++) {
        const w = W[k] as Float64Array;
        const v = V[k] as Float64Array;
        const g = G[k] as Float64Array;
        const l = look[k] as Float64Array;
        for (let j = 0; j <= d; j++) {
          const grad = (g[j] as number) / n + (j > 0 ? params.l2 * (l[j] as number) : 0);
          v[j] = momentum * (v[j] as number) - params.learningRate * grad;
          w[j] = (w[j] as number) + (v[j] as number);
        }
      }
    }
    return new LogisticRegression(classes, scaler, W);
  }

  probabilities(x: ArrayLike<number>): Float64Array {
    const s = scale(this.scaler, x);
    const z = new Float64Array(this.classes);
    for (let k = 0; k < this.classes; k++) {
      const w = this.weights[k] as Float64Array;
      let v = w[0] as number;
      for (let j = 0; j < s.length; j++) v += (w[j + 1] as number) * (s[j] as number);
      z[k] = v;
    }
    return softmaxInPlace(z);
  }

  toJSON(): SerializedLogistic {
    return { classes: this.classes, scaler: this.scaler, weights: this.weights.map((w) => Array.from(w)) };
  }

  static load(json: SerializedLogistic): LogisticRegression {
    return new LogisticRegression(
      json.classes,
      json.scaler,
      json.weights.map((w) => Float64Array.from(w)),
    );
  }
}

/** Per-row weights: 1, or balanced so that every class present has the same total weight (n / classes). */
export function rowWeights(y: ArrayLike<number>, classWeight: 'balanced' | 'none' | undefined): Float64Array {
  const weights = new Float64Array(y.length).fill(1);
  if (classWeight !== 'balanced') return weights;
  const counts = new Map<number, number>();
  for (let i = 0; i < y.length; i++) counts.set(y[i] as number, (counts.get(y[i] as number) ?? 0) + 1);
  for (let i = 0; i < y.length; i++)
    weights[i] = y.length / (counts.size * (counts.get(y[i] as number) as number));
  return weights;
}
