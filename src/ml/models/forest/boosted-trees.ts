import { seededRandom } from '../../random.ts';
import { rowWeights, softmaxInPlace } from '../logistic-regression.ts';
import { binFeatures } from './binning.ts';
import { HistogramPool, growGradientTree, trainingLeafValue, type GradientTree } from './gradient-tree.ts';
import { loadTree, serializeTree, sharesOf, type FlatTree, type SerializedTree } from './histogram-tree.ts';
import { packForest, packedLeaves, type PackedForest } from './packed-forest.ts';

export interface BoostingParams {
  /** Boosting rounds; each adds one tree per class. */
  readonly rounds: number;
  readonly learningRate: number;
  readonly maxLeaves: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** Least sum of hessians in a leaf. */
  readonly minHessianLeaf: number;
  /** L2 penalty on leaf values. */
  readonly lambda: number;
  /** Share of the rows each round's trees are grown on, drawn without replacement, (0, 1]. */
  readonly subsample: number;
  readonly seed: number;
  /** Histogram bins per feature (at most 256). */
  readonly maxBins?: number;
  /** `balanced`: row weights n / (classes present × rows of its class), as logistic regression's. */
  readonly classWeight?: 'balanced' | 'none';
}

export const DEFAULT_BOOSTING_PARAMS: BoostingParams = {
  rounds: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: 6,
  minSamplesLeaf: 20,
  minHessianLeaf: 1e-3,
  lambda: 1,
  subsample: 1,
  seed: 7,
};

export interface SerializedBoostedTrees {
  readonly engine: 'gbdt';
  readonly classes: number;
  readonly features: number;
  /** Each class's score before the first tree: the log of its (weighted) share of the training rows. */
  readonly initialScores: number[];
  readonly importances: number[];
  /** Round by round, one tree per class: tree t adds to class t mod classes. */
  readonly trees: SerializedTree[];
}

/**
 * Multi-class gradient boosting on histogram trees (Friedman 2001; the second-order trees of
 * XGBoost and LightGBM): one score per class, softmax over them, and every round one regression
 * tree per class fitted to the gradient and hessian of the multinomial log loss at the current
 * scores. Prediction sums the leaves of each class's trees (walked together through the packed
 * forest) and takes the softmax.
 */
export class GradientBoostedTrees {
  private readonly packed: PackedForest;
  private readonly leaves: Int32Array;

  private constructor(
    readonly classes: number,
    readonly features: number,
    readonly initialScores: readonly number[],
    private readonly trees: readonly FlatTree[],
    readonly importances: readonly number[],
  ) {
    this.packed = packForest(trees, 0);
    this.leaves = new Int32Array(trees.length);
  }

  /**
   * `onRound` is called after each round with a function that computes the weighted mean log loss
   * on the training rows (a pass over them, so only when asked).
   * The hessian of class k is w p_k (1 − p_k) times K / (K − 1), the factor LightGBM's multiclass
   * objective applies, so that the two take steps of the same size.
   */
  static train(
    rows: readonly Float64Array[],
    y: ArrayLike<number>,
    classes: number,
    params: BoostingParams,
    onRound?: (done: number, total: number, trainingLoss: () => number) => void,
  ): GradientBoostedTrees {
    const n = rows.length;
    if (n === 0) throw new RangeError('cannot boost trees on no rows');
    if (classes < 2) throw new RangeError(`gradient boosting needs 2 classes or more, got ${classes}`);
    const K = classes;
    const features = (rows[0] as Float64Array).length;
    const binned = binFeatures(rows, features, Math.min(256, params.maxBins ?? 255));
    const labels = Int32Array.from(y);
    const outside = labels.findIndex((label, i) => label < 0 || label >= K || label !== y[i]);
    if (outside >= 0) throw new RangeError(`row ${outside}'s class ${y[outside]} is not one of 0..${K - 1}`);
    const weight = rowWeights(labels, params.classWeight);

    const share = new Float64Array(K);
    let totalWeight = 0;
    for (let i = 0; i < n; i++) {
      share[labels[i] as number] = (share[labels[i] as number] as number) + (weight[i] as number);
      totalWeight += weight[i] as number;
    }
    const initialScores = Array.from(share, (s) => Math.log(Math.max(1e-15, s / totalWeight)));

    // scores[k * n + i]: class k's score of row i; the gradient and hessian laid out the same way.
    const scores = new Float64Array(K * n);
    for (let k = 0; k < K; k++) scores.fill(initialScores[k] as number, k * n, (k + 1) * n);
    const gradient = new Float64Array(K * n);
    const hessian = new Float64Array(K * n);
    const p = new Float64Array(K);
    const factor = K / (K - 1);
    const growth = {
      maxLeaves: params.maxLeaves,
      maxDepth: params.maxDepth,
      minSamplesLeaf: params.minSamplesLeaf,
      minHessianLeaf: params.minHessianLeaf,
      lambda: params.lambda,
      learningRate: params.learningRate,
    };
    const random = seededRandom(params.seed);
    const sampleSize = Math.max(1, Math.min(n, Math.round(n * params.subsample)));
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const importance = new Float64Array(features);
    const trees: GradientTree[] = [];
    const pool = new HistogramPool(features);

    for (let round = 0; round < params.rounds; round++) {
      for (let i = 0; i < n; i++) {
        softmaxOfRow(scores, i, n, p);
        const w = weight[i] as number;
        const label = labels[i] as number;
        for (let k = 0; k < K; k++) {
          const pk = p[k] as number;
          gradient[k * n + i] = w * (pk - (k === label ? 1 : 0));
          hessian[k * n + i] = w * factor * pk * (1 - pk);
        }
      }
      const sample = sampleSize === n ? all : sortedDraw(n, sampleSize, random);
      for (let k = 0; k < K; k++) {
        const task = {
          binned,
          gradient: gradient.subarray(k * n, (k + 1) * n),
          hessian: hessian.subarray(k * n, (k + 1) * n),
        };
        const rowsOfTree = sample.slice();
        const at = k * n;
        if (sampleSize === n) {
          // Every row is in one leaf's range of the partitioned sample: no walk needed.
          trees.push(
            growGradientTree(task, rowsOfTree, growth, importance, pool, (start, end, value) => {
              for (let i = start; i < end; i++) {
                const r = rowsOfTree[i] as number;
                scores[at + r] = (scores[at + r] as number) + value;
              }
            }),
          );
        } else {
          const tree = growGradientTree(task, rowsOfTree, growth, importance, pool);
          trees.push(tree);
          for (let i = 0; i < n; i++)
            scores[at + i] = (scores[at + i] as number) + trainingLeafValue(tree, binned, i);
        }
      }
      onRound?.(round + 1, params.rounds, () => {
        let loss = 0;
        for (let i = 0; i < n; i++) {
          softmaxOfRow(scores, i, n, p);
          loss -= (weight[i] as number) * Math.log(Math.max(1e-15, p[labels[i] as number] as number));
        }
        return loss / totalWeight;
      });
    }
    return new GradientBoostedTrees(K, features, initialScores, trees, sharesOf(importance));
  }

  /** Trees in all (rounds × classes). */
  get size(): number {
    return this.trees.length;
  }

  /** Each class's score for x: its initial score plus its trees' leaves. */
  scores(x: ArrayLike<number>): Float64Array {
    const K = this.classes;
    const { leaves, packed } = this;
    const { values, output } = packed;
    packedLeaves(packed, x, leaves);
    const scores = Float64Array.from(this.initialScores);
    for (let t = 0; t < leaves.length; t++) {
      const k = t % K;
      scores[k] = (scores[k] as number) + (values[output[leaves[t] as number] as number] as number);
    }
    return scores;
  }

  /** The class probabilities for x (softmax of the scores; they sum to 1). */
  classify(x: ArrayLike<number>): Float64Array {
    return softmaxInPlace(this.scores(x));
  }

  toJSON(): SerializedBoostedTrees {
    return {
      engine: 'gbdt',
      classes: this.classes,
      features: this.features,
      initialScores: [...this.initialScores],
      importances: [...this.importances],
      trees: this.trees.map(serializeTree),
    };
  }

  static load(json: SerializedBoostedTrees): GradientBoostedTrees {
    return new GradientBoostedTrees(
      json.classes,
      json.features,
      json.initialScores,
      json.trees.map((tree) => loadTree(tree, 1)),
      json.importances,
    );
  }
}

/** The softmax of row i's scores (class k's at scores[k * n + i]) into p. */
function softmaxOfRow(scores: Float64Array, i: number, n: number, p: Float64Array): Float64Array {
  for (let k = 0; k < p.length; k++) p[k] = scores[k * n + i] as number;
  return softmaxInPlace(p);
}

/** m distinct row indices out of n (a partial Fisher-Yates shuffle), in increasing order. */
function sortedDraw(n: number, m: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < m; j++) {
    const pick = j + Math.floor(random() * (n - j));
    const t = order[pick] as number;
    order[pick] = order[j] as number;
    order[j] = t;
  }
  return order.slice(0, m).sort();
}
