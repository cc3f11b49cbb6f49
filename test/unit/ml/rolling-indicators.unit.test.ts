import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { RSI, SD, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import {
  RollingMean,
  RollingRsi,
  RollingStd,
  toHundredths,
} from '../../../src/ml/features/rolling-indicators.ts';
import { readBarsFile } from '../../../src/ml/index.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);
const identity = (v: number): number => v;

/** A window's population standard deviation, the textbook way. */
const naiveStd = (window: readonly number[]): number => {
  const mean = window.reduce((s, v) => s + v, 0) / window.length;
  return Math.sqrt(window.reduce((s, v) => s + (v - mean) ** 2, 0) / window.length);
};

/** Ours and technicalindicators' streaming indicator, value by value (Object.is: bit for bit, NaN and -0 included). */
function both(values: readonly number[], period: number) {
  const theirs = {
    sma: new SMA({ period, values: [], format: identity }),
    sd: new SD({ period, values: [], format: identity }),
    rsi: new RSI({ period, values: [] }),
  };
  const ours = { sma: new RollingMean(period), sd: new RollingStd(period), rsi: new RollingRsi(period) };
  const rows: Array<[number | undefined, number | undefined, string]> = [];
  for (const [i, v] of values.entries())
    rows.push(
      [ours.sma.next(v), theirs.sma.nextValue(v), `sma ${i}`],
      [ours.sd.next(v), theirs.sd.nextValue(v), `sd ${i}`],
      [ours.rsi.next(v), theirs.rsi.nextValue(v), `rsi ${i}`],
    );
  return rows.filter(([a, b]) => !Object.is(a, b));
}

describe('rolling indicators', () => {
  it('give technicalindicators’ SMA, SD and RSI bit for bit on the bundled candles', () => {
    const closes = readBarsFile(FIXTURE, 'BTCUSDT').bars.map((b) => b.price);
    for (const period of [7, 14, 24, 25, 288]) expect(both(closes, period)).toEqual([]);
  });

  it('give technicalindicators’ values bit for bit on random positive series (repeats, jumps)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.constantFrom(1, 100.5)), {
          maxLength: 120,
        }),
        fc.integer({ min: 1, max: 30 }),
        (values, period) => {
          expect(both(values, period)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('give the textbook standard deviation where technicalindicators’ SD stops at a 0 in its window', () => {
    const returns = [0.2, 0, -0.1, 0.3, 0, 0.25, -0.2];
    const ours = new RollingStd(4);
    const theirs = new SD({ period: 4, values: [], format: identity });
    const got = returns.map((v) => [ours.next(v), theirs.nextValue(v)]);
    for (let i = 3; i < returns.length; i++)
      expect(got[i]?.[0]).toBeCloseTo(naiveStd(returns.slice(i - 3, i + 1)), 12);
    // Their SD of [0.2, 0, -0.1, 0.3] sums only the deviation of 0.2: the bug this replaces.
    expect(got[3]?.[1]).toBeCloseTo(Math.sqrt((0.2 - 0.1) ** 2 / 4), 12);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -50, max: 50, noNaN: true }), fc.constant(0)), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 20 }),
        (values, period) => {
          const std = new RollingStd(period);
          values.forEach((v, i) => {
            const got = std.next(v);
            if (i + 1 < period) expect(got).toBeUndefined();
            else expect(got).toBeCloseTo(naiveStd(values.slice(i + 1 - period, i + 1)), 9);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rounds to hundredths as parseFloat(x.toFixed(2)) does, bit for bit, halves and their neighbours too', () => {
    const strings = (x: number): number => Number.parseFloat(x.toFixed(2));
    const same = (x: number): void => {
      expect(Object.is(toHundredths(x), strings(x)), String(x)).toBe(true);
    };
    fc.assert(fc.property(fc.double({ noNaN: false }), same), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: -200, max: 200 }), same), { numRuns: 20_000 });
    // Halves (k + 0.5) / 100 and the doubles a few ulps either side: where rounding may differ.
    fc.assert(
      fc.property(fc.integer({ min: -20_000, max: 20_000 }), fc.integer({ min: -8, max: 8 }), (k, ulps) => {
        let x = (k + 0.5) / 100;
        for (let i = 0; i < Math.abs(ulps); i++) x = ulps > 0 ? nextUp(x) : -nextUp(-x);
        same(x);
      }),
      { numRuns: 20_000 },
    );
    for (const x of [0.125, 0.375, -0.125, 1.005, 2.675, -0.001, 0, -0, 1e13, 1e21, Infinity, -Infinity, NaN])
      same(x);
  });
});

/** The next double above x (x finite). */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  if (x === 0) return Number.MIN_VALUE;
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
