import { seededRandom } from '../random.ts';

/**
 * Permutation feature importance (Breiman 2001; Fisher, Rudin and Dominici 2019): how much a score
 * worsens when one input column is shuffled across the rows, breaking its link to the outcome while
 * keeping its distribution. `loss` is lower-is-better; the result is loss(shuffled) - loss(original)
 * per column, averaged over `repeats` shuffles (0 or below: the model does not use it out of sample).
 */
export function permutationImportance(
  inputs: readonly Float64Array[],
  loss: (inputs: readonly Float64Array[]) => number,
  repeats = 1,
  seed = 3,
): number[] {
  const base = loss(inputs);
  const columns = inputs[0]?.length ?? 0;
  const random = seededRandom(seed);
  const out: number[] = [];
  for (let j = 0; j < columns; j++) {
    let sum = 0;
    for (let r = 0; r < repeats; r++) {
      const order = inputs.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        [order[i], order[k]] = [order[k] as number, order[i] as number];
      }
      const shuffled = inputs.map((x, i) => {
        const copy = Float64Array.from(x);
        copy[j] = (inputs[order[i] as number] as Float64Array)[j] as number;
        return copy;
      });
      sum += loss(shuffled) - base;
    }
    out.push(sum / repeats);
  }
  return out;
}
