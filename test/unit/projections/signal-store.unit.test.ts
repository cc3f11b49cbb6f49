import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signalRows } from '../../../projections/signals/signal-rows.ts';
import { SignalStore } from '../../../projections/signals/signal-store.ts';
import type { LogRecord } from '../../../src/log/port.ts';
import { signalAt, T0 } from '../../support/messages.ts';

const record = (partition: number, offset: number): LogRecord => ({
  topic: 'crypto.ml_signals',
  partition,
  offset,
  key: 'BTCUSDT',
  value: null,
  timestamp: T0,
  headers: {},
});

describe('the signal history', () => {
  it('folds a batch into rows and offsets; a redelivered record adds nothing', () => {
    const first = signalRows(new Map(), [
      { record: record(0, 0), value: signalAt(T0) },
      { record: record(1, 0), value: signalAt(T0 + 1) },
    ]);
    expect(first.rows).toHaveLength(2);
    expect([...first.offsets]).toEqual([
      ['crypto.ml_signals/0', 1],
      ['crypto.ml_signals/1', 1],
    ]);
    const again = signalRows(first.offsets, [
      { record: record(0, 0), value: signalAt(T0) },
      { record: record(0, 1), value: signalAt(T0 + 2) },
    ]);
    expect(again.rows.map((r) => r.offset)).toEqual([1]);
  });

  it('pages through signals of the same time without losing or repeating one', async () => {
    const store = SignalStore.open(mkdtempSync(join(tmpdir(), 'cml-signals-')));
    // Seven signals at one instant, over three partitions.
    await store.commit(
      new Map(),
      Array.from({ length: 7 }, (_, i) => ({
        signal: signalAt(T0),
        partition: i % 3,
        offset: Math.floor(i / 3),
      })),
    );
    const seen: string[] = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const page = store.signals({ limit: 2, ...(after === undefined ? {} : { after }) });
      seen.push(...page.rows.map((r) => `${r.partition}/${r.offset}`));
      if (page.next === undefined) break;
      after = page.next;
    }
    expect(seen).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1', '2/0', '2/1']);
    expect(store.signals({ limit: 10, from: T0 + 1 }).rows).toEqual([]);
    expect(store.signals({ limit: 10, to: T0 - 1 }).rows).toEqual([]);
    await store.close();
  });
});
