import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { klineBar } from '../../../src/ingest/kline-bar.ts';
import { plainKlineRow } from '../../../src/ingest/plain-kline-row.ts';
import { readBarsFile } from '../../../src/ml/index.ts';
import { detectTimeUnit, toMillis } from '../../../src/time/index.ts';

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: min, maxLength: max });

/** A decimal cell as files write it (up to 18 digits, so some are past the one-pass limit of 15). */
const plainCell = fc
  .tuple(digits(1, 9), fc.option(digits(1, 9), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));

/** A cell the one-pass reading must leave to parseKlineRow, or read as Number does. */
const oddCell = fc.oneof(
  plainCell,
  plainCell.map((c) => ` ${c}`),
  plainCell.map((c) => `${c}.`),
  plainCell.map((c) => `.${c}`),
  plainCell.map((c) => `+${c}`),
  plainCell.map((c) => `-${c}`),
  plainCell.map((c) => `${c}e3`),
  fc.constantFrom('', '0x1F', 'NaN', 'Infinity', '1.2.3', '16727.3\r'),
);

/** The bar parseKlineRow makes of the line, computed here from `Number` and the time-unit rules. */
function expectedBar(line: string) {
  const cells = line.split(',');
  const time = cells[0] as string;
  const unit = detectTimeUnit(time);
  const [open, high, low, close, volume] = cells.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return klineBar('BTCUSDT', toMillis(time, unit ?? 'ms'), open, high, low, close, volume);
}

const times = fc.oneof(
  fc.integer({ min: 1_230_940_800, max: 4_102_444_799 }).map(String),
  fc.integer({ min: 1_230_940_800_000, max: 4_102_444_799_999 }).map(String),
  fc.integer({ min: 1_230_940_800_000, max: 4_102_444_799_999 }).map((ms) => `${ms}123`),
);

describe('the one-pass kline row', () => {
  it('reads every plain line of up to 15 digits a cell, to the numbers Number gives, and only those', () => {
    let read = 0;
    fc.assert(
      fc.property(times, fc.array(plainCell, { minLength: 5, maxLength: 5 }), (time, cells) => {
        const line = [time, ...cells].join(',');
        const bar = plainKlineRow(line, 0, line.length, 'ohlcv', 'BTCUSDT', undefined);
        const within = time.length <= 15 && cells.every((c) => c.replace('.', '').length <= 15);
        expect(bar !== undefined).toBe(within);
        if (bar !== undefined) {
          read++;
          expect(bar).toStrictEqual(expectedBar(line));
        }
      }),
      { numRuns: 20_000 },
    );
    expect(read).toBeGreaterThan(5_000);
  });

  it('reads a line with any odd cell either as Number does or not at all', () => {
    fc.assert(
      fc.property(times, fc.array(oddCell, { minLength: 5, maxLength: 5 }), (time, cells) => {
        const line = [time, ...cells].join(',');
        const bar = plainKlineRow(line, 0, line.length, 'ohlcv', 'BTCUSDT', undefined);
        const plain = cells.every((c) => /^\d+(\.\d+)?$/.test(c) && c.replace('.', '').length <= 15);
        expect(bar !== undefined).toBe(plain);
        if (bar !== undefined) expect(bar).toStrictEqual(expectedBar(line));
      }),
      { numRuns: 20_000 },
    );
  });

  it('counts the cells: six for the plain layout, twelve for data.binance.vision', () => {
    const row = '1672677900000,16727.3,16728.8,16726.0,16726.1,691.508';
    const vision = `${row},1672678199999,11567456.62,20714,347.125,5805024.35,0`;
    expect(plainKlineRow(row, 0, row.length, 'ohlcv', 'BTCUSDT', 'ms')?.price).toBe(16726.1);
    expect(plainKlineRow(vision, 0, vision.length, 'binance-vision', 'BTCUSDT', 'ms')?.volume).toBe(691.508);
    expect(plainKlineRow(vision, 0, vision.length, 'ohlcv', 'BTCUSDT', 'ms')).toBeUndefined();
    expect(plainKlineRow(row, 0, row.length, 'binance-vision', 'BTCUSDT', 'ms')).toBeUndefined();
    expect(plainKlineRow(`${row},1`, 0, row.length + 2, 'ohlcv', 'BTCUSDT', 'ms')).toBeUndefined();
    expect(plainKlineRow('1672677900000,1,2,3,4', 0, 21, 'ohlcv', 'BTCUSDT', 'ms')).toBeUndefined();
  });

  it('leaves an implausible or oddly written open time to the full reading, which explains it', () => {
    for (const time of ['123', '1672677900000000000000', '01672677900000x'])
      expect(
        plainKlineRow(`${time},1,2,3,4,5`, 0, time.length + 10, 'ohlcv', 'BTCUSDT', undefined),
      ).toBeUndefined();
    // In a given unit, a time that is no plausible date there.
    expect(plainKlineRow('1672677900000,1,2,3,4,5', 0, 23, 'ohlcv', 'BTCUSDT', 's')).toBeUndefined();
  });

  it('the bundled file reads to the same bars as line by line through the full reading', async () => {
    const { parseKlineRow } = await import('../../../src/ingest/kline-row.ts');
    const { readFileSync } = await import('node:fs');
    const file = 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv';
    const { bars } = readBarsFile(file, 'BTCUSDT');
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const full = lines
      .map((line) => parseKlineRow(` ${line} `, 'ohlcv', 'BTCUSDT'))
      .flatMap((row) => (row.ok === true ? [row.bar] : []));
    expect(bars.length).toBe(lines.length - 1);
    expect(bars).toStrictEqual(full);
  });
});
