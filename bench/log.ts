/**
 * The log port's two adapters side by side on the same market-data records: append and consume
 * throughput of the embedded LMDB log and of Kafka through kafkajs, and the broker's own ceiling
 * measured with Kafka's perf tools (ProducerPerformance / ConsumerPerformance) on the same record
 * size, all in one run. Needs the local stack (npm run stack:up). Writes bench/results/log.md.
 *
 *   npx tsx bench/log.ts [records]      (default 1,000,000)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.ts';
import { MARKET_DATA } from '../src/contracts/index.ts';
import type { AppendRecord } from '../src/log/port.ts';
import { openEmbeddedRuntime, openKafkaRuntime, prepareRuntime, type Runtime } from '../src/runtime/index.ts';
import { AvroSerde } from '../src/serde/index.ts';
import { marketDataAt } from '../test/support/messages.ts';
import { createTestTopic, silentLogger } from '../test/support/runtimes.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const CHUNK = 5_000;
const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

function records(serde: AvroSerde): AppendRecord[] {
  return Array.from({ length: total }, (_, n) => {
    const bar = marketDataAt(1_700_000_000_000 + Math.floor(n / 3) * 60_000, symbols[n % 3], {
      price: 68_000 + (n % 500),
      volume: n % 1000,
    });
    return { key: bar.symbol, value: serde.encode(MARKET_DATA, bar), timestamp: bar.timestamp };
  });
}

async function measure(
  runtime: Runtime,
  input: AppendRecord[],
): Promise<{ append: number; consume: number }> {
  // Kept forever: the records carry 2023 event times, which the dev broker would otherwise delete within seconds.
  const topic = await createTestTopic(runtime, 3, -1);
  let started = process.hrtime.bigint();
  for (let i = 0; i < input.length; i += CHUNK)
    await runtime.log.append([{ topic, records: input.slice(i, i + CHUNK) }]);
  const appendSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  started = process.hrtime.bigint();
  let seen = 0;
  await new Promise<void>((resolve) => {
    void runtime.log.subscribe({
      group: `bench-${topic}`,
      topics: [topic],
      fromBeginning: true,
      handler: (batch) => {
        seen += batch.records.length;
        if (seen >= input.length) resolve();
        return Promise.resolve();
      },
    });
  });
  const consumeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { append: input.length / appendSeconds, consume: input.length / consumeSeconds };
}

function kafkaPerfTools(recordSize: number): { produce: number; consume: number } {
  const stack = fileURLToPath(new URL('../.stack/dist/', import.meta.url));
  const kafkaDir = readdirSync(stack).find((d) => d.startsWith('kafka-'));
  if (kafkaDir === undefined) throw new Error('Kafka is not fetched: run npm run stack:up');
  const classpath = join(stack, kafkaDir, 'libs', '*');
  const topic = `bench-perf-${Date.now()}`;
  const java = (main: string, args: string[]): string =>
    execFileSync('java', ['-Xmx512m', '-Dlog4j2.level=warn', '-cp', classpath, main, ...args], {
      encoding: 'utf8',
    });
  java('org.apache.kafka.tools.TopicCommand', [
    '--bootstrap-server',
    brokers,
    '--create',
    '--topic',
    topic,
    '--partitions',
    '3',
  ]);
  const produced = java('org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    topic,
    '--num-records',
    String(total),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${brokers}`,
    'acks=all',
    'enable.idempotence=true',
    'compression.type=gzip',
    'max.in.flight.requests.per.connection=1',
  ]);
  const produceRate = Number(/([\d.]+) records\/sec/.exec(produced.trim().split('\n').at(-1) ?? '')?.[1]);
  const consumed = java('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    brokers,
    '--topic',
    topic,
    '--messages',
    String(total),
    '--hide-header',
  ]);
  // Columns: start, end, MB consumed, MB/s, messages, messages/s, ...
  const consumeRate = Number(consumed.trim().split('\n').at(-1)?.split(',')[5]);
  return { produce: produceRate, consume: consumeRate };
}

const embedded = openEmbeddedRuntime(
  loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-log-')) } }),
);
const kafkaConfig = loadConfig({
  env: { CML_RUNTIME: 'kafka', KAFKA_BROKERS: brokers, SCHEMA_REGISTRY_URL: registryUrl },
});
const kafka = await openKafkaRuntime(kafkaConfig, silentLogger);
await prepareRuntime(kafka, kafkaConfig);
const input = records(await AvroSerde.create(embedded.registry));
const recordSize = Math.round(input.reduce((sum, r) => sum + r.value.length, 0) / input.length);

console.log(`embedded: ${total} records...`);
const e = await measure(embedded, input);
console.log(`kafka (kafkajs): ${total} records...`);
const k = await measure(kafka, input);
console.log('kafka perf tools...');
const p = kafkaPerfTools(recordSize);
await embedded.close();
await kafka.close();

const rate = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`;
const lines = [
  '# Log: embedded (LMDB) vs Kafka (kafkajs) vs the broker ceiling',
  '',
  `Command: \`npx tsx bench/log.ts ${total}\` on ${process.version}; ${total.toLocaleString('en-US')} market-data records of ${recordSize} bytes (Avro, wire format),`,
  `3 symbols over 3 partitions, appended in batches of ${CHUNK} through the log port (on Kafka a multi-partition batch is one`,
  "transaction), consumed by one group from the beginning. The ceiling is Kafka's own ProducerPerformance (acks=all, idempotent,",
  'gzip, one request in flight, like our producer) and ConsumerPerformance on the same record size, against the same local broker.',
  '',
  '| path | append records/s | consume records/s | append vs kafkajs | consume vs kafkajs |',
  '|---|---|---|---|---|',
  `| embedded log (LMDB, durable commits) | ${rate(e.append)} | ${rate(e.consume)} | ${(e.append / k.append).toFixed(2)}x | ${(e.consume / k.consume).toFixed(2)}x |`,
  `| Kafka through kafkajs (our adapter) | ${rate(k.append)} | ${rate(k.consume)} | 1.00x | 1.00x |`,
  `| Kafka perf tools (Java client) | ${rate(p.produce)} | ${rate(p.consume)} | ${(p.produce / k.append).toFixed(2)}x | ${(p.consume / k.consume).toFixed(2)}x |`,
  '',
];
writeFileSync(new URL('results/log.md', import.meta.url), lines.join('\n'));
console.log(lines.join('\n'));
