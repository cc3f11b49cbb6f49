import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importKlines } from '../../src/ingest/import-klines.ts';
import { Publisher } from '../../src/messaging/index.ts';
import { prepareRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { barsOf } from '../support/market-data-log.ts';
import { embeddedHarness } from '../support/runtimes.ts';
import { HUGE_BYTES } from './fuzz-cases.ts';
import { SeededRandom, fuzzSeed } from './seeded-random.ts';

const STEP = 300_000;
const T = Date.UTC(2023, 0, 2);

/** A valid ohlcv row for bar `i`. */
const validRow = (i: number): string => {
  const open = 16_000 + i;
  const close = open + (i % 3) - 1;
  return [T + i * STEP, open, Math.max(open, close) + 2, Math.min(open, close) - 2, close, 10 + i].join(',');
};

/** Bad rows, each a function of the bar before it (`i`: the last valid bar, for time-order cases). */
const BAD_ROWS: Readonly<Record<string, (i: number, r: SeededRandom) => string>> = {
  'too-few-columns': (i) =>
    validRow(i + 1)
      .split(',')
      .slice(0, 4)
      .join(','),
  'too-many-columns': (i) => `${validRow(i + 1)},1`,
  'not-a-number': (i) => validRow(i + 1).replace(/,[^,]+,/, ',abc,'),
  nan: (i) => validRow(i + 1).replace(/,[^,]+$/, ',NaN'),
  infinity: (i) => validRow(i + 1).replace(/,[^,]+,/, ',Infinity,'),
  'negative-price': (i) => validRow(i + 1).replace(/,[^,]+,/, ',-5,'),
  'high-below-low': (i) => [T + (i + 1) * STEP, 100, 90, 110, 100, 1].join(','),
  'empty-cells': () => ',,,,,',
  'text-time': (i) => validRow(i + 1).replace(/^\d+/, 'yesterday'),
  'random-bytes': (_, r) =>
    r
      .bytes(r.int(1, 120))
      .toString('latin1')
      .replace(/[\r\n]/g, ' '),
  'repeated-time': (i) => validRow(i),
  'huge-900kb': (_, r) => `${T},${'9'.repeat(HUGE_BYTES)},1,1,1,${r.int(1, 9)}`,
};

describe('bad rows in a kline CSV import', () => {
  it('reports every bad row with its line number and imports every valid one', async () => {
    const random = new SeededRandom(fuzzSeed(11));
    const lines = ['open_time,open,high,low,close,volume'];
    const badLines = new Map<number, string>();
    const VALID = 200;
    for (let i = 0; i < VALID; i++) {
      lines.push(validRow(i));
      if (i < VALID - 1 && random.next() < 0.25) {
        const name = random.pick(Object.keys(BAD_ROWS));
        lines.push((BAD_ROWS[name] as (i: number, r: SeededRandom) => string)(i, random));
        badLines.set(lines.length, name);
      }
    }
    const file = join(mkdtempSync(join(tmpdir(), 'cml-csv-fuzz-')), 'BTCUSDT-5m-fuzz.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const harness = embeddedHarness();
    const runtime = await harness.open();
    try {
      await prepareRuntime(runtime, harness.config);
      const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
      const report = await importKlines(runtime.log, publisher, { file, batchSize: 37 });
      expect(report.rejected.map((r) => r.line)).toEqual([...badLines.keys()]);
      for (const rejected of report.rejected) expect(rejected.reason.length).toBeGreaterThan(0);
      expect(report.imported).toBe(VALID);
      expect(report.rows).toBe(VALID + badLines.size);
      const bars = await barsOf(runtime, 'BTCUSDT');
      expect(bars.map((b) => b.timestamp)).toEqual(Array.from({ length: VALID }, (_, i) => T + i * STEP));
      console.info(
        `csv fuzz ${JSON.stringify({ rows: report.rows, bad: badLines.size, rejected: report.rejected.length, imported: report.imported, cases: [...new Set(badLines.values())].length })}`,
      );
    } finally {
      await runtime.close();
    }
  });
});
