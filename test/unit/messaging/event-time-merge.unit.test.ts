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

  it('holds a record while a partition with nothing queued has records unread, and asks the log only then', async () => {
    let lookups = 0;
    let ends = new Map([
      [0, 1],
      [1, 3],
    ]);
    const merge = new EventTimeMerge<string>(2, () => {
      lookups++;
      return Promise.resolve(ends);
    });
    merge.push({ record: record(0, 0, 20), value: 'a20' });
    // Partition 1 holds three records not yet delivered: one of them may be earlier.
    expect(await merge.release()).toEqual([]);
    expect(lookups).toBe(1);
    merge.push({ record: record(1, 0, 10), value: 'b10' });
    merge.push({ record: record(1, 1, 30), value: 'b30' });
    // A record after 20 was delivered on partition 1: nothing earlier can come there.
    expect((await merge.release(25)).map((m) => m.value)).toEqual(['b10', 'a20']);
    expect(lookups).toBe(1);
    // Partition 0 is read to its end (a transaction marker at offset 1 included): b30 may go.
    ends = new Map([
      [0, 2],
      [1, 3],
    ]);
    expect(await merge.release()).toEqual([]);
    merge.delivered(0, 2);
    expect((await merge.release()).map((m) => m.value)).toEqual(['b30']);
  });

  it('takes a partition read to its end as clear only as far as `ready` vouches that all is written', async () => {
    let readyThrough = 10;
    let ends = new Map([
      [0, 3],
      [1, 0],
    ]);
    const merge = new EventTimeMerge<string>(
      2,
      () => Promise.resolve(ends),
      new Map(),
      (time) => Promise.resolve(time <= readyThrough),
    );
    for (const [offset, time] of [10, 20, 30].entries())
      merge.push({ record: record(0, offset, time), value: `a${time}` });
    expect((await merge.release()).map((m) => m.value)).toEqual(['a10']);
    // Partition 1 was empty when the log was asked, but only records up to 10 were known to be
    // written. A record at 15 is written there since, not yet delivered: a20 must wait for it.
    readyThrough = 30;
    ends = new Map([
      [0, 3],
      [1, 1],
    ]);
    expect(await merge.release()).toEqual([]);
    merge.push({ record: record(1, 0, 15), value: 'b15' });
    expect((await merge.release()).map((m) => m.value)).toEqual(['b15', 'a20', 'a30']);
  });

  it('ignores a record delivered again after a group rejoin (regression: it was stepped twice)', async () => {
    const merge = new EventTimeMerge<string>(1, () => Promise.resolve(new Map([[0, 2]])));
    merge.push({ record: record(0, 0, 10), value: 'first' });
    merge.push({ record: record(0, 1, 20), value: 'second' });
    merge.push({ record: record(0, 0, 10), value: 'first again' });
    expect((await merge.release()).map((m) => m.value)).toEqual(['first', 'second']);
  });

  it('keeps what it took from the queues when a log look-up fails mid-release (regression: lost, then stepped late)', async () => {
    let failing = true;
    const merge = new EventTimeMerge<string>(2, () =>
      failing
        ? Promise.reject(new Error('broker away'))
        : Promise.resolve(
            new Map([
              [0, 1],
              [1, 2],
            ]),
          ),
    );
    merge.push({ record: record(0, 0, 10), value: 'a10' });
    merge.push({ record: record(1, 0, 10), value: 'b10' });
    merge.push({ record: record(1, 1, 20), value: 'b20' });
    // a10 goes; then partition 0 is empty and may hide another record at 10: the log is asked, and is away.
    await expect(merge.release()).rejects.toThrow('broker away');
    expect(merge.size).toBe(3);
    failing = false;
    expect((await merge.release()).map((m) => m.value)).toEqual(['a10', 'b10', 'b20']);
  });

  describe('a backlog (history read at start-up) and a `ready` gate that only moves forward', () => {
    /** 3,000 records, one a minute, over two partitions, all read; `ready` counts its look-ups. */
    const backlog = (readyThrough: () => number) => {
      let lookups = 0;
      const merge = new EventTimeMerge<number>(
        2,
        () => Promise.resolve(new Map()),
        new Map(),
        (time) => {
          lookups++;
          return Promise.resolve(time <= readyThrough());
        },
      );
      for (let i = 0; i < 3_000; i++) merge.push({ record: record(i % 2, i >> 1, i * 60_000), value: i });
      return { merge, lookups: () => lookups };
    };

    it('releases the whole backlog in a handful of look-ups, not one per record (regression: minutes before the first decision)', async () => {
      const { merge, lookups } = backlog(() => Number.POSITIVE_INFINITY);
      const released = await merge.release();
      expect(released.map((m) => m.value)).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
      expect(lookups()).toBeLessThanOrEqual(3);
    });

    it('stops exactly where `ready` does, found by a binary search', async () => {
      let through = 1_234 * 60_000;
      const { merge, lookups } = backlog(() => through);
      expect((await merge.release()).map((m) => m.value)).toEqual(Array.from({ length: 1_235 }, (_, i) => i));
      expect(lookups()).toBeLessThanOrEqual(2 * 12);
      through = 1_300 * 60_000;
      expect((await merge.release()).map((m) => m.value)).toEqual(
        Array.from({ length: 66 }, (_, i) => 1_235 + i),
      );
    });

    it('releases at most `limit` records at once', async () => {
      const { merge } = backlog(() => Number.POSITIVE_INFINITY);
      expect(await merge.release(Number.POSITIVE_INFINITY, 500)).toHaveLength(500);
      expect(merge.size).toBe(2_500);
    });
  });
});
