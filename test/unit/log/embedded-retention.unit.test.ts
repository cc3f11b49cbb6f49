import { describe, expect, it } from 'vitest';
import { openEmbeddedRuntime } from '../../../src/runtime/index.ts';
import { embeddedHarness } from '../../support/runtimes.ts';

describe('embedded log retention', () => {
  it('deletes records older than the topic retention by event time, keeping offsets and the rest', async () => {
    const runtime = openEmbeddedRuntime(embeddedHarness().config);
    const hour = 3_600_000;
    await runtime.topicAdmin.createTopics([
      { name: 'bars', partitions: 1, retentionMs: 24 * hour, keyField: 'k', description: '' },
    ]);
    const now = 100 * hour;
    const ages = [30, 25, 23, 1];
    await runtime.log.append([
      {
        topic: 'bars',
        records: ages.map((age) => ({
          key: 'k',
          value: Buffer.from(String(age)),
          timestamp: now - age * hour,
        })),
      },
    ]);

    expect(await runtime.log.enforceRetention(now)).toBe(2);
    const left = await runtime.log.read('bars', 0, 0, 10);
    expect(left.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [2, '23'],
      [3, '1'],
    ]);
    expect(await runtime.log.endOffsets('bars')).toEqual(new Map([[0, 4]]));
    expect(await runtime.log.enforceRetention(now)).toBe(0);
    await runtime.close();
  });
});
