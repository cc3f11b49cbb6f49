/**
 * Quantile bins per feature, computed once per training set. Split search then scans at most
 * `maxBins` candidate thresholds per feature through a histogram built in one pass over a node's
 * samples, instead of sorting and re-splitting the samples for every candidate (what makes
 * ml-cart quadratic in the node size). Thresholds are real feature values, so prediction needs no
 * binning: x <= threshold goes left.
 */
export interface Binned {
  /** Bin code of sample r for feature f at codes[f * rows + r]. */
  readonly codes: Uint8Array;
  /** Per feature, the upper edge of each bin but the last: bin b holds x <= edges[b] (and > edges[b-1]). */
  readonly edges: readonly Float64Array[];
  readonly rows: number;
  readonly features: number;
}

export function binFeatures(rows: readonly Float64Array[], features: number, maxBins = 255): Binned {
  const n = rows.length;
  const codes = new Uint8Array(n * features);
  const edges: Float64Array[] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < features; f++) {
    for (let r = 0; r < n; r++) column[r] = (rows[r] as Float64Array)[f] as number;
    const sorted = Float64Array.from(column).sort();
    const cuts: number[] = [];
    for (let b = 1; b < maxBins; b++) {
      const i = Math.floor((b * n) / maxBins);
      if (i <= 0 || i >= n) continue;
      const lo = sorted[i - 1] as number;
      const hi = sorted[i] as number;
      if (hi > lo) {
        const cut = lo + (hi - lo) / 2;
        if (cuts.length === 0 || cut > (cuts.at(-1) as number)) cuts.push(cut);
      }
    }
    if (cuts.length === 0 && n > 0 && (sorted[n - 1] as number) > (sorted[0] as number)) {
      // Few distinct values: cut between each pair of them.
      for (let i = 1; i < n; i++)
        if ((sorted[i] as number) > (sorted[i - 1] as number))
          cuts.push(((sorted[i] as number) + (sorted[i - 1] as number)) / 2);
    }
    const featureEdges = Float64Array.from(cuts.slice(0, maxBins - 1));
    edges.push(featureEdges);
    for (let r = 0; r < n; r++) codes[f * n + r] = binOf(featureEdges, column[r] as number);
  }
  return { codes, edges, rows: n, features };
}

/** The bin of x: the number of edges below x. */
function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
