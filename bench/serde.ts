/**
 * Avro (Confluent wire format, our serde) against JSON, side by side in one process: encode and
 * decode throughput and message size for each topic's value. Writes bench/results/serde.md.
 *
 *   npx tsx bench/serde.ts [messages-per-topic]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import type { DataTopic, TopicValues } from '../src/contracts/index.ts';
import { openEmbeddedRuntime } from '../src/runtime/index.ts';
import { AvroSerde } from '../src/serde/index.ts';
import { marketDataAt, pendingOrder, signalAt } from '../test/support/messages.ts';

const count = Number(process.argv[2] ?? 200_000);
const jitter = (i: number, base: number): number => base * (1 + Math.sin(i) * 0.01);

const samples: { [K in DataTopic]: (i: number) => TopicValues[K] } = {
  'crypto.market_data': (i) =>
    marketDataAt(1_700_000_000_000 + i * 60_000, 'BTCUSDT', {
      price: jitter(i, 68_000.5),
      volume: jitter(i, 12.345),
    }),
  'crypto.ml_signals': (i) =>
    signalAt(1_700_000_000_000 + i * 60_000, {
      confidence: (i % 100) / 100,
      predicted_value: jitter(i, 69_500),
    }),
  'crypto.orders': (i) =>
    pendingOrder({
      order_id: `ORD-20231128-${String(i).padStart(6, '0')}`,
      timestamp: 1_700_000_000_000 + i,
    }),
};

interface Row {
  topic: string;
  format: string;
  encodePerSec: number;
  decodePerSec: number;
  bytes: number;
}

async function time(fn: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const runtime = openEmbeddedRuntime(
  loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-serde-')) } }),
);
const serde = await AvroSerde.create(runtime.registry);
const rows: Row[] = [];

for (const topic of Object.keys(samples) as DataTopic[]) {
  const values = Array.from({ length: count }, (_, i) => samples[topic](i) as never);
  // Warm-up, so both paths are measured with optimised code.
  for (const value of values.slice(0, 20_000)) {
    await serde.decode(topic, serde.encode(topic, value));
    JSON.parse(Buffer.from(JSON.stringify(value)).toString());
  }
  let avro: Buffer[] = [];
  let json: Buffer[] = [];
  const avroEncode = await time(() => (avro = values.map((v) => serde.encode(topic, v))));
  const avroDecode = await time(async () => {
    for (const bytes of avro) await serde.decode(topic, bytes);
  });
  const jsonEncode = await time(() => (json = values.map((v) => Buffer.from(JSON.stringify(v)))));
  const jsonDecode = await time(() => {
    for (const bytes of json) JSON.parse(bytes.toString('utf8'));
  });
  const size = (buffers: Buffer[]): number =>
    buffers.reduce((total, b) => total + b.length, 0) / buffers.length;
  rows.push({
    topic,
    format: 'avro',
    encodePerSec: count / avroEncode,
    decodePerSec: count / avroDecode,
    bytes: size(avro),
  });
  rows.push({
    topic,
    format: 'json',
    encodePerSec: count / jsonEncode,
    decodePerSec: count / jsonDecode,
    bytes: size(json),
  });
}
await runtime.close();

const k = (n: number): string => `${Math.round(n / 1000)}k`;
const lines = [
  `# Serde: Avro (wire format) vs JSON`,
  '',
  `Command: \`npx tsx bench/serde.ts ${count}\` on ${process.version}, ${count} messages per topic, one process.`,
  `Avro includes the 5-byte wire header and, on decode, the schema-id look-up; the values are the same objects for both formats.`,
  '',
  '| topic | avro encode/s | json encode/s | encode ratio | avro decode/s | json decode/s | decode ratio | avro bytes | json bytes | size ratio |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const topic of Object.keys(samples)) {
  const a = rows.find((r) => r.topic === topic && r.format === 'avro') as Row;
  const j = rows.find((r) => r.topic === topic && r.format === 'json') as Row;
  lines.push(
    `| ${topic} | ${k(a.encodePerSec)} | ${k(j.encodePerSec)} | ${(a.encodePerSec / j.encodePerSec).toFixed(2)}x | ${k(a.decodePerSec)} | ${k(j.decodePerSec)} | ${(a.decodePerSec / j.decodePerSec).toFixed(2)}x | ${a.bytes.toFixed(0)} | ${j.bytes.toFixed(0)} | ${(a.bytes / j.bytes).toFixed(2)} |`,
  );
}
lines.push(
  '',
  'Ratios are Avro / JSON: above 1 means Avro is faster; a size ratio below 1 means Avro is smaller.',
  '',
);
writeFileSync(new URL('results/serde.md', import.meta.url), lines.join('\n'));
console.log(lines.join('\n'));
