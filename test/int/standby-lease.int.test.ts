import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorCodes } from '../../src/errors/index.ts';
import { openKafkaRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { KafkaLease } from '../../src/standby/index.ts';
import { createTestTopic, eventually, kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';

const SESSION_MS = 6_000;

/**
 * Stamped now: the test topics keep a day, and the stack checks retention every 5 s, so a record
 * stamped in 2023 could be deleted between its append and the read (CI twice read ['4'] alone).
 */
const record = (n: number) => ({
  key: `k${n}`,
  value: Buffer.from(String(n)),
  timestamp: Date.now(),
});

describe('standby on the real broker', () => {
  const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
  let active: KafkaRuntime;
  let standby: KafkaRuntime;

  beforeAll(async () => {
    active = await openKafkaRuntime(harness.config, silentLogger);
    standby = await openKafkaRuntime(harness.config, silentLogger);
  });
  afterAll(async () => {
    await active.close();
    await standby.close();
  });

  it('one member holds the lease; a standby joining does not take it; it moves when the holder leaves', async () => {
    const topic = await createTestTopic(active, 1);
    const group = uniqueName('lease');
    const lost: string[] = [];
    const leaseOf = (name: string) =>
      new KafkaLease({
        kafka: active.kafka,
        group,
        topic,
        sessionTimeoutMs: SESSION_MS,
        logger: silentLogger,
        onLost: (reason) => lost.push(`${name}: ${reason}`),
      });
    const first = leaseOf('first');
    await first.start();
    await first.held;
    const second = leaseOf('second');
    await second.start();
    const third = leaseOf('third');
    await third.start();
    let secondHeld = false;
    void second.held.then(() => (secondHeld = true));
    let thirdHeld = false;
    void third.held.then(() => (thirdHeld = true));
    // Two rebalances later the lease is where it was.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect([secondHeld, thirdHeld, lost]).toEqual([false, false, []]);

    const left = Date.now();
    await first.stop();
    await eventually(
      () => secondHeld || thirdHeld,
      (held) => held,
      SESSION_MS,
    );
    // One of the two, never both.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(Number(secondHeld) + Number(thirdHeld)).toBe(1);
    expect(Date.now() - left).toBeLessThan(SESSION_MS + 1_500);
    expect(lost).toEqual([]);
    await second.stop();
    await third.stop();
  });

  it('claiming a group fences the instance that held it: its commit is refused, it is told, nothing of it is visible', async () => {
    const topic = await createTestTopic(active, 1);
    const input = await createTestTopic(active, 1);
    const group = uniqueName('fenced');
    const fenced: string[] = [];
    active.log.onFenced((id) => fenced.push(id));
    const commit = (next: number) => ({ group, topic: input, offsets: new Map([[0, next]]) });

    await active.log.append([{ topic, records: [record(1)] }], commit(1));
    await standby.log.claim(group);
    const refused = active.log.append([{ topic, records: [record(2)] }], commit(2));
    await expect(refused).rejects.toMatchObject({ code: ErrorCodes.PRODUCER_FENCED });
    expect(fenced).toEqual([`${harness.config.kafka.clientId}.commit.${group}`]);
    // Refused without asking the broker again.
    await expect(active.log.append([{ topic, records: [record(3)] }], commit(3))).rejects.toMatchObject({
      code: ErrorCodes.PRODUCER_FENCED,
    });

    await standby.log.append([{ topic, records: [record(4)] }], commit(4));
    const values = (await standby.log.read(topic, 0, 0, 100)).map((r) => r.value?.toString());
    expect(values).toEqual(['1', '4']);
    expect((await standby.log.committedOffsets(group, input)).get(0)).toBe(4);
  });

  it('a claim aborts the transaction the fenced instance left open, so readers wait for no timeout', async () => {
    const topic = await createTestTopic(active, 1);
    const group = uniqueName('open');
    const producer = active.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `${harness.config.kafka.clientId}.commit.${group}`,
    });
    await producer.connect();
    // A zombie's transaction, sent and never ended (as a paused or killed instance leaves it).
    const open = await producer.transaction();
    await open.send({ topic, acks: -1, messages: [{ key: 'k', value: 'zombie' }] });
    const claimed = Date.now();
    await standby.log.claim(group);
    await standby.log.append([{ topic, records: [record(5)] }]);
    const values = (await standby.log.read(topic, 0, 0, 100)).map((r) => r.value?.toString());
    expect(values).toEqual(['5']);
    // kafkajs's transaction timeout is 60 s: the abort came from the claim.
    expect(Date.now() - claimed).toBeLessThan(15_000);
    await producer.disconnect();
  });
});
