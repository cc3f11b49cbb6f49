import type { Binned } from './binning.ts';

/**
 * One CART tree grown on binned features, stored flat. A node with feature -1 is a leaf whose
 * output is at values[node * width .. +width] (width 1: the mean, for regression; K: the class
 * distribution, for classification).
 */
export interface FlatTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly values: Float64Array;
  readonly width: number;
}

/** A FlatTree as JSON (its width is the model's). */
export interface SerializedTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  values: number[];
}

export function serializeTree(tree: FlatTree): SerializedTree {
  return {
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    values: Array.from(tree.values),
  };
}

export function loadTree(tree: SerializedTree, width: number): FlatTree {
  return {
    feature: Int32Array.from(tree.feature),
    threshold: Float64Array.from(tree.threshold),
    left: Int32Array.from(tree.left),
    right: Int32Array.from(tree.right),
    values: Float64Array.from(tree.values),
    width,
  };
}

export interface TreeGrowth {
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** Features tried at each split (a random subset drawn per split, as scikit-learn does). */
  readonly featuresPerSplit: number;
  /** 0 for regression, else the number of classes. */
  readonly classes: number;
}

/** Training targets: values for regression, class indices (as numbers) for classification. */
export interface TreeTask {
  readonly binned: Binned;
  readonly y: Float64Array;
}

/** Nodes appended while a tree grows, frozen into a FlatTree at the end. */
export class NodeBuffer {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  values: number[] = [];
  constructor(readonly width: number) {}
  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let k = 0; k < this.width; k++) this.values.push(0);
    return this.feature.length - 1;
  }
  freeze(): FlatTree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      values: Float64Array.from(this.values),
      width: this.width,
    };
  }
}

/** Importances as shares of their sum (all 0 when nothing was gained). */
export function sharesOf(importance: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < importance.length; i++) total += importance[i] as number;
  return Array.from(importance, (v) => (total > 0 ? v / total : 0));
}

/**
 * Grows one tree on the samples `sample` (indices into the task, repeats allowed: a bootstrap).
 * Each split: draw `featuresPerSplit` features, build each one's histogram of (count, sum) or
 * class counts over the node's samples in one pass, scan the bins for the best impurity decrease
 * (variance for regression, Gini for classification), partition the samples in place.
 * Adds each split's impurity decrease to `importance` (weighted by the samples it splits).
 */
export function growTree(
  task: TreeTask,
  sample: Int32Array,
  growth: TreeGrowth,
  random: () => number,
  importance: Float64Array,
): FlatTree {
  const { binned, y } = task;
  const { codes, edges, rows, features } = binned;
  const K = growth.classes;
  const width = K === 0 ? 1 : K;
  const nodes = new NodeBuffer(width);
  const maxBins = 256;
  const hCount = new Float64Array(maxBins);
  const hSum = new Float64Array(K === 0 ? maxBins : maxBins * K);
  const featureOrder = Int32Array.from({ length: features }, (_, i) => i);
  const totals = new Float64Array(width);
  const leftTotals = new Float64Array(width);
  const minLeaf = Math.max(1, growth.minSamplesLeaf);

  const stack: Array<{ node: number; start: number; end: number; depth: number }> = [
    { node: nodes.add(), start: 0, end: sample.length, depth: 0 },
  ];
  while (stack.length > 0) {
    const { node, start, end, depth } = stack.pop() as (typeof stack)[number];
    const n = end - start;
    // Node totals and its output.
    totals.fill(0);
    for (let i = start; i < end; i++) {
      const r = sample[i] as number;
      if (K === 0) totals[0] = (totals[0] as number) + (y[r] as number);
      else totals[y[r] as number] = (totals[y[r] as number] as number) + 1;
    }
    const base = node * width;
    if (K === 0) nodes.values[base] = (totals[0] as number) / n;
    else for (let k = 0; k < K; k++) nodes.values[base + k] = (totals[k] as number) / n;

    if (depth >= growth.maxDepth || n < 2 * minLeaf) continue;
    let parentScore: number;
    if (K === 0) parentScore = ((totals[0] as number) * (totals[0] as number)) / n;
    else {
      let pure = false;
      parentScore = 0;
      for (let k = 0; k < K; k++) {
        const c = totals[k] as number;
        parentScore += (c * c) / n;
        if (c === n) pure = true;
      }
      if (pure) continue;
    }

    // Best split over a random subset of features (partial Fisher-Yates shuffle).
    let bestGain = 1e-12 * Math.abs(parentScore) + 1e-12;
    let bestFeature = -1;
    let bestBin = -1;
    for (let j = 0; j < growth.featuresPerSplit && j < features; j++) {
      const pick = j + Math.floor(random() * (features - j));
      const f = featureOrder[pick] as number;
      featureOrder[pick] = featureOrder[j] as number;
      featureOrder[j] = f;
      const bins = (edges[f] as Float64Array).length + 1;
      if (bins < 2) continue;
      const offset = f * rows;
      hCount.fill(0, 0, bins);
      if (K === 0) {
        hSum.fill(0, 0, bins);
        for (let i = start; i < end; i++) {
          const r = sample[i] as number;
          const b = codes[offset + r] as number;
          hCount[b] = (hCount[b] as number) + 1;
          hSum[b] = (hSum[b] as number) + (y[r] as number);
        }
        let nLeft = 0;
        let sLeft = 0;
        const sTotal = totals[0] as number;
        for (let b = 0; b < bins - 1; b++) {
          nLeft += hCount[b] as number;
          sLeft += hSum[b] as number;
          const nRight = n - nLeft;
          if (nLeft < minLeaf) continue;
          if (nRight < minLeaf) break;
          const sRight = sTotal - sLeft;
          const gain = (sLeft * sLeft) / nLeft + (sRight * sRight) / nRight - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
          }
        }
      } else {
        hSum.fill(0, 0, bins * K);
        for (let i = start; i < end; i++) {
          const r = sample[i] as number;
          const b = codes[offset + r] as number;
          hCount[b] = (hCount[b] as number) + 1;
          const at = b * K + (y[r] as number);
          hSum[at] = (hSum[at] as number) + 1;
        }
        leftTotals.fill(0);
        let nLeft = 0;
        for (let b = 0; b < bins - 1; b++) {
          nLeft += hCount[b] as number;
          for (let k = 0; k < K; k++) leftTotals[k] = (leftTotals[k] as number) + (hSum[b * K + k] as number);
          const nRight = n - nLeft;
          if (nLeft < minLeaf || hCount[b] === 0) continue;
          if (nRight < minLeaf) break;
          let score = 0;
          for (let k = 0; k < K; k++) {
            const cl = leftTotals[k] as number;
            const cr = (totals[k] as number) - cl;
            score += (cl * cl) / nLeft + (cr * cr) / nRight;
          }
          const gain = score - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
          }
        }
      }
    }
    if (bestFeature < 0) continue;

    // Partition the node's samples: codes <= bestBin to the left.
    const offset = bestFeature * rows;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if ((codes[offset + (sample[i] as number)] as number) <= bestBin) i++;
      else {
        const t = sample[i] as number;
        sample[i] = sample[j] as number;
        sample[j] = t;
        j--;
      }
    }
    importance[bestFeature] = (importance[bestFeature] as number) + bestGain;
    const leftNode = nodes.add();
    const rightNode = nodes.add();
    nodes.feature[node] = bestFeature;
    nodes.threshold[node] = (edges[bestFeature] as Float64Array)[bestBin] as number;
    nodes.left[node] = leftNode;
    nodes.right[node] = rightNode;
    stack.push({ node: rightNode, start: i, end, depth: depth + 1 });
    stack.push({ node: leftNode, start, end: i, depth: depth + 1 });
  }
  return nodes.freeze();
}
