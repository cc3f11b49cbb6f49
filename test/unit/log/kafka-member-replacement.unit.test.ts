import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaLog } from '../../../src/log/kafka/kafka-log.ts';
import type { RecordBatch } from '../../../src/log/port.ts';
import { silentLogger } from '../../support/runtimes.ts';

type Listener = (event: { payload: Record<string, unknown> }) => void;
type EachBatch = (payload: unknown) => Promise<void>;

/** A kafkajs client whose consumers are recorded; each can crash as kafkajs reports it. */
function fakeKafka() {
  const members: Array<{
    listeners: Map<string, Listener>;
    eachBatch?: EachBatch;
    seeks: Array<{ topic: string; partition: number; offset: string }>;
    disconnected: boolean;
  }> = [];
  const kafka = {
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      listTopics: () => Promise.resolve(['t']),
      fetchTopicMetadata: () =>
        Promise.resolve({ topics: [{ name: 't', partitions: [{ partitionId: 0 }] }] }),
    }),
    consumer: () => {
      const member = {
        listeners: new Map<string, Listener>(),
        seeks: [] as Array<{ topic: string; partition: number; offset: string }>,
        disconnected: false,
        eachBatch: undefined as EachBatch | undefined,
      };
      members.push(member);
      return {
        events: { GROUP_JOIN: 'join', END_BATCH_PROCESS: 'end_batch', CRASH: 'crash' },
        on: (name: string, listener: Listener) => member.listeners.set(name, listener),
        connect: () => Promise.resolve(),
        subscribe: () => Promise.resolve(),
        run: ({ eachBatch }: { eachBatch: EachBatch }) => {
          member.eachBatch = eachBatch;
          return Promise.resolve();
        },
        seek: (seek: { topic: string; partition: number; offset: string }) => member.seeks.push(seek),
        commitOffsets: () => Promise.resolve(),
        disconnect: () => {
          member.disconnected = true;
          return Promise.resolve();
        },
      };
    },
  } as unknown as Kafka;
  const crash = (index: number, restart: boolean): void =>
    members[index]?.listeners.get('crash')?.({ payload: { error: new Error('not retriable'), restart } });
  return { kafka, members, crash };
}

/** One fetched batch as kafkajs hands it to eachBatch. */
const batchOf = (offset: number) => ({
  batch: {
    topic: 't',
    partition: 0,
    messages: [
      { offset: String(offset), key: null, value: Buffer.from('v'), timestamp: '1000', headers: {} },
    ],
    lastOffset: () => String(offset),
  },
  isRunning: () => true,
  isStale: () => false,
  resolveOffset: () => undefined,
  heartbeat: () => Promise.resolve(),
});

describe('a Kafka subscription', () => {
  it('replaces a member kafkajs gave up on, resuming at the committed offsets; kafkajs restarts the others itself', async () => {
    const { kafka, members, crash } = fakeKafka();
    const log = await KafkaLog.connect(kafka, {
      compression: 'none',
      transactionalIdPrefix: 'test',
      logger: silentLogger,
    });
    const seen: number[] = [];
    const subscription = await log.subscribe({
      group: 'g',
      topics: ['t'],
      fromBeginning: true,
      startAt: () => 5,
      handler: (batch: RecordBatch) => {
        seen.push(...batch.records.map((r) => r.offset));
        return Promise.resolve();
      },
    });
    expect(members).toHaveLength(1);
    expect(members[0]?.seeks).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
    await members[0]?.eachBatch?.(batchOf(5));
    // kafkajs restarts this one itself: no new member.
    crash(0, true);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(members).toHaveLength(1);
    // This one it gives up on: a new member joins a moment later and reads on.
    crash(0, false);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(members).toHaveLength(2);
    // The replacement starts at the group's committed offsets, not where the first was told to.
    expect(members[1]?.seeks).toEqual([]);
    await members[1]?.eachBatch?.(batchOf(6));
    expect(seen).toEqual([5, 6]);
    await subscription.stop();
    expect(members[1]?.disconnected).toBe(true);
  });
});
