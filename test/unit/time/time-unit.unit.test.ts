import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIME_UNITS, detectTimeUnit, toMillis } from '../../../src/time/index.ts';

/** The definition: integer arithmetic on the exact value, truncated. */
const exactMillis = (digits: string, unit: (typeof TIME_UNITS)[number]): number => {
  const n = BigInt(digits);
  const ms = { s: n * 1000n, ms: n, us: n / 1000n, ns: n / 1_000_000n }[unit];
  return Number(ms);
};

describe('toMillis', () => {
  it('equals exact integer arithmetic for every length of digits and every unit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,22}$/), fc.constantFrom(...TIME_UNITS), (digits, unit) => {
        expect(toMillis(digits, unit)).toBe(exactMillis(digits, unit));
      }),
      { numRuns: 5_000 },
    );
  });

  it('truncates sub-millisecond parts at the edges of the exact range', () => {
    expect(toMillis('999999999999999', 'us')).toBe(999_999_999_999);
    expect(toMillis('1999999999999999', 'us')).toBe(1_999_999_999_999);
    expect(toMillis('1700000000999999', 'ns')).toBe(1_700_000_000);
    expect(toMillis('1700000000123456789', 'ns')).toBe(1_700_000_000_123);
  });

  it('tells a 5-minute bar time in each unit from its magnitude', () => {
    expect(detectTimeUnit('1672677900')).toBe('s');
    expect(detectTimeUnit('1672677900000')).toBe('ms');
    expect(detectTimeUnit('1672677900000000')).toBe('us');
    expect(detectTimeUnit('1672677900000000000')).toBe('ns');
  });
});
