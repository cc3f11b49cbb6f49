import { describe, expect, it } from 'vitest';
import { partitionFor } from '../../../src/log/partitioner.ts';
import { groupPassed } from '../../../src/messaging/index.ts';
import { openEmbeddedRuntime } from '../../../src/runtime/index.ts';
import { embeddedHarness } from '../../support/runtimes.ts';

describe('whether a group has passed a time', () => {
  it('holds on a partition where the group processed a record at or after it, or everything there is', async () => {
    const runtime = openEmbeddedRuntime(embeddedHarness().config);
    await runtime.topicAdmin.createTopics([
      { name: 'bars', partitions: 2, retentionMs: -1, keyField: 'k', description: '' },
    ]);
    const [a, b] = ['k0', 'k1', 'k2', 'k3'].reduce<string[]>(
      (keys, key) => (keys.some((k) => partitionFor(k, 2) === partitionFor(key, 2)) ? keys : [...keys, key]),
      [],
    ) as [string, string];
    const [pa, pb] = [partitionFor(a, 2), partitionFor(b, 2)];
    const bar = (key: string, t: number) => ({ key, value: Buffer.from(String(t)), timestamp: t });
    await runtime.log.append([{ topic: 'bars', records: [bar(a, 10), bar(a, 20), bar(a, 30), bar(b, 10)] }]);
    const passed = (time: number) => groupPassed(runtime.log, 'g', 'bars', time);
    const commit = (offsets: Array<[number, number]>, lastTimes: Array<[number, number]>) =>
      runtime.log.append([], {
        group: 'g',
        topic: 'bars',
        offsets: new Map(offsets),
        lastTimes: new Map(lastTimes),
      });

    // Nothing processed: not even the first time passed.
    expect(await passed(10)).toBe(false);
    // a: the record at 20 processed (every record before 20 too); b: everything there is.
    await commit(
      [
        [pa, 2],
        [pb, 1],
      ],
      [
        [pa, 20],
        [pb, 10],
      ],
    );
    expect(await passed(20)).toBe(true);
    expect(await passed(21)).toBe(false);
    // b is at its end: a later time passes there, until b gets a record the group has not processed.
    await commit(
      [
        [pa, 3],
        [pb, 1],
      ],
      [
        [pa, 30],
        [pb, 10],
      ],
    );
    expect(await passed(25)).toBe(true);
    await runtime.log.append([{ topic: 'bars', records: [bar(b, 25)] }]);
    expect(await passed(25)).toBe(false);
    await runtime.close();
  });
});
