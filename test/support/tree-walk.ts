import type { FlatTree } from '../../src/ml/models/forest/histogram-tree.ts';

/**
 * The definition of a tree's leaf, the reference the packed walks are held to: node by node from
 * the root, `x <= threshold` to the left.
 */
export function leafOf(tree: FlatTree, x: ArrayLike<number>): number {
  let node = 0;
  while ((tree.feature[node] as number) >= 0)
    node =
      (x[tree.feature[node] as number] as number) <= (tree.threshold[node] as number)
        ? (tree.left[node] as number)
        : (tree.right[node] as number);
  return node;
}
