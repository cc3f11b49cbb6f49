import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candleRows, CandleStore } from '../../../projections/candles/index.ts';
import type { LogRecord } from '../../../src/log/port.ts';
import { marketDataAt, T0 } from '../../support/messages.ts';

const record = (partition: number, offset: number): LogRecord => ({
  topic: 'crypto.market_data',
  partition,
  offset,
  key: 'BTCUSDT',
  value: null,
  timestamp: T0,
  headers: {},
});

const minute = (n: number): number => T0 + n * 60_000;

describe('the candles', () => {
  it('folds bars into candles (close is the bar price) and offsets; a redelivered record adds nothing', () => {
    const first = candleRows(new Map(), [
      { record: record(0, 0), value: marketDataAt(minute(0), 'BTCUSDT', { price: 68_100 }) },
      { record: record(1, 0), value: marketDataAt(minute(0), 'ETHUSDT') },
    ]);
    expect(first.candles[0]).toEqual({
      symbol: 'BTCUSDT',
      time: minute(0),
      open: 67_500,
      high: 68_500,
      low: 67_200,
      close: 68_100,
      volume: 12_345.67,
    });
    expect([...first.offsets]).toEqual([
      ['crypto.market_data/0', 1],
      ['crypto.market_data/1', 1],
    ]);
    const again = candleRows(first.offsets, [
      { record: record(0, 0), value: marketDataAt(minute(0)) },
      { record: record(0, 1), value: marketDataAt(minute(1)) },
    ]);
    expect(again.candles.map((c) => c.time)).toEqual([minute(1)]);
  });

  it('answers the latest bars, or the bars from a time on, per symbol; a later bar at the same time replaces the first', async () => {
    const store = CandleStore.open(mkdtempSync(join(tmpdir(), 'cml-candles-')));
    const bars = [0, 1, 2, 3, 4].flatMap((n) => [
      marketDataAt(minute(n), 'BTCUSDT', { price: 68_000 + n }),
      marketDataAt(minute(n), 'ETHUSDT'),
    ]);
    const { candles, offsets } = candleRows(
      new Map(),
      bars.map((value, offset) => ({ record: record(0, offset), value })),
    );
    await store.commit(offsets, candles);
    await store.commit(
      offsets,
      candleRows(new Map(), [
        { record: record(0, 10), value: marketDataAt(minute(4), 'BTCUSDT', { price: 1 }) },
      ]).candles,
    );
    expect(store.symbols()).toEqual(['BTCUSDT', 'ETHUSDT']);
    const times = (list: { time: number }[]): number[] => list.map((c) => (c.time - T0) / 60_000);
    expect(times(store.candles({ symbol: 'BTCUSDT', limit: 2 }))).toEqual([3, 4]);
    expect(store.candles({ symbol: 'BTCUSDT', limit: 1 })[0]?.close).toBe(1);
    expect(times(store.candles({ symbol: 'BTCUSDT', from: minute(1), limit: 2 }))).toEqual([1, 2]);
    expect(store.candles({ symbol: 'SOLUSDT', limit: 5 })).toEqual([]);
    expect([...store.offsets()]).toEqual([...offsets]);
    await store.close();
  });
});
