import { seededRandom } from '../../random.ts';
import { binFeatures } from './binning.ts';
import {
  growTree,
  loadTree,
  serializeTree,
  sharesOf,
  type FlatTree,
  type SerializedTree,
} from './histogram-tree.ts';
import { packForest, packedLeaves, type PackedForest } from './packed-forest.ts';

export interface ForestParams {
  readonly nEstimators: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** Share of the features tried at each split, (0, 1]. */
  readonly maxFeatures: number;
  /** Bootstrap size as a share of the training rows, (0, 1] (sampled with replacement). */
  readonly maxSamples: number;
  readonly seed: number;
  /** Histogram bins per feature (at most 256). */
  readonly maxBins?: number;
  /**
   * `balanced` (classification): each bootstrap draws a class uniformly, then a row of it, so every
   * class weighs the same in every tree (a balanced random forest, Chen, Liaw and Breiman 2004).
   */
  readonly classWeight?: 'balanced' | 'none';
}

export interface SerializedFastForest {
  readonly engine: 'fast';
  readonly classes: number;
  readonly features: number;
  readonly importances: number[];
  readonly trees: SerializedTree[];
}

/**
 * A random forest on histogram split search (see binning.ts): bootstrap samples per tree, a random
 * feature subset per split, variance (regression) or Gini (classification) decrease. Same model as
 * ml-random-forest (CART trees on bootstraps, averaged), trained in O(rows x depth) per tree and
 * feature tried instead of O(rows^2).
 */
export class FastRandomForest {
  private readonly packed: PackedForest;
  /** Each tree's leaf for the input being predicted (reused: prediction is synchronous). */
  private readonly leaves: Int32Array;

  private constructor(
    /** 0 for regression, else the number of classes. */
    readonly classes: number,
    readonly features: number,
    private readonly trees: readonly FlatTree[],
    readonly importances: readonly number[],
  ) {
    this.packed = packForest(trees, classes);
    this.leaves = new Int32Array(trees.length);
  }

  static train(
    rows: readonly Float64Array[],
    y: ArrayLike<number>,
    classes: number,
    params: ForestParams,
    onTree?: (done: number, total: number) => void,
  ): FastRandomForest {
    const n = rows.length;
    if (n === 0) throw new RangeError('cannot train a forest on no rows');
    const features = (rows[0] as Float64Array).length;
    const binned = binFeatures(rows, features, Math.min(256, params.maxBins ?? 255));
    const task = { binned, y: Float64Array.from(y) };
    const random = seededRandom(params.seed);
    const sampleSize = Math.max(1, Math.round(n * params.maxSamples));
    const growth = {
      maxDepth: params.maxDepth,
      minSamplesLeaf: params.minSamplesLeaf,
      featuresPerSplit: Math.max(1, Math.round(features * params.maxFeatures)),
      classes,
    };
    const importance = new Float64Array(features);
    const trees: FlatTree[] = [];
    const draw = params.classWeight === 'balanced' && classes > 0 ? balancedDraw(y, random) : undefined;
    for (let t = 0; t < params.nEstimators; t++) {
      const sample = new Int32Array(sampleSize);
      for (let i = 0; i < sampleSize; i++) sample[i] = draw === undefined ? Math.floor(random() * n) : draw();
      trees.push(growTree(task, sample, growth, random, importance));
      onTree?.(t + 1, params.nEstimators);
    }
    return new FastRandomForest(classes, features, trees, sharesOf(importance));
  }

  get size(): number {
    return this.trees.length;
  }

  /** Each tree's prediction for x (regression). */
  members(x: ArrayLike<number>): Float64Array {
    const { leaves, packed } = this;
    packedLeaves(packed, x, leaves);
    const out = new Float64Array(leaves.length);
    for (let t = 0; t < leaves.length; t++)
      out[t] = packed.values[packed.output[leaves[t] as number] as number] as number;
    return out;
  }

  /** Classification: the mean class distribution of the leaves, and each class's share of tree votes. */
  classify(x: ArrayLike<number>): { probabilities: Float64Array; votes: Float64Array } {
    const { leaves, packed } = this;
    packedLeaves(packed, x, leaves);
    if (this.classes === 3) return this.classifyThree();
    const K = this.classes;
    const probabilities = new Float64Array(K);
    const votes = new Float64Array(K);
    const { values, output, vote } = packed;
    for (let t = 0; t < leaves.length; t++) {
      const leaf = leaves[t] as number;
      const base = output[leaf] as number;
      for (let k = 0; k < K; k++)
        probabilities[k] = (probabilities[k] as number) + (values[base + k] as number);
      const best = vote[leaf] as number;
      votes[best] = (votes[best] as number) + 1;
    }
    for (let k = 0; k < K; k++) {
      probabilities[k] = (probabilities[k] as number) / this.trees.length;
      votes[k] = (votes[k] as number) / this.trees.length;
    }
    return { probabilities, votes };
  }

  /**
   * `classify`'s sums for the three classes of a trend model, in local variables: the same
   * additions in the same order, without a store and a load per addition (a third of the time of
   * a 100-tree prediction went to them).
   */
  private classifyThree(): { probabilities: Float64Array; votes: Float64Array } {
    const { leaves, packed } = this;
    const { values, output, vote } = packed;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    const counts = new Float64Array(3);
    for (let t = 0; t < leaves.length; t++) {
      const leaf = leaves[t] as number;
      const base = output[leaf] as number;
      p0 = p0 + (values[base] as number);
      p1 = p1 + (values[base + 1] as number);
      p2 = p2 + (values[base + 2] as number);
      const best = vote[leaf] as number;
      counts[best] = (counts[best] as number) + 1;
    }
    const n = this.trees.length;
    const probabilities = new Float64Array(3);
    probabilities[0] = p0 / n;
    probabilities[1] = p1 / n;
    probabilities[2] = p2 / n;
    counts[0] = (counts[0] as number) / n;
    counts[1] = (counts[1] as number) / n;
    counts[2] = (counts[2] as number) / n;
    return { probabilities, votes: counts };
  }

  toJSON(): SerializedFastForest {
    return {
      engine: 'fast',
      classes: this.classes,
      features: this.features,
      importances: [...this.importances],
      trees: this.trees.map(serializeTree),
    };
  }

  static load(json: SerializedFastForest): FastRandomForest {
    const width = json.classes === 0 ? 1 : json.classes;
    return new FastRandomForest(
      json.classes,
      json.features,
      json.trees.map((tree) => loadTree(tree, width)),
      json.importances,
    );
  }
}

/** A draw of a row index: a class uniformly among those present, then one of its rows uniformly. */
function balancedDraw(y: ArrayLike<number>, random: () => number): () => number {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const rows = byClass.get(y[i] as number) ?? [];
    rows.push(i);
    byClass.set(y[i] as number, rows);
  }
  const groups = [...byClass.values()];
  return () => {
    const rows = groups[Math.floor(random() * groups.length)] as number[];
    return rows[Math.floor(random() * rows.length)] as number;
  };
}
