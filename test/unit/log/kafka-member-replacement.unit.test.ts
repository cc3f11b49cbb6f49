import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaLog } from '../../../src/log/kafka/kafka-log.ts';
import type { RecordBatch } from '../../../src/log/port.ts';
import { silentLogger } from '../../support/runtimes.ts';

type Listener = (event: { payload: Record<string, unknown> }) => void;
type EachBatch = (payload: unknown) => Promise<void>;

/** The member joins the group: told its assignment, as kafkajs's GROUP_JOIN does. */
function join(member: { listeners: Map<string, Listener>; joined: boolean }): void {
  member.joined = true;
  member.listeners.get('join')?.({ payload: { memberAssignment: { t: [0] } } });
}

/**
 * A kafkajs client whose consumers are recorded; each can crash as kafkajs reports it. As in
 * kafkajs, `run` joins the group (GROUP_JOIN, partition 0 of `t`) before it resolves, unless the
 * join is to fail: then `run` resolves with no group, `seek` throws until kafkajs's restart joins
 * (`rejoin`).
 */
function fakeKafka(options: { firstJoinFails?: boolean } = {}) {
  const members: Array<{
    listeners: Map<string, Listener>;
    eachBatch?: EachBatch;
    seeks: Array<{ topic: string; partition: number; offset: string }>;
    disconnected: boolean;
    joined: boolean;
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
        joined: false,
        eachBatch: undefined as EachBatch | undefined,
      };
      const failsToJoin = options.firstJoinFails === true && members.length === 0;
      members.push(member);
      return {
        events: { GROUP_JOIN: 'join', END_BATCH_PROCESS: 'end_batch', CRASH: 'crash' },
        on: (name: string, listener: Listener) => member.listeners.set(name, listener),
        connect: () => Promise.resolve(),
        subscribe: () => Promise.resolve(),
        run: ({ eachBatch }: { eachBatch: EachBatch }) => {
          member.eachBatch = eachBatch;
          if (!failsToJoin) join(member);
          return Promise.resolve();
        },
        seek: (seek: { topic: string; partition: number; offset: string }) => {
          if (!member.joined)
            throw new Error('Consumer group was not initialized, consumer#run must be called first');
          member.seeks.push(seek);
        },
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
  /** A (re)join of the group: kafkajs's restart after a crash, or a rebalance. */
  const rejoin = (index: number): void => {
    const member = members[index];
    if (member !== undefined) join(member);
  };
  return { kafka, members, crash, rejoin };
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

  it('starts where startAt says even when the first join fails and kafkajs joins again (regression: the seek threw and the service died)', async () => {
    const { kafka, members, rejoin } = fakeKafka({ firstJoinFails: true });
    const log = await KafkaLog.connect(kafka, {
      compression: 'none',
      transactionalIdPrefix: 'test',
      logger: silentLogger,
    });
    let startAt = 5;
    const subscription = await log.subscribe({
      group: 'g',
      topics: ['t'],
      fromBeginning: true,
      startAt: () => startAt,
      handler: () => Promise.resolve(),
    });
    // kafkajs restarts the consumer a moment after the failed join: the seek is made at that join.
    expect(members[0]?.seeks).toEqual([]);
    startAt = 7;
    rejoin(0);
    expect(members[0]?.seeks).toEqual([{ topic: 't', partition: 0, offset: '7' }]);
    // Once a batch of the partition is committed, a later join resumes at the group's offset.
    await members[0]?.eachBatch?.(batchOf(7));
    rejoin(0);
    expect(members[0]?.seeks).toHaveLength(1);
    expect(members).toHaveLength(1);
    await subscription.stop();
  });
});
