/**
 * Latency from a closed bar to a signal, an order and a fill, on the real Kafka and on the embedded
 * log; throughput of 1, 2 and 3 signals-processor processes sharing crypto.market_data's three
 * partitions; and what restoring a partition's windows costs (the re-read the processor does,
 * beside a changelog of window snapshots, measured as far as it can be without building it).
 * Needs the local stack (npm run stack:up, or KAFKA_BROKERS / SCHEMA_REGISTRY_URL). Writes
 * bench/results/latency.md.
 *
 *   npm run bench:latency -- [symbols] [rounds]      (default 50 symbols, 30 rounds a phase)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createMetrics, type Metrics } from '../src/api/metrics.ts';
import { loadConfig, type Config } from '../src/config/index.ts';
import { MARKET_DATA, ORDERS, type MarketData } from '../src/contracts/index.ts';
import { MarketSimulator, type SimulatedSymbol } from '../src/ingest/simulator/market-simulator.ts';
import { partitionFor } from '../src/log/partitioner.ts';
import type { LogPort } from '../src/log/port.ts';
import {
  modelSpecsOf,
  modelsDirOf,
  trainModels,
  warmupBars,
  readArtifact,
  latestArtifacts,
} from '../src/ml/index.ts';
import { startServices } from '../src/pipeline/services.ts';
import { openEmbeddedRuntime, openKafkaRuntime, prepareRuntime, type Runtime } from '../src/runtime/index.ts';
import { AvroSerde } from '../src/serde/index.ts';
import { createSignalEngine } from '../streams/signals/index.ts';
import { createTestTopic, silentLogger, uniqueName } from '../test/support/runtimes.ts';
import { SMALL_SETTINGS } from '../test/unit/signals/trained-models.ts';
import { percentiles, type Percentiles } from './latency/percentiles.ts';

const SYMBOLS = Number(process.argv[2] ?? 50);
const ROUNDS = Number(process.argv[3] ?? 30);
const INTERVAL_MS = 60_000;
/** Wall time between two paced rounds: 1-minute bars played 60 times faster than real time. */
const PACE_MS = 1_000;
/** History per symbol before the live rounds: the served windows are 289 bars. */
const HISTORY = 300;
/** Bars per symbol for the throughput runs (60,000 bars at 50 symbols: seconds of work, not a blink). */
const THROUGHPUT_BARS = 1_200;
/** Bars per symbol a group has processed before a new member restores its partitions. */
const RESTORE_BARS = 400;

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** SMAAUSDT, SMABUSDT, ...: simulated pairs that pass the contract's symbol rule. */
const symbols: SimulatedSymbol[] = Array.from({ length: SYMBOLS }, (_, i) => ({
  symbol: `SM${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}USDT`,
  startPrice: 10 + i * 7,
  // Volatile enough (4-6 a year, about 0.6 % a minute) for the models to say BUY and SELL.
  annualVolatility: 4 + (i % 5) * 0.5,
  baseVolume: 1_000,
}));
const simulator = (start: number, seed: number): MarketSimulator =>
  new MarketSimulator({ symbols, intervalMs: INTERVAL_MS, start, seed });

function configFor(kind: 'kafka' | 'embedded', dataDir: string): Config {
  return loadConfig({
    env: {
      ...process.env,
      CML_RUNTIME: kind,
      CML_DATA_DIR: dataDir,
      KAFKA_CLIENT_ID: uniqueName('bench-latency'),
      SIGNALS_GROUP: uniqueName('signals'),
      DECISION_GROUP: uniqueName('decision'),
      // Act on every BUY or SELL, so that there are orders to time: calibrated over three classes,
      // the models' confidence in a BUY or SELL on this simulated market rarely reaches 0.5.
      DECISION_MIN_CONFIDENCE: '0',
      DECISION_HIGH_CONFIDENCE: '0',
      DECISION_COOLDOWN_MS: '0',
      DECISION_POSITION_SIZE_PCT: '0.5',
      LOG_LEVEL: 'silent',
    },
  });
}

async function appendBars(
  log: LogPort,
  serde: AvroSerde,
  topic: string,
  bars: readonly MarketData[],
): Promise<void> {
  await log.append([
    {
      topic,
      records: bars.map((bar) => ({
        key: bar.symbol,
        value: serde.encode(MARKET_DATA, bar),
        timestamp: bar.timestamp,
      })),
    },
  ]);
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function groupDone(log: LogPort, group: string, topic: string): Promise<boolean> {
  const committed = await log.committedOffsets(group, topic);
  for (const [partition, end] of await log.endOffsets(topic))
    if ((committed.get(partition) ?? 0) < end) return false;
  return true;
}

interface LatencyResult {
  readonly phase: string;
  readonly rounds: number;
  readonly stages: ReadonlyArray<[string, Percentiles]>;
  readonly orders: number;
  readonly load: string;
  /** Bar closed -> order, p50 ms, for the orders of the first and of the last third of the rounds. */
  readonly trend: readonly [number, number];
  /** From the last round's append until every service had processed everything, ms. */
  readonly drainMs: number;
  /** Per processor: steps taken and the seconds spent in them (waits inside a step included). */
  readonly busy: ReadonlyArray<[string, number, number]>;
  readonly seconds: number;
}

/** Steps and seconds per processor so far, from the services' processing histogram. */
async function stepTotals(metrics: Metrics): Promise<Map<string, { count: number; seconds: number }>> {
  const totals = new Map<string, { count: number; seconds: number }>();
  for (const { labels, value, metricName } of (await metrics.processingSeconds.get()).values) {
    const processor = String(labels.processor);
    const entry = totals.get(processor) ?? { count: 0, seconds: 0 };
    if (metricName?.endsWith('_sum') === true) entry.seconds += value;
    if (metricName?.endsWith('_count') === true) entry.count += value;
    totals.set(processor, entry);
  }
  return totals;
}

/** The pipeline in one process on a runtime: history to warm it, then paced rounds, then back-to-back rounds. */
async function measureLatency(
  kind: 'kafka' | 'embedded',
  runtime: Runtime,
  config: Config,
  serde: AvroSerde,
): Promise<LatencyResult[]> {
  const topics = {
    marketData: await createTestTopic(runtime, 3, -1),
    signals: await createTestTopic(runtime, 3, -1),
    orders: await createTestTopic(runtime, 1, -1),
  };
  const start = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS - (HISTORY + 2 * ROUNDS) * INTERVAL_MS;
  const sim = simulator(start, 7);
  for (let i = 0; i < HISTORY; i += 20) {
    const bars: MarketData[] = [];
    for (let k = 0; k < 20; k++) bars.push(...sim.next());
    await appendBars(runtime.log, serde, topics.marketData, bars);
  }
  const metrics = createMetrics({ defaultMetrics: false });
  const services = await startServices({
    metrics,
    config,
    runtime,
    serde,
    logger: silentLogger,
    services: ['signals', 'decision', 'exchange'],
    clock: 'stream',
    topics,
  });
  await until(() => services.caughtUp(), 600_000, `${kind}: history`);

  const closedAt = new Map<string, number>();
  const visibleAt = new Map<string, number>();
  const signalAt = new Map<string, number>();
  const orderAt = new Map<string, { key: string; at: number; symbol: string; timestamp: number }>();
  const fillAt = new Map<string, number>();
  const signalProbe = await runtime.log.subscribe({
    group: uniqueName('probe-signals'),
    topics: [topics.signals],
    fromBeginning: false,
    handler: (batch) => {
      const at = now();
      for (const record of batch.records) {
        const key = `${record.key}/${record.timestamp}`;
        if (!signalAt.has(key)) signalAt.set(key, at);
      }
      return Promise.resolve();
    },
  });
  const orderProbe = await runtime.log.subscribe({
    group: uniqueName('probe-orders'),
    topics: [topics.orders],
    fromBeginning: false,
    handler: async (batch) => {
      const at = now();
      for (const record of batch.records) {
        const order = await serde.decode(ORDERS, record.value);
        if (order.status === 'PENDING')
          orderAt.set(order.order_id, {
            key: `${order.symbol}/${order.timestamp}`,
            at,
            symbol: order.symbol,
            timestamp: order.timestamp,
          });
        else if (order.status === 'FILLED' && !fillAt.has(order.order_id)) fillAt.set(order.order_id, at);
      }
    },
  });
  await sleep(2_000);

  const results: LatencyResult[] = [];
  for (const [phase, paced] of [
    [`${SYMBOLS} symbols, one round of 1-minute bars every ${PACE_MS} ms`, true],
    [`${SYMBOLS} symbols, rounds back to back (as fast as they go)`, false],
  ] as const) {
    const keys = new Set<string>();
    const roundOf = new Map<string, number>();
    const stepsBefore = await stepTotals(metrics);
    const startedAt = now();
    for (let round = 0; round < ROUNDS; round++) {
      const bars = sim.next();
      const closed = now();
      await appendBars(runtime.log, serde, topics.marketData, bars);
      const visible = now();
      for (const bar of bars) {
        const key = `${bar.symbol}/${bar.timestamp}`;
        keys.add(key);
        roundOf.set(key, round);
        closedAt.set(key, closed);
        visibleAt.set(key, visible);
      }
      if (paced) await sleep(Math.max(0, closed + PACE_MS - now()));
    }
    const fedIn = now() - startedAt;
    await until(() => services.caughtUp(), 600_000, `${kind}: ${phase}`);
    const drainMs = now() - startedAt - fedIn;
    const seconds = (now() - startedAt) / 1000;
    const stepsAfter = await stepTotals(metrics);
    await sleep(2_000);
    const span = (from: Map<string, number>, to: Map<string, number>): number[] =>
      [...keys].flatMap((key) => {
        const a = from.get(key);
        const b = to.get(key);
        return a === undefined || b === undefined ? [] : [b - a];
      });
    const orders = [...orderAt.values()].filter((o) => keys.has(o.key));
    const fills = [...orderAt.entries()].flatMap(([id, order]) => {
      const filled = fillAt.get(id);
      // A market order fills at the next bar of its symbol: timed from that bar's append.
      const next = visibleAt.get(`${order.symbol}/${order.timestamp + INTERVAL_MS}`);
      return filled === undefined || next === undefined || !keys.has(order.key) ? [] : [filled - next];
    });
    const closedToOrder = (from: number, to: number): number =>
      percentiles(
        orders.flatMap((o) => {
          const round = roundOf.get(o.key) ?? -1;
          const c = closedAt.get(o.key);
          return round < from || round >= to || c === undefined ? [] : [o.at - c];
        }),
      ).p50;
    results.push({
      trend: [closedToOrder(0, ROUNDS / 3), closedToOrder((2 * ROUNDS) / 3, ROUNDS)],
      drainMs,
      seconds,
      busy: [...stepsAfter].map(([processor, after]) => {
        const before = stepsBefore.get(processor) ?? { count: 0, seconds: 0 };
        return [processor, after.count - before.count, after.seconds - before.seconds];
      }),
      phase: `${phase}; ${ROUNDS} rounds fed in ${(fedIn / 1000).toFixed(1)} s`,
      rounds: ROUNDS,
      orders: orders.length,
      load: load(),
      stages: [
        ['bar closed -> in the log (append)', percentiles(span(closedAt, visibleAt))],
        ['bar in the log -> first signal', percentiles(span(visibleAt, signalAt))],
        [
          'signal -> order (PENDING)',
          percentiles(
            orders.flatMap((o) => {
              const s = signalAt.get(o.key);
              return s === undefined ? [] : [o.at - s];
            }),
          ),
        ],
        ['next bar in the log -> fill (FILLED)', percentiles(fills)],
        [
          'bar closed -> order',
          percentiles(
            orders.flatMap((o) => {
              const c = closedAt.get(o.key);
              return c === undefined ? [] : [o.at - c];
            }),
          ),
        ],
      ],
    });
  }
  await signalProbe.stop();
  await orderProbe.stop();
  await services.stop();
  return results;
}

interface ThroughputResult {
  readonly instances: number;
  readonly barsPerSecond: number;
  readonly seconds: number;
  readonly load: string;
}

/** A signals-processor process; resolves its assignment lines and restore lines as they come. */
interface Instance {
  readonly child: ChildProcess;
  assigned: number[] | undefined;
  readonly restores: Array<{ partition: number; bars: number; ms: number; kind: string }>;
}

function spawnInstance(input: string, output: string, group: string, modelsDir: string): Instance {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/signals-instance.ts', input, output, group, modelsDir],
    {
      // The logger writes JSON lines to stderr.
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info' },
    },
  );
  const instance: Instance = { child, assigned: undefined, restores: [] };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'partitions assigned') instance.assigned = entry.partitions as number[];
      if (entry.msg === 'partition windows restored')
        instance.restores.push(entry as unknown as Instance['restores'][number]);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  return instance;
}

async function stopInstances(instances: readonly Instance[]): Promise<void> {
  await Promise.all(
    instances.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Waits until the members' latest assignments split the three partitions among all of them. */
async function assignedAcross(instances: readonly Instance[]): Promise<void> {
  await until(
    () => {
      const all = instances.flatMap((i) => i.assigned ?? []);
      return Promise.resolve(
        instances.every((i) => (i.assigned?.length ?? 0) > 0) && all.length === 3 && new Set(all).size === 3,
      );
    },
    120_000,
    'assignment',
  );
}

async function measureThroughput(
  runtime: Runtime,
  serde: AvroSerde,
  modelsDir: string,
  count: number,
): Promise<ThroughputResult> {
  const input = await createTestTopic(runtime, 3, -1);
  const output = await createTestTopic(runtime, 3, -1);
  const group = uniqueName('signals-throughput');
  const instances = Array.from({ length: count }, () => spawnInstance(input, output, group, modelsDir));
  await assignedAcross(instances);
  const sim = simulator(Date.UTC(2024, 0, 1), 11);
  const bars: MarketData[] = [];
  for (let i = 0; i < THROUGHPUT_BARS; i++) bars.push(...sim.next());
  const started = now();
  for (let i = 0; i < bars.length; i += 5_000)
    await appendBars(runtime.log, serde, input, bars.slice(i, i + 5_000));
  await until(() => groupDone(runtime.log, group, input), 600_000, `${count} instances`);
  const seconds = (now() - started) / 1000;
  const result = { instances: count, barsPerSecond: bars.length / seconds, seconds, load: load() };
  await stopInstances(instances);
  return result;
}

interface RestoreFigures {
  readonly reread: Array<{ partition: number; bars: number; ms: number }>;
  readonly changelog: {
    partition: number;
    symbols: number;
    bytes: number;
    encodeMs: number;
    appendMs: Percentiles;
    restoreMs: number;
  };
}

/**
 * Restore: a fresh member of a group that processed RESTORE_BARS per symbol rebuilds the windows
 * of the three partitions by re-reading; beside it, the costs a changelog would carry: the size of
 * one partition's window snapshot, appending it (it would go with every transaction), and
 * restoring the engine from it.
 */
async function measureRestore(
  runtime: Runtime,
  serde: AvroSerde,
  modelsDir: string,
): Promise<RestoreFigures> {
  const input = await createTestTopic(runtime, 3, -1);
  const output = await createTestTopic(runtime, 3, -1);
  const group = uniqueName('signals-restore');
  const sim = simulator(Date.UTC(2024, 0, 1), 13);
  const bars: MarketData[] = [];
  for (let i = 0; i < RESTORE_BARS; i++) bars.push(...sim.next());
  await appendBars(runtime.log, serde, input, bars);
  const first = [spawnInstance(input, output, group, modelsDir)];
  await until(() => groupDone(runtime.log, group, input), 600_000, 'restore: first pass');
  await stopInstances(first);
  const second = [spawnInstance(input, output, group, modelsDir)];
  await assignedAcross(second);
  await appendBars(runtime.log, serde, input, sim.next());
  await until(() => groupDone(runtime.log, group, input), 600_000, 'restore: second pass');
  await until(() => Promise.resolve((second[0] as Instance).restores.length === 3), 30_000, 'restore logs');
  const reread = (second[0] as Instance).restores.map(({ partition, bars: n, ms }) => ({
    partition,
    bars: n,
    ms,
  }));
  await stopInstances(second);

  const artifacts = [...latestArtifacts(modelsDir).values()].map((slot) => readArtifact(slot.path));
  const engine = createSignalEngine(artifacts);
  for (const bar of bars) engine.onBar(bar);
  const partition = 0;
  const mine = (symbol: string): boolean => partitionFor(symbol, 3) === partition;
  const encodeStarted = now();
  const full = engine.snapshot();
  const snapshot = {
    ...full,
    groups: full.groups.map((g) => ({ ...g, symbols: g.symbols.filter(([s]) => mine(s)) })),
  };
  const bytes = Buffer.from(JSON.stringify(snapshot));
  const encodeMs = now() - encodeStarted;
  const changelog = await createTestTopic(runtime, 3, -1);
  const appendMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = now();
    await runtime.log.append([
      { topic: changelog, records: [{ key: String(partition), value: bytes, timestamp: Date.now() }] },
    ]);
    appendMs.push(now() - t);
  }
  const restoreStarted = now();
  createSignalEngine(artifacts).restore(JSON.parse(bytes.toString()) as typeof snapshot);
  return {
    reread,
    changelog: {
      partition,
      symbols: snapshot.groups[0]?.symbols.length ?? 0,
      bytes: bytes.length,
      encodeMs,
      appendMs: percentiles(appendMs),
      restoreMs: now() - restoreStarted,
    },
  };
}

const ms = (value: number): string =>
  Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0);

function latencyTable(title: string, results: readonly LatencyResult[]): string[] {
  const lines = [`### ${title}`, ''];
  for (const result of results) {
    lines.push(`${result.phase}; ${result.orders} orders; load average ${result.load} after the phase.`, '');
    lines.push('| stage | samples | p50 ms | p99 ms | max ms |', '|---|---|---|---|---|');
    for (const [stage, p] of result.stages)
      lines.push(`| ${stage} | ${p.count} | ${ms(p.p50)} | ${ms(p.p99)} | ${ms(p.max)} |`);
    lines.push(
      '',
      `Bar closed -> order p50: ${ms(result.trend[0])} ms for the first third of the rounds, ${ms(result.trend[1])} ms for the last;`,
      `${ms(result.drainMs)} ms from the last append until every service was caught up. Steps in the ${result.seconds.toFixed(1)} s of the phase`,
      `(a step is a batch for the signals processor, a signal for the decision engine, a bar for the exchange; waits inside a step count):`,
      result.busy
        .map(([processor, count, secs]) => `${processor} ${count} steps, ${secs.toFixed(1)} s`)
        .join('; ') + '.',
      '',
    );
  }
  return lines;
}

// ---- run

const dataDir = mkdtempSync(join(tmpdir(), 'cml-bench-latency-'));
const kafkaConfig = configFor('kafka', join(dataDir, 'kafka'));
const modelsDir = modelsDirOf(kafkaConfig);
trainModels({
  bars: (await import('../test/unit/ml/fixture-bars.ts')).fixtureBars().slice(0, 6000),
  modelsDir,
  specs: modelSpecsOf(kafkaConfig),
  settings: SMALL_SETTINGS,
});
const window = Math.max(
  ...[...latestArtifacts(modelsDir).values()].map((s) => warmupBars(readArtifact(s.path).features)),
);
const loadBefore = load();

const kafka = await openKafkaRuntime(kafkaConfig, silentLogger);
await prepareRuntime(kafka, kafkaConfig);
const kafkaSerde = await AvroSerde.create(kafka.registry);
console.log('latency on Kafka ...');
const kafkaLatency = await measureLatency('kafka', kafka, kafkaConfig, kafkaSerde);
const throughput: ThroughputResult[] = [];
for (const count of [1, 2, 3]) {
  console.log(`throughput, ${count} instance(s) ...`);
  throughput.push(await measureThroughput(kafka, kafkaSerde, modelsDir, count));
}
console.log('restore ...');
const restore = await measureRestore(kafka, kafkaSerde, modelsDir);
await kafka.close();

console.log('latency on the embedded log ...');
const embeddedConfig = {
  ...configFor('embedded', join(dataDir, 'embedded')),
  ml: { ...kafkaConfig.ml, modelsDir },
};
const embedded = openEmbeddedRuntime(embeddedConfig);
await prepareRuntime(embedded, embeddedConfig);
const embeddedSerde = await AvroSerde.create(embedded.registry);
const embeddedLatency = await measureLatency('embedded', embedded, embeddedConfig, embeddedSerde);
await embedded.close();

const lines = [
  '# Latency: closed bar -> signal -> order -> fill, and signals-processor throughput',
  '',
  `Command: \`npm run bench:latency -- ${SYMBOLS} ${ROUNDS}\` on Node ${process.version}, ${cpus().length} cores shared with other jobs`,
  `(load average 1/5/15 min ${loadBefore} at the start). ${SYMBOLS} simulated symbols of 1-minute bars over`,
  `crypto.market_data's 3 partitions; ${HISTORY} bars of history per symbol first (windows of ${window} bars), then`,
  `${ROUNDS} rounds of one bar per symbol (one append, a transaction over the 3 partitions), paced and then back to back.`,
  'The signals processor, decision engine and exchange run in one process with their default settings (the',
  'decision thresholds lowered to 0, to act on every BUY or SELL, so that there are orders to time); probes in the same process stamp each',
  'signal and order event as their consumer receives it. A market order fills at the next bar of its symbol, so',
  "the fill is timed from that bar's append. 5 small models per bar (the default model set, small training settings).",
  '',
  ...latencyTable('Kafka (local broker, kafkajs)', kafkaLatency),
  ...latencyTable('Embedded log (LMDB, same process)', embeddedLatency),
  '### Throughput of signals-processor processes in one group (Kafka)',
  '',
  `${SYMBOLS * THROUGHPUT_BARS} bars (${THROUGHPUT_BARS} per symbol) appended once every instance holds its partitions;`,
  'timed from the first append until the group has committed every bar.',
  '',
  '| instances | bars/s | seconds | load average after |',
  '|---|---|---|---|',
  ...throughput.map(
    (t) => `| ${t.instances} | ${t.barsPerSecond.toFixed(0)} | ${t.seconds.toFixed(1)} | ${t.load} |`,
  ),
  '',
  "### Restoring a partition's windows",
  '',
  `A new member of a group that processed ${RESTORE_BARS} bars per symbol rebuilds each partition before its first`,
  'batch by re-reading the input (what the processor does):',
  '',
  '| partition | bars re-read | ms |',
  '|---|---|---|',
  ...restore.reread.map((r) => `| ${r.partition} | ${r.bars} | ${ms(r.ms)} |`),
  '',
  `A changelog of window snapshots would instead carry, for partition ${restore.changelog.partition} (${restore.changelog.symbols} symbols), a`,
  `${(restore.changelog.bytes / 1024).toFixed(0)} KiB snapshot (JSON; ${ms(restore.changelog.encodeMs)} ms to take and encode), appended in ${ms(restore.changelog.appendMs.p50)} ms`,
  `p50 / ${ms(restore.changelog.appendMs.p99)} ms p99 on its own, with every transaction that carries the partition's signals, and`,
  `${ms(restore.changelog.restoreMs)} ms to restore the engine from it.`,
  '',
];
writeFileSync(new URL('results/latency.md', import.meta.url), lines.join('\n'));
console.log(lines.join('\n'));
