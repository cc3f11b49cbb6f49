import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKlineRow } from '../../../src/ingest/kline-row.ts';

/** The cells a kline CSV may hold as numbers: plain decimals, with a sign and an exponent. */
const PLAIN_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const cellChars = fc.constantFrom(...'0123456789+-.eExXbBoO _Infity'.split(''));

describe('kline cells', () => {
  it('a price cell is read exactly when it is a plain, finite decimal, and to the number it writes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: cellChars, minLength: 1, maxLength: 8 }).filter((c) => c.trim() !== ''),
        (raw) => {
          const cell = raw.trim();
          const row = parseKlineRow(`1673000000000,${raw},30000,1,20000,5`, 'ohlcv', 'BTCUSDT', 'ms');
          const plain = PLAIN_DECIMAL.test(cell) && Number.isFinite(Number(cell));
          expect(row.ok).toBe(plain);
          if (row.ok === true) expect(row.bar.open).toBe(Number(cell));
          else if (row.ok === false) expect(row.reason).toContain('open');
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
