import { describe, expect, it } from 'vitest';
import { Float64Slab } from '../../../src/ml/features/float64-slab.ts';

describe('Float64Slab', () => {
  it('hands out zeroed arrays of its length that never share a number, across blocks', () => {
    const slab = new Float64Slab(3, 4);
    const rows = Array.from({ length: 10 }, () => slab.next());
    for (const row of rows) {
      expect(row).toHaveLength(3);
      expect(Array.from(row)).toEqual([0, 0, 0]);
    }
    rows.forEach((row, i) => row.fill(i));
    rows.forEach((row, i) => expect(Array.from(row)).toEqual([i, i, i]));
  });
});
