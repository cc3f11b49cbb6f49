import type { Binned } from './binning.ts';
import { NodeBuffer, type FlatTree } from './histogram-tree.ts';

/**
 * A regression tree fitted to one round's gradients and hessians for gradient boosting, on the
 * same binned features as the forest's trees (binning.ts) and stored as the same FlatTree (width 1),
 * so that packed-forest.ts walks it.
 */
export interface GradientTree extends FlatTree {
  /** Per node, the bin its split sends left (codes <= bin), -1 on leaves: training walks the codes. */
  readonly bin: Int32Array;
}

export interface GradientTreeGrowth {
  /** The tree stops at this many leaves (grown best-first: the split with the largest gain next). */
  readonly maxLeaves: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** Least sum of hessians in a leaf (LightGBM's min_sum_hessian_in_leaf). */
  readonly minHessianLeaf: number;
  /** L2 penalty on leaf values (LightGBM's lambda_l2, XGBoost's lambda). */
  readonly lambda: number;
  /** Shrinkage applied to every leaf value. */
  readonly learningRate: number;
}

/** The gradients and hessians of one class's scores, one per training row. */
export interface GradientTask {
  readonly binned: Binned;
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
}

/** Per feature and bin: sum of gradients, sum of hessians, count, at ((f * 256) + b) * 3. */
const STRIDE = 256 * 3;

/**
 * Histogram buffers handed back when a tree is done, for the next tree: boosting grows hundreds
 * of trees, and a fresh buffer per leaf (features × 6 KiB) kept the garbage collector busy.
 */
export class HistogramPool {
  private readonly free: Float64Array[] = [];
  constructor(private readonly features: number) {}
  /** A zeroed buffer. */
  take(): Float64Array {
    return this.free.pop()?.fill(0) ?? new Float64Array(this.features * STRIDE);
  }
  give(histogram: Float64Array): void {
    this.free.push(histogram);
  }
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  /** The left side's sums of gradients and hessians. */
  g: number;
  h: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  histogram: Float64Array;
  split: Split | undefined;
}

/**
 * Grows one tree on the rows `sample` (indices into the task; partitioned in place).
 * Best-first as LightGBM: every leaf keeps its best split, and the leaf whose split gains most is
 * split next, until `maxLeaves` or no split gains. Gain and leaf values are the second-order ones
 * (Chen and Guestrin 2016): a leaf is worth G² / (H + λ), its value is −G / (H + λ) × learning rate.
 * A child's histogram is built only for the smaller side; the other is its parent's minus it.
 * Adds each split's gain to `importance`.
 */
export function growGradientTree(
  task: GradientTask,
  sample: Int32Array,
  growth: GradientTreeGrowth,
  importance: Float64Array,
  pool: HistogramPool = new HistogramPool(task.binned.features),
  /** Told each leaf's rows, sample[start .. end), and its value. */
  onLeaf?: (start: number, end: number, value: number) => void,
): GradientTree {
  const { binned, gradient, hessian } = task;
  const { codes, rows, features } = binned;
  const nodes = new NodeBuffer(1);
  const bins: number[] = [];
  const minLeaf = Math.max(1, growth.minSamplesLeaf);
  const { lambda } = growth;

  const histogramOf = (start: number, end: number): Float64Array => {
    const histogram = pool.take();
    for (let f = 0; f < features; f++) {
      const offset = f * rows;
      const base = f * STRIDE;
      for (let i = start; i < end; i++) {
        const r = sample[i] as number;
        const at = base + (codes[offset + r] as number) * 3;
        histogram[at] = (histogram[at] as number) + (gradient[r] as number);
        histogram[at + 1] = (histogram[at + 1] as number) + (hessian[r] as number);
        histogram[at + 2] = (histogram[at + 2] as number) + 1;
      }
    }
    return histogram;
  };

  const bestSplit = (leaf: Leaf): Split | undefined => {
    const n = leaf.end - leaf.start;
    if (leaf.depth >= growth.maxDepth || n < 2 * minLeaf) return undefined;
    const { g: G, h: H, histogram } = leaf;
    const parent = (G * G) / (H + lambda);
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestBin = -1;
    let bestG = 0;
    let bestH = 0;
    for (let f = 0; f < features; f++) {
      const count = (binned.edges[f] as Float64Array).length + 1;
      if (count < 2) continue;
      const base = f * STRIDE;
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < count - 1; b++) {
        const at = base + b * 3;
        gl += histogram[at] as number;
        hl += histogram[at + 1] as number;
        nl += histogram[at + 2] as number;
        if (nl < minLeaf || hl < growth.minHessianLeaf) continue;
        const nr = n - nl;
        if (nr < minLeaf) break;
        const hr = H - hl;
        if (hr < growth.minHessianLeaf) continue;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
          bestG = gl;
          bestH = hl;
        }
      }
    }
    return bestFeature < 0
      ? undefined
      : { gain: bestGain, feature: bestFeature, bin: bestBin, g: bestG, h: bestH };
  };

  const leafOf = (
    node: number,
    start: number,
    end: number,
    depth: number,
    sums: { g: number; h: number },
    histogram: Float64Array,
  ): Leaf => {
    const leaf: Leaf = { node, start, end, depth, ...sums, histogram, split: undefined };
    leaf.split = bestSplit(leaf);
    return leaf;
  };

  const addNode = (): number => {
    bins.push(-1);
    return nodes.add();
  };

  const root = { g: 0, h: 0 };
  for (const r of sample) {
    root.g += gradient[r] as number;
    root.h += hessian[r] as number;
  }
  const open: Leaf[] = [leafOf(addNode(), 0, sample.length, 0, root, histogramOf(0, sample.length))];
  // Every leaf stays in `open`; one whose best split gains nothing is simply never picked.
  while (open.length < growth.maxLeaves) {
    let pick = -1;
    for (let i = 0; i < open.length; i++) {
      const gain = (open[i] as Leaf).split?.gain ?? 0;
      if (gain > 0 && (pick < 0 || gain > ((open[pick] as Leaf).split as Split).gain)) pick = i;
    }
    if (pick < 0) break;
    const leaf = open[pick] as Leaf;
    open.splice(pick, 1);
    const split = leaf.split as Split;

    const offset = split.feature * rows;
    let i = leaf.start;
    let j = leaf.end - 1;
    while (i <= j) {
      if ((codes[offset + (sample[i] as number)] as number) <= split.bin) i++;
      else {
        const t = sample[i] as number;
        sample[i] = sample[j] as number;
        sample[j] = t;
        j--;
      }
    }
    importance[split.feature] = (importance[split.feature] as number) + split.gain;
    const leftNode = addNode();
    const rightNode = addNode();
    nodes.feature[leaf.node] = split.feature;
    nodes.threshold[leaf.node] = (binned.edges[split.feature] as Float64Array)[split.bin] as number;
    nodes.left[leaf.node] = leftNode;
    nodes.right[leaf.node] = rightNode;
    bins[leaf.node] = split.bin;

    // The smaller child's histogram from its rows, the larger one's by subtraction (in the parent's buffer).
    const leftSmaller = i - leaf.start <= leaf.end - i;
    const small = leftSmaller ? histogramOf(leaf.start, i) : histogramOf(i, leaf.end);
    const large = leaf.histogram;
    for (let k = 0; k < large.length; k++) large[k] = (large[k] as number) - (small[k] as number);
    const depth = leaf.depth + 1;
    const left = { g: split.g, h: split.h };
    const right = { g: leaf.g - split.g, h: leaf.h - split.h };
    open.push(
      leafOf(leftNode, leaf.start, i, depth, left, leftSmaller ? small : large),
      leafOf(rightNode, i, leaf.end, depth, right, leftSmaller ? large : small),
    );
  }
  for (const leaf of open) {
    // No hessian and no penalty (λ = 0, a leaf of rows already certain): no step rather than NaN.
    const value = leaf.h + lambda > 0 ? (-leaf.g / (leaf.h + lambda)) * growth.learningRate : 0;
    nodes.values[leaf.node] = value;
    onLeaf?.(leaf.start, leaf.end, value);
    pool.give(leaf.histogram);
  }
  return { ...nodes.freeze(), bin: Int32Array.from(bins) };
}

/** The leaf value of training row r, walked on its bin codes (the same leaf as its feature values). */
export function trainingLeafValue(tree: GradientTree, binned: Binned, r: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.values[node] as number;
    node =
      (binned.codes[f * binned.rows + r] as number) <= (tree.bin[node] as number)
        ? (tree.left[node] as number)
        : (tree.right[node] as number);
  }
}
