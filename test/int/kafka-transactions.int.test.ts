import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../src/log/kafka/create-kafka.ts';
import { openKafkaRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { createTestTopic, eventually, kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';

/** Reads every record of a topic visible at an isolation level, from the beginning, with a fresh group. */
async function visibleValues(
  kafka: Kafka,
  topic: string,
  readUncommitted: boolean,
  expected: number,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      values.push(message.value?.toString() ?? '');
      return Promise.resolve();
    },
  });
  // Wait for what should be there, then a little longer so that anything extra would show up too.
  await eventually(
    () => values.length,
    (n) => n >= expected,
    20_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await consumer.disconnect();
  return values;
}

describe('kafkajs against the real broker', () => {
  let runtime: KafkaRuntime;
  let kafka: Kafka;

  beforeAll(async () => {
    const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
    runtime = await openKafkaRuntime(harness.config, silentLogger);
    kafka = createKafka(harness.config.kafka, silentLogger);
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('produces idempotently and consumes in a group', async () => {
    const topic = await createTestTopic(runtime, 3);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 30 }, (_, n) => ({ key: `k${n % 5}`, value: String(n) })),
    });
    await producer.disconnect();
    expect((await visibleValues(kafka, topic, false, 30)).map(Number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, n) => n),
    );
  });

  it('commits a transaction with sendOffsets: output and consumer offsets together', async () => {
    const source = await createTestTopic(runtime, 1);
    const sink = await createTestTopic(runtime, 1);
    const group = uniqueName('txn-group');
    await runtime.log.append([
      { topic: source, records: [{ key: 'a', value: Buffer.from('1'), timestamp: Date.now() }] },
    ]);
    const producer = kafka.producer({
      transactionalId: uniqueName('txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic: sink, messages: [{ key: 'a', value: 'derived' }] });
    await transaction.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: source, partitions: [{ partition: 0, offset: '1' }] }],
    });
    await transaction.commit();
    await producer.disconnect();

    expect(await visibleValues(kafka, sink, false, 1)).toEqual(['derived']);
    expect(await runtime.log.committedOffsets(group, source)).toEqual(new Map([[0, 1]]));
  });

  it('hides an aborted transaction from read_committed consumers', async () => {
    const topic = await createTestTopic(runtime, 1);
    const group = uniqueName('aborted-group');
    const producer = kafka.producer({
      transactionalId: uniqueName('txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'a', value: 'aborted' }] });
    await aborted.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }],
    });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'a', value: 'committed' }] });
    await committed.commit();
    await producer.disconnect();

    expect(await visibleValues(kafka, topic, false, 1)).toEqual(['committed']);
    expect(await visibleValues(kafka, topic, true, 2)).toEqual(['aborted', 'committed']);
    expect(await runtime.log.committedOffsets(group, topic)).toEqual(new Map());
  });
});
