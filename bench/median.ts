/** The item whose key is the median of the items' keys (the upper middle one of an even count). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)] as T;
}

/** The median of the values (the upper middle one of an even count). */
export const median = (values: readonly number[]): number => medianBy(values, (v) => v);
