import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/log/port.ts';
import { EventTimeMerge } from '../../../src/messaging/index.ts';

const record = (partition: number, offset: number, timestamp: number): LogRecord => ({
  topic: 't',
  partition,
  offset,
  key: null,
  value: null,
  timestamp,
  headers: {},
});

describe('the event-time merge', () => {
  it('releases across partitions in (time, partition) order once nothing earlier can come', async () => {
    const merge = new EventTimeMerge<string>(2, () =>
      Promise.resolve(
        new Map([
          [0, 2],
          [1, 2],
        ]),
      ),
    );
    merge.push({ record: record(1, 0, 10), value: 'b10' });
    merge.push({ record: record(0, 0, 20), value: 'a20' });
    merge.push({ record: record(1, 1, 20), value: 'b20' });
    merge.push({ record: record(0, 1, 30), value: 'a30' });
    expect((await merge.release()).map((m) => m.value)).toEqual(['b10', 'a20', 'b20', 'a30']);
  });

  it('ignores a record delivered again after a group rejoin (regression: it was stepped twice)', async () => {
    const merge = new EventTimeMerge<string>(1, () => Promise.resolve(new Map([[0, 2]])));
    merge.push({ record: record(0, 0, 10), value: 'first' });
    merge.push({ record: record(0, 1, 20), value: 'second' });
    merge.push({ record: record(0, 0, 10), value: 'first again' });
    expect((await merge.release()).map((m) => m.value)).toEqual(['first', 'second']);
  });
});
