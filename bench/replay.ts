/**
 * Replay: rebuild throughput of the portfolio from 1M order events read from the embedded log and
 * from Kafka, beside the same fold in memory (no log, the ceiling); and GET /portfolio latency and
 * throughput under autocannon on loopback, beside GET /health on the same server. One run. Needs
 * the local stack (npm run stack:up). Writes bench/results/replay.md.
 *
 *   npx tsx bench/replay.ts [order-events]      (default 1,000,000)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { foldPortfolio, initialPortfolio } from '../projections/portfolio/portfolio-fold.ts';
import { PortfolioStore } from '../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../projections/portfolio/rebuild-portfolio.ts';
import { SignalStore } from '../projections/signals/signal-store.ts';
import { buildApi } from '../src/api/build-api.ts';
import { createMetrics } from '../src/api/metrics.ts';
import { loadConfig } from '../src/config/index.ts';
import { ORDERS, type OrderEvent } from '../src/contracts/index.ts';
import { openEmbeddedRuntime, openKafkaRuntime, prepareRuntime, type Runtime } from '../src/runtime/index.ts';
import { AvroSerde } from '../src/serde/index.ts';
import { pendingOrder } from '../test/support/messages.ts';
import { createTestTopic, silentLogger } from '../test/support/runtimes.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const trades = Math.floor(total / 3);
const T0 = Date.UTC(2024, 0, 1);

/** Round trips of 0.01 coin: PENDING, FILLED, CLOSED, one after another. */
function orderEvents(): OrderEvent[] {
  const out: OrderEvent[] = [];
  for (let i = 0; i < trades; i++) {
    const price = 100 + (i % 50);
    const time = T0 + i * 60_000;
    const pending = pendingOrder({
      order_id: `ORD-20240101-${String(i).padStart(7, '0')}`,
      symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][i % 3] as string,
      timestamp: time,
      quantity: 0.01,
      price,
      total_value: 0.01 * price,
      risk_management: {
        stop_loss: price * 0.98,
        take_profit: price * 1.05,
        stop_loss_pct: -2,
        take_profit_pct: 5,
      },
    });
    const fee = 0.01 * price * 0.001;
    const exit = price * (i % 2 === 0 ? 1.05 : 0.98);
    const exitFee = 0.01 * exit * 0.001;
    out.push(
      pending,
      {
        ...pending,
        status: 'FILLED',
        sequence: 1,
        event_time: time + 60_000,
        fill_price: price,
        fill_fee: fee,
      },
      {
        ...pending,
        status: 'CLOSED',
        sequence: 2,
        event_time: time + 120_000,
        fill_price: price,
        fill_fee: fee,
        exit_price: exit,
        exit_fee: exitFee,
        close_reason: i % 2 === 0 ? 'TAKE_PROFIT' : 'STOP_LOSS',
        realized_pnl: 0.01 * (exit - price) - fee - exitFee,
      },
    );
  }
  return out;
}

const seconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;

async function rebuildFrom(
  runtime: Runtime,
  config: ReturnType<typeof loadConfig>,
  events: OrderEvent[],
): Promise<{ rate: number; hash: string }> {
  await prepareRuntime(runtime, config);
  const serde = await AvroSerde.create(runtime.registry);
  // A topic of its own, kept forever (the events carry 2024 times).
  const topic = await createTestTopic(runtime, 1, -1);
  for (let i = 0; i < events.length; i += 5_000) {
    const records = events.slice(i, i + 5_000).map((e) => ({
      key: e.order_id,
      value: serde.encode(ORDERS, e),
      timestamp: e.event_time ?? e.timestamp,
    }));
    await runtime.log.append([{ topic, records }]);
  }
  const marketDataTopic = await createTestTopic(runtime, 3, -1);
  const started = process.hrtime.bigint();
  const result = await rebuildPortfolio(runtime.log, serde, 10_000_000, {
    ordersTopic: topic,
    marketDataTopic,
  });
  if (result.orderEvents !== events.length)
    throw new Error(`rebuilt ${result.orderEvents} of ${events.length}`);
  return { rate: events.length / seconds(started), hash: result.hash };
}

async function load(url: string): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  const result = await autocannon({ url, connections: 10, duration: 10 });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

const events = orderEvents();
let started = process.hrtime.bigint();
let { state } = initialPortfolio(10_000_000);
for (const event of events) state = foldPortfolio(state, { kind: 'order', event }).state;
const inMemory = events.length / seconds(started);
console.log(`in memory: ${Math.round(inMemory)} events/s`);

const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
const embeddedConfig = loadConfig({ env: { CML_DATA_DIR: dir } });
const embeddedRuntime = openEmbeddedRuntime(embeddedConfig);
const embedded = await rebuildFrom(embeddedRuntime, embeddedConfig, events);
await embeddedRuntime.close();
console.log(`embedded: ${Math.round(embedded.rate)} events/s`);
// Brokers and registry from KAFKA_BROKERS / SCHEMA_REGISTRY_URL, or the local stack's defaults.
const kafkaConfig = loadConfig({ overrides: { runtime: 'kafka' } });
const kafkaRuntime = await openKafkaRuntime(kafkaConfig, silentLogger);
const kafka = await rebuildFrom(kafkaRuntime, kafkaConfig, events);
await kafkaRuntime.close();
console.log(`kafka: ${Math.round(kafka.rate)} events/s`);
if (kafka.hash !== embedded.hash) throw new Error('the two rebuilds differ');

// The API over the rebuilt portfolio.
const store = PortfolioStore.open(join(dir, 'store'));
await store.commit(state, new Map(), []);
const signals = SignalStore.open(join(dir, 'signals'));
const app = await buildApi({
  store,
  portfolio: () => store.summary(10_000_000),
  signals,
  appendOrders: () => Promise.reject(new Error('read-only benchmark')),
  metrics: createMetrics(),
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const portfolio = await load(`${address}/portfolio`);
const health = await load(`${address}/health`);
await app.close();
await store.close();
await signals.close();

started = process.hrtime.bigint();
const rate = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`;
const lines = [
  '# Replay and API',
  '',
  `Command: \`npx tsx bench/replay.ts ${total}\` on ${process.version}; ${events.length.toLocaleString('en-US')} order events (${trades.toLocaleString('en-US')} round trips:`,
  'PENDING, FILLED, CLOSED) rebuilt into a fresh portfolio (decode, validate, fold, hash); the same fold in memory, without a log,',
  'is the reference. Both rebuilds give the same state hash. The API rows: autocannon, 10 connections for 10 s on loopback.',
  '',
  '| rebuild from | order events/s | vs in-memory fold |',
  '|---|---|---|',
  `| in-memory fold (reference) | ${rate(inMemory)} | 1.00x |`,
  `| embedded log (LMDB) | ${rate(embedded.rate)} | ${(embedded.rate / inMemory).toFixed(2)}x |`,
  `| Kafka (kafkajs) | ${rate(kafka.rate)} | ${(kafka.rate / inMemory).toFixed(2)}x |`,
  '',
  '| route | requests/s | p50 ms | p99 ms | errors | throughput vs /health |',
  '|---|---|---|---|---|---|',
  `| GET /health (reference) | ${rate(health.rps)} | ${health.p50} | ${health.p99} | ${health.errors} | 1.00x |`,
  `| GET /portfolio | ${rate(portfolio.rps)} | ${portfolio.p50} | ${portfolio.p99} | ${portfolio.errors} | ${(portfolio.rps / health.rps).toFixed(2)}x |`,
  '',
];
writeFileSync(new URL('results/replay.md', import.meta.url), lines.join('\n'));
console.log(lines.join('\n'));
