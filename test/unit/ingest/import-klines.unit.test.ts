import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { importKlines } from '../../../src/ingest/import-klines.ts';
import { detectFormat, parseKlineRow, symbolFromFileName } from '../../../src/ingest/kline-row.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { barsOf } from '../../support/market-data-log.ts';
import { embeddedHarness } from '../../support/runtimes.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);
const fixtureRows = readFileSync(FIXTURE, 'utf8').trim().split('\n').slice(1);
const tempFile = (name: string, lines: string[]): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-import-')), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};
/** The same candles in the data.binance.vision layout, open time in microseconds as since 2025. */
const asVision = (row: string): string => {
  const [t, o, h, l, c, v] = row.split(',') as [string, string, string, string, string, string];
  return [`${t}000`, o, h, l, c, v, `${Number(t) * 1000 + 299_999_999}`, '0', '100', '0', '0', '0'].join(',');
};

describe('kline rows', () => {
  it('detects both layouts with or without a header', () => {
    expect(detectFormat('open_time,open,high,low,close,volume')).toBe('ohlcv');
    expect(detectFormat(fixtureRows[0] as string)).toBe('ohlcv');
    expect(detectFormat(asVision(fixtureRows[0] as string))).toBe('binance-vision');
    expect(
      detectFormat(
        'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
      ),
    ).toBe('binance-vision');
    expect(detectFormat('date;price')).toBeUndefined();
  });

  it('reads microsecond open times as milliseconds, close as price, change over the bar', () => {
    const parsed = parseKlineRow(asVision('1672677900000,100,110,95,105,7.5'), 'binance-vision', 'BTCUSDT');
    expect(parsed).toEqual({
      ok: true,
      bar: {
        symbol: 'BTCUSDT',
        timestamp: 1672677900000,
        price: 105,
        open: 100,
        high: 110,
        low: 95,
        volume: 7.5,
        price_change_pct: 5,
      },
    });
  });

  it('takes the symbol from a file name', () => {
    expect(symbolFromFileName('/data/BTCUSDT-5m-2024-01.csv')).toBe('BTCUSDT');
    expect(symbolFromFileName('btcusdt-5m-2023-01-02_2023-02-09.csv')).toBe('BTCUSDT');
    expect(symbolFromFileName('prices.csv')).toBeUndefined();
  });

  it('reads open times in s, ms, us or ns by magnitude, or in the unit given', () => {
    const [t, ...rest] = fixtureRows[0]!.split(',') as [string, ...string[]];
    const row = (time: string): string => [time, ...rest].join(',');
    const ms = Number(t);
    for (const time of [String(ms / 1000), t, `${t}000`, `${t}000000`])
      expect(parseKlineRow(row(time), 'ohlcv', 'BTCUSDT')).toMatchObject({
        ok: true,
        bar: { timestamp: ms },
      });
    expect(parseKlineRow(row(String(ms / 1000)), 'ohlcv', 'BTCUSDT', 's')).toMatchObject({
      bar: { timestamp: ms },
    });
    // Seconds read as milliseconds would be January 1970: refused, with the unit to check.
    expect(parseKlineRow(row(String(ms / 1000)), 'ohlcv', 'BTCUSDT', 'ms')).toEqual({
      ok: false,
      reason: `open_time ${ms / 1000} in ms is 1970-01-20, outside 2009-01-03 .. 2100-01-01; is --time-unit ms right?`,
    });
    expect(parseKlineRow(row('100'), 'ohlcv', 'BTCUSDT')).toMatchObject({ ok: false });
  });

  it('refuses a blank number and a hexadecimal one (they were read as 0 and 16)', () => {
    const [t, o, h, l, c] = fixtureRows[0]!.split(',') as [string, string, string, string, string];
    expect(parseKlineRow([t, o, h, l, c, ''].join(','), 'ohlcv', 'BTCUSDT')).toEqual({
      ok: false,
      reason: 'volume is blank',
    });
    expect(parseKlineRow([t, o, h, l, c, '  '].join(','), 'ohlcv', 'BTCUSDT')).toEqual({
      ok: false,
      reason: 'volume is blank',
    });
    expect(parseKlineRow([t, o, h, l, c, '0x10'].join(','), 'ohlcv', 'BTCUSDT')).toEqual({
      ok: false,
      reason: 'volume "0x10" is not a number',
    });
    expect(parseKlineRow([t, o, h, l, c, 'Infinity'].join(','), 'ohlcv', 'BTCUSDT')).toMatchObject({
      ok: false,
    });
    expect(parseKlineRow([t, o, h, l, c, '1e309'].join(','), 'ohlcv', 'BTCUSDT')).toMatchObject({
      ok: false,
    });
    expect(parseKlineRow([t, o, h, l, c, '1.5e2'].join(','), 'ohlcv', 'BTCUSDT')).toMatchObject({
      ok: true,
      bar: { volume: 150 },
    });
  });
});

describe('importKlines into the embedded runtime', () => {
  let runtime: Runtime;
  let publisher: Publisher;
  beforeEach(async () => {
    const harness = embeddedHarness();
    runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
    publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
  });

  it('imports the shared BTCUSDT 5m file: exactly its 10,999 bars, in order, and nothing more the second time', async () => {
    const first = await importKlines(runtime.log, publisher, { file: FIXTURE });
    expect(first).toMatchObject({
      symbol: 'BTCUSDT',
      format: 'ohlcv',
      rows: 10_999,
      imported: 10_999,
      alreadyPresent: 0,
      rejected: [],
    });
    const second = await importKlines(runtime.log, publisher, { file: FIXTURE });
    expect(second).toMatchObject({ imported: 0, alreadyPresent: 10_999 });

    const bars = await barsOf(runtime, 'BTCUSDT');
    expect(bars).toHaveLength(10_999);
    expect(bars.map((b) => b.timestamp)).toEqual(fixtureRows.map((row) => Number(row.split(',')[0])));
    expect(bars[0]).toMatchObject({
      open: 16727.3,
      high: 16728.8,
      low: 16726,
      price: 16726.1,
      volume: 691.508,
    });
    await runtime.close();
  });

  it('imports the data.binance.vision layout, headerless with microseconds, and a later file continues the series', async () => {
    const head = tempFile('ETHUSDT-5m-a.csv', fixtureRows.slice(0, 100).map(asVision));
    const overlapping = tempFile('ETHUSDT-5m-b.csv', fixtureRows.slice(50, 150).map(asVision));
    expect(await importKlines(runtime.log, publisher, { file: head })).toMatchObject({
      symbol: 'ETHUSDT',
      format: 'binance-vision',
      imported: 100,
    });
    expect(await importKlines(runtime.log, publisher, { file: overlapping })).toMatchObject({
      imported: 50,
      alreadyPresent: 50,
    });
    expect((await barsOf(runtime, 'ETHUSDT')).map((b) => b.timestamp)).toEqual(
      fixtureRows.slice(0, 150).map((r) => Number(r.split(',')[0])),
    );
    await runtime.close();
  });

  it('reports each bad row with its line number and imports the rest', async () => {
    const rows = fixtureRows.slice(0, 8);
    const file = tempFile('SOLUSDT-5m.csv', [
      'open_time,open,high,low,close,volume',
      rows[0] as string,
      rows[1]!.replace(/,[^,]+$/, ',-3'),
      rows[2]!.replace(/^(\d+),[^,]+/, '$1,abc'),
      rows[3] as string,
      rows[2] as string,
      rows[4]!.split(',').slice(0, 5).join(','),
      rows[5]!.replace(/^(\d+),([^,]+),([^,]+),([^,]+)/, '$1,$2,1,$4'),
      rows[6] as string,
    ]);
    const report = await importKlines(runtime.log, publisher, { file });
    expect(report.imported).toBe(3);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 6, 7, 8]);
    expect(report.rejected[0]?.reason).toContain('volume=-3: must be >= 0');
    expect(report.rejected[1]?.reason).toContain('open "abc" is not a number');
    expect(report.rejected[2]?.reason).toContain('not after the previous bar');
    expect(report.rejected[3]?.reason).toContain('has 5 columns, expected 6');
    expect(report.rejected[4]?.reason).toContain('high=1: must be >= low');
    await expect(
      importKlines(runtime.log, publisher, {
        file: tempFile('SOLUSDT-x.csv', [rows[7]!.replace(/,[^,]+$/, ',-1')]),
        strict: true,
      }),
    ).rejects.toThrow(/SOLUSDT-x\.csv:1: volume=-1/);
    await runtime.close();
  });

  it('refuses bars dated after the wall clock and implausible times, with their line numbers (regression, issue 15: year-3000 rows were imported)', async () => {
    const rows = fixtureRows.slice(0, 3);
    const now = Date.UTC(2026, 10, 30, 12);
    const at = (ms: number): string => rows[0]!.replace(/^\d+/, String(ms));
    const file = tempFile('ADAUSDT-5m.csv', [
      ...rows,
      ...[0, 1, 2].map((i) => at(Date.UTC(3000, 0, 1) + i * 300_000)),
      at(now + 3_600_000),
    ]);
    const report = await importKlines(runtime.log, publisher, { file, now: () => now });
    expect(report.imported).toBe(3);
    expect(report.rejected.map((r) => r.line)).toEqual([4, 5, 6, 7]);
    expect(report.rejected[0]?.reason).toMatch(
      /open_time 32503680000000 is no plausible time in s, ms, us or ns/,
    );
    expect(report.rejected[3]?.reason).toMatch(/is 3540 s past the latest believable time/);
    expect((await barsOf(runtime, 'ADAUSDT')).map((b) => b.timestamp)).toEqual(
      rows.map((r) => Number(r.split(',')[0])),
    );
    await runtime.close();
  });
});
