/**
 * Import throughput of a 1M-bar kline CSV into the embedded log and into Kafka, beside the rate of
 * reading and parsing the same file alone (the ceiling of the import path), in one run. Needs the
 * local stack for the Kafka row (npm run stack:up). Writes bench/results/ingest.md.
 *
 *   npx tsx bench/ingest.ts [bars]      (default 1,000,000)
 */
import { createReadStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config/index.ts';
import { importKlines } from '../src/ingest/import-klines.ts';
import { parseKlineRow } from '../src/ingest/kline-row.ts';
import { MarketSimulator } from '../src/ingest/simulator/market-simulator.ts';
import { Publisher } from '../src/messaging/index.ts';
import { openEmbeddedRuntime, openKafkaRuntime, prepareRuntime, type Runtime } from '../src/runtime/index.ts';
import { AvroSerde } from '../src/serde/index.ts';
import { silentLogger } from '../test/support/runtimes.ts';

const bars = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const file = join(dir, 'BTCUSDT-1m-simulated.csv');

const simulator = new MarketSimulator({
  symbols: [{ symbol: 'BTCUSDT', startPrice: 30_000, annualVolatility: 0.6, baseVolume: 100 }],
  intervalMs: 60_000,
  start: Date.UTC(2022, 0, 1),
  seed: 1,
});
const lines = ['open_time,open,high,low,close,volume'];
for (let i = 0; i < bars; i++) {
  const [bar] = simulator.next();
  if (bar !== undefined)
    lines.push(`${bar.timestamp},${bar.open},${bar.high},${bar.low},${bar.price},${bar.volume}`);
}
writeFileSync(file, `${lines.join('\n')}\n`);
console.log(`wrote ${bars} bars (${(statSync(file).size / 1e6).toFixed(1)} MB) to ${file}`);

async function parseOnly(): Promise<number> {
  const started = process.hrtime.bigint();
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }) })) {
    if (parseKlineRow(line, 'ohlcv', 'BTCUSDT').ok === true) n++;
  }
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function importInto(runtime: Runtime, config: ReturnType<typeof loadConfig>): Promise<number> {
  await prepareRuntime(runtime, config);
  const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
  const started = process.hrtime.bigint();
  // A symbol of its own, so earlier runs on the same Kafka do not count as "already present".
  const report = await importKlines(runtime.log, publisher, {
    file,
    symbol: `B${Date.now().toString(36).slice(-5).toUpperCase().replace(/\d/g, 'X')}USDT`,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (report.imported !== bars) throw new Error(`imported ${report.imported} of ${bars}`);
  return bars / seconds;
}

const parse = await parseOnly();
const embeddedConfig = loadConfig({ env: { CML_DATA_DIR: join(dir, 'data') } });
const embedded = await importInto(openEmbeddedRuntime(embeddedConfig), embeddedConfig);
// Brokers and registry from KAFKA_BROKERS / SCHEMA_REGISTRY_URL, or the local stack's defaults.
const kafkaConfig = loadConfig({ overrides: { runtime: 'kafka' } });
const kafkaRuntime = await openKafkaRuntime(kafkaConfig, silentLogger);
const kafka = await importInto(kafkaRuntime, kafkaConfig);
await kafkaRuntime.close();

const rate = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`;
const out = [
  '# Ingest: kline CSV import',
  '',
  `Command: \`npx tsx bench/ingest.ts ${bars}\` on ${process.version}; a ${bars.toLocaleString('en-US')}-bar simulated 1m BTCUSDT file in the`,
  '`open_time,open,high,low,close,volume` layout; each import parses, validates, Avro-encodes and appends in batches of 5,000.',
  '',
  '| path | bars/s | vs parse only |',
  '|---|---|---|',
  `| read + parse only (reference) | ${rate(parse)} | 1.00x |`,
  `| import into the embedded log | ${rate(embedded)} | ${(embedded / parse).toFixed(2)}x |`,
  `| import into Kafka (kafkajs, one partition per symbol) | ${rate(kafka)} | ${(kafka / parse).toFixed(2)}x |`,
  '',
];
writeFileSync(new URL('results/ingest.md', import.meta.url), out.join('\n'));
console.log(out.join('\n'));
