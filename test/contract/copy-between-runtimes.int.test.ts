import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyTopic } from '../../src/copy/copy-topic.ts';
import type { AppendRecord, LogRecord } from '../../src/log/port.ts';
import type { Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { marketDataAt } from '../support/messages.ts';
import { createTestTopic, embeddedHarness, kafkaHarness } from '../support/runtimes.ts';

async function everything(
  runtime: Runtime,
  topic: string,
): Promise<
  Array<{
    partition: number;
    key: string | null;
    timestamp: number;
    headers: LogRecord['headers'];
    value: unknown;
  }>
> {
  const serde = await AvroSerde.create(runtime.registry);
  const out = [];
  for (const [partition, end] of await runtime.log.endOffsets(topic)) {
    for (const record of await runtime.log.read(topic, partition, 0, end)) {
      const value = await serde.decodeAny(record.value).then(
        (decoded) => decoded.value,
        () => record.value?.toString('base64'),
      );
      out.push({ partition, key: record.key, timestamp: record.timestamp, headers: record.headers, value });
    }
  }
  return out;
}

describe('copy between runtimes', () => {
  let embedded: Runtime;
  let kafka: Runtime;
  let back: Runtime;
  beforeAll(async () => {
    embedded = await embeddedHarness().open();
    kafka = await kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')).open();
    back = await embeddedHarness().open();
  });
  afterAll(async () => {
    await Promise.all([embedded.close(), kafka.close(), back.close()]);
  });

  it('moves a topic embedded -> Kafka -> embedded with keys, timestamps, headers, order and values intact', async () => {
    // Kept forever (and so is its copy on Kafka): the bars carry 2023 times, which the dev broker's retention would delete within seconds.
    const topic = await createTestTopic(embedded, 3, -1);
    const serde = await AvroSerde.create(embedded.registry);
    const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'];
    const records: AppendRecord[] = Array.from({ length: 200 }, (_, n) => {
      const bar = marketDataAt(1_700_000_000_000 + n * 60_000, symbols[n % 4]);
      return {
        key: bar.symbol,
        value: serde.encode('crypto.market_data', bar),
        timestamp: bar.timestamp,
        headers: { n: String(n) },
      };
    });
    records.push({
      key: 'BTCUSDT',
      value: Buffer.from('a dead letter, not Avro'),
      timestamp: 1,
      headers: { 'dlq.reason': 'test' },
    });
    await embedded.log.append([{ topic, records }]);

    const there = await copyTopic(embedded, kafka, { topic, chunk: 64 });
    expect(there.copied).toBe(201);
    const home = await copyTopic(kafka, back, { topic });
    expect(home.copied).toBe(201);

    const original = await everything(embedded, topic);
    expect(await everything(back, topic)).toEqual(original);
    expect(original.filter((r) => typeof r.value === 'object')).toHaveLength(200);
  });

  it('copies an offset range only', async () => {
    const topic = await createTestTopic(embedded, 1, -1);
    await embedded.log.append([
      {
        topic,
        records: Array.from({ length: 10 }, (_, n) => ({
          key: 'k',
          value: Buffer.from(String(n)),
          timestamp: n,
        })),
      },
    ]);
    const result = await copyTopic(embedded, back, { topic, fromOffset: 3, toOffset: 7 });
    expect(result.copied).toBe(4);
    expect((await back.log.read(topic, 0, 0, 10)).map((r) => r.value?.toString())).toEqual([
      '3',
      '4',
      '5',
      '6',
    ]);
  });
});
