import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaLease } from '../../../src/standby/index.ts';
import { silentLogger } from '../../support/runtimes.ts';

interface JoinEvent {
  readonly payload: { readonly memberAssignment: Record<string, number[]>; readonly memberId: string };
}

interface CrashEvent {
  readonly payload: { readonly error: Error; readonly restart: boolean };
}

/**
 * A kafkajs consumer whose first join failed ("the coordinator is loading"): run() has resolved,
 * and kafkajs, restarting the consumer, has no consumer group yet, so pause() throws until it joins.
 */
function restartingConsumer() {
  const listeners = new Map<string, (event: never) => void>();
  const state = { joined: false, paused: [] as string[] };
  const consumer = {
    events: { HEARTBEAT: 'heartbeat', GROUP_JOIN: 'group_join', CRASH: 'crash' },
    on: (name: string, listener: (event: never) => void) => listeners.set(name, listener),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    pause: (topics: Array<{ topic: string }>) => {
      if (!state.joined)
        throw new Error('Consumer group was not initialized, consumer#run must be called first');
      state.paused.push(...topics.map((t) => t.topic));
    },
    disconnect: () => Promise.resolve(),
  };
  const join = (partitions: number[]): void => {
    state.joined = true;
    const listener = listeners.get('group_join') as ((event: JoinEvent) => void) | undefined;
    listener?.({ payload: { memberAssignment: { lease: partitions }, memberId: 'm-1' } });
  };
  const crash = (restart: boolean): void => {
    const listener = listeners.get('crash') as ((event: CrashEvent) => void) | undefined;
    listener?.({ payload: { error: new Error('Failed to find group coordinator'), restart } });
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, state, join, crash };
}

/** A lease on the fake consumer, and the reasons it gave for being lost. */
function leaseOn(kafka: Kafka): { lease: KafkaLease; lost: string[] } {
  const lost: string[] = [];
  const lease = new KafkaLease({
    kafka,
    group: 'g.lease',
    topic: 'lease',
    sessionTimeoutMs: 10_000,
    logger: silentLogger,
    onLost: (reason) => lost.push(reason),
  });
  return { lease, lost };
}

describe('KafkaLease', () => {
  it('starts while its consumer is still restarting after a failed join, and pauses the lease partition once joined', async () => {
    const { kafka, state, join } = restartingConsumer();
    const { lease, lost } = leaseOn(kafka);
    // Before the fix, start() paused right after run() and crashed the process here.
    await lease.start();
    let held = false;
    void lease.held.then(() => (held = true));
    join([0]);
    await Promise.resolve();
    expect({ held, paused: state.paused, lost }).toEqual({ held: true, paused: ['lease'], lost: [] });
    await lease.stop();
  });

  it('a holder that the group stops assigning the lease to steps down', async () => {
    const { kafka, join } = restartingConsumer();
    const { lease, lost } = leaseOn(kafka);
    await lease.start();
    join([0]);
    join([]);
    expect(lost).toEqual(['the lease group gave the lease to another member']);
    await lease.stop();
  });

  it('a standby whose consumer kafkajs gave up on steps down instead of waiting on nothing; one kafkajs restarts waits on', async () => {
    const { kafka, crash } = restartingConsumer();
    const { lease, lost } = leaseOn(kafka);
    await lease.start();
    crash(true);
    expect(lost).toEqual([]);
    crash(false);
    expect(lost).toEqual(['the lease consumer stopped: Failed to find group coordinator']);
    await lease.stop();
  });
});
