import { fitScaler, scale, type Scaler } from './scaler.ts';

export interface SvmParams {
  /** Inverse regularization strength, as in LIBLINEAR / scikit-learn's LinearSVC. */
  readonly C: number;
  readonly iterations: number;
  readonly learningRate: number;
  /** Share of the training rows, the latest ones, held out to fit the Platt sigmoids. */
  readonly calibrationShare: number;
  /** `balanced`: in each one-vs-rest machine, both sides weigh the same in the loss. */
  readonly classWeight?: 'balanced' | 'none';
}

/** Platt's sigmoid: P(class | f) = 1 / (1 + exp(a f + b)). */
export interface Platt {
  readonly a: number;
  readonly b: number;
}

export interface SerializedSvm {
  readonly classes: number;
  readonly scaler: Scaler;
  /** weights[k] = [intercept, w_1 .. w_d] of the one-vs-rest machine of class k. */
  readonly weights: number[][];
  readonly platt: Platt[];
  /** Class shares of the calibration rows, present when balanced: probabilities are divided by them. */
  readonly priors?: number[];
}

/**
 * Platt scaling fitted by Newton's method on the regularized targets Platt (1999) proposed, with
 * Lin, Lin and Weng's (2007) numerically stable loss. Maps decision values to probabilities.
 */
export function fitPlatt(decisions: ArrayLike<number>, positive: ArrayLike<boolean>): Platt {
  const n = decisions.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const nNeg = n - nPos;
  const hi = (nPos + 1) / (nPos + 2);
  const lo = 1 / (nNeg + 2);
  let a = 0;
  let b = Math.log((nNeg + 1) / (nPos + 1));
  const loss = (A: number, B: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const t = positive[i] ? hi : lo;
      const fApB = (decisions[i] as number) * A + B;
      f += fApB >= 0 ? t * fApB + Math.log1p(Math.exp(-fApB)) : (t - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return f;
  };
  let current = loss(a, b);
  for (let it = 0; it < 100; it++) {
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const t = positive[i] ? hi : lo;
      const fApB = (decisions[i] as number) * a + b;
      const p = fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
      const q = 1 - p;
      const d2 = p * q;
      const f = decisions[i] as number;
      h11 += f * f * d2;
      h22 += d2;
      h21 += f * d2;
      const d1 = t - p;
      g1 += f * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-7 && Math.abs(g2) < 1e-7) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    let improved = false;
    while (step >= 1e-10) {
      const next = loss(a + step * dA, b + step * dB);
      if (next < current + 1e-4 * step * gd) {
        a += step * dA;
        b += step * dB;
        current = next;
        improved = true;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { a, b };
}

const sigmoidOf = (platt: Platt, f: number): number => 1 / (1 + Math.exp(platt.a * f + platt.b));

/**
 * A linear support vector machine, one machine per class against the rest, trained on the squared
 * hinge loss with an L2 penalty (LIBLINEAR's default primal problem) by full-batch gradient descent
 * with momentum. SVMs give margins, not probabilities: each machine's decision value is mapped
 * through a Platt sigmoid fitted on the latest `calibrationShare` of the training rows (which the
 * machines did not see), and the per-class probabilities are normalized to sum to 1.
 */
export class LinearSvm {
  private constructor(
    readonly classes: number,
    private readonly scaler: Scaler,
    private readonly weights: Float64Array[],
    private readonly platt: readonly Platt[],
    private readonly priors: readonly number[] | undefined,
  ) {}

  static train(
    rows: readonly Float64Array[],
    y: ArrayLike<number>,
    classes: number,
    params: SvmParams,
  ): LinearSvm {
    const fitRows = Math.max(1, Math.floor(rows.length * (1 - params.calibrationShare)));
    const scaler = fitScaler(rows.slice(0, fitRows));
    const X = rows.map((r) => scale(scaler, r));
    const d = (X[0] as Float64Array).length;
    const weights = Array.from({ length: classes }, (_, k) =>
      trainBinary(X.slice(0, fitRows), (i) => (y[i] as number) === k, d, params),
    );
    const platt = weights.map((w, k) => {
      const calibration = X.slice(fitRows);
      const decisions = calibration.map((x) => decision(w, x));
      return fitPlatt(
        decisions,
        calibration.map((_, i) => (y[fitRows + i] as number) === k),
      );
    });
    const calibrationRows = rows.length - fitRows;
    const priors =
      params.classWeight === 'balanced' && calibrationRows > 0
        ? Array.from({ length: classes }, (_, k) => {
            let count = 0;
            for (let i = fitRows; i < rows.length; i++) if ((y[i] as number) === k) count++;
            return (count + 1) / (calibrationRows + classes);
          })
        : undefined;
    return new LinearSvm(classes, scaler, weights, platt, priors);
  }

  /** Decision values, one per class. */
  decisions(x: ArrayLike<number>): Float64Array {
    const s = scale(this.scaler, x);
    return Float64Array.from(this.weights, (w) => decision(w, s));
  }

  probabilities(x: ArrayLike<number>): Float64Array {
    const f = this.decisions(x);
    // Balanced: divided by the class shares, so every class is chosen as readily (the confidence is calibrated after).
    const p = Float64Array.from(
      f,
      (v, k) =>
        sigmoidOf(this.platt[k] as Platt, v) / (this.priors === undefined ? 1 : (this.priors[k] as number)),
    );
    const sum = p.reduce((a, b) => a + b, 0);
    for (let k = 0; k < p.length; k++) p[k] = sum > 0 ? (p[k] as number) / sum : 1 / p.length;
    return p;
  }

  toJSON(): SerializedSvm {
    return {
      classes: this.classes,
      scaler: this.scaler,
      weights: this.weights.map((w) => Array.from(w)),
      platt: [...this.platt],
      ...(this.priors === undefined ? {} : { priors: [...this.priors] }),
    };
  }

  static load(json: SerializedSvm): LinearSvm {
    return new LinearSvm(
      json.classes,
      json.scaler,
      json.weights.map((w) => Float64Array.from(w)),
      json.platt,
      json.priors,
    );
  }
}

function decision(w: Float64Array, x: Float64Array): number {
  let v = w[0] as number;
  for (let j = 0; j < x.length; j++) v += (w[j + 1] as number) * (x[j] as number);
  return v;
}

/** min 1/2 |w|^2 + C * sum max(0, 1 - y f(x))^2, averaged over the rows for a stable step size. */
function trainBinary(
  X: readonly Float64Array[],
  isPositive: (i: number) => boolean,
  d: number,
  params: SvmParams,
): Float64Array {
  const n = X.length;
  const w = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const g = new Float64Array(d + 1);
  const look = new Float64Array(d + 1);
  const lambda = 1 / (params.C * n);
  let positives = 0;
  for (let i = 0; i < n; i++) if (isPositive(i)) positives++;
  const balanced = params.classWeight === 'balanced' && positives > 0 && positives < n;
  const weightOf = (positive: boolean): number =>
    balanced ? n / (2 * (positive ? positives : n - positives)) : 1;
  const momentum = 0.9;
  for (let it = 0; it < params.iterations; it++) {
    for (let j = 0; j <= d; j++) look[j] = (w[j] as number) + momentum * (v[j] as number);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const x = X[i] as Float64Array;
      const positive = isPositive(i);
      const label = positive ? 1 : -1;
      const margin = 1 - label * decision(look, x);
      if (margin <= 0) continue;
      const coef = -2 * label * margin * weightOf(positive);
      g[0] = (g[0] as number) + coef;
      for (let j = 0; j < d; j++) g[j + 1] = (g[j + 1] as number) + coef * (x[j] as number);
    }
    for (let j = 0; j <= d; j++) {
      const grad = (g[j] as number) / n + (j > 0 ? lambda * (look[j] as number) : 0);
      v[j] = momentum * (v[j] as number) - params.learningRate * grad;
      w[j] = (w[j] as number) + (v[j] as number);
    }
  }
  return w;
}
