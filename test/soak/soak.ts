/**
 * Soak: the whole pipeline (signals, decision, exchange, projections, in one process through
 * startServices) on Kafka for `--minutes` while a simulator publishes 5-minute bars of three
 * symbols at `--speed` times real time to topics of its own. Every 10 s it samples the process's
 * memory (rss; heapUsed after a forced GC when run with --expose-gc, as `npm run test:soak` does)
 * and the lag of each of the pipeline's consumer groups on each topic it reads (end offset minus
 * committed, summed over partitions, through the log port). At the end it prints and writes
 * bench/results/soak.md (and a chart, soak.svg): the heap trend (least-squares slope over the
 * second half of the run, after warm-up) against `--heap-bound` MB/min, the max (after the first
 * minute) and final lag per group against `--lag-bound` records, bars published and settled; it
 * exits 1 when a bound is broken, 2 when the run itself failed (broker or registry gone).
 *
 *   npm run test:soak -- [--minutes 10] [--speed 1500] [--out bench/results/soak.md]
 *
 * Needs the local stack (npm run stack:up) or KAFKA_BROKERS / SCHEMA_REGISTRY_URL. Not part of
 * `npm test`. Its topics and groups are deleted at the end; its data directory is a fresh temp dir.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MARKET_DATA } from '../../src/contracts/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { MarketSimulator, DEFAULT_SYMBOLS } from '../../src/ingest/simulator/market-simulator.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ensureModels } from '../../src/pipeline/ensure-models.ts';
import { startServices, type PipelineTopics } from '../../src/pipeline/services.ts';
import { openKafkaRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { createTestTopic } from '../support/runtimes.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    speed: { type: 'string', default: '1500' },
    'sample-seconds': { type: 'string', default: '10' },
    'heap-bound': { type: 'string', default: '1' },
    'lag-bound': { type: 'string', default: '500' },
    out: { type: 'string', default: 'bench/results/soak.md' },
  },
});
const MINUTES = Number(args.minutes);
const SPEED = Number(args.speed);
const SAMPLE_MS = Number(args['sample-seconds']) * 1000;
const HEAP_BOUND = Number(args['heap-bound']);
const LAG_BOUND = Number(args['lag-bound']);
const OUT = resolve(args.out);
for (const [name, n] of Object.entries({ MINUTES, SPEED, SAMPLE_MS, HEAP_BOUND, LAG_BOUND }))
  if (!(n > 0)) throw new Error(`${name.toLowerCase()} must be a positive number`);

const INTERVAL_MS = 5 * 60_000;
const SYMBOLS = DEFAULT_SYMBOLS;
const RULE = 'ma_rsi_rule:trend';
/** Lag is judged after the first minute: the models' windows fill and the consumers join first. */
const LAG_WARMUP_MS = 60_000;
const DRAIN_TIMEOUT_MS = 120_000;
const MB = 1024 * 1024;

const forcedGc = (globalThis as { gc?: () => void }).gc;
const logger = createLogger((process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn', 'soak');
const runId = `soak-${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'cml-soak-'));

const base = loadConfig({
  env: {
    ...process.env,
    CML_RUNTIME: 'kafka',
    CML_DATA_DIR: dataDir,
    ML_MODELS_DIR: join(dataDir, 'models'),
    SIGNALS_GROUP: `${runId}.signals`,
    DECISION_GROUP: `${runId}.decision`,
  },
});
const config = {
  ...base,
  exchange: { ...base.exchange, group: `${runId}.exchange` },
  ml: { ...base.ml, models: [...base.ml.models, RULE] },
};

interface Sample {
  readonly t: number;
  readonly rss: number;
  readonly heap: number;
  readonly published: number;
  readonly settled: number;
  /** `group @ topic` → lag in records; absent when the broker could not be asked. */
  readonly lag?: ReadonlyMap<string, number>;
}

const fail = (message: string, cause?: unknown): never => {
  console.error(
    `soak: ${message}${cause === undefined ? '' : `: ${cause instanceof Error ? cause.message : JSON.stringify(cause)}`}`,
  );
  process.exit(2);
};

console.log(
  `soak ${runId}: ${MINUTES} min on Kafka (${config.kafka.brokers.join(',')}), ${SYMBOLS.length} symbols of 5-minute bars at ${SPEED}x ` +
    `(${((SPEED * 1000) / INTERVAL_MS).toFixed(1)} bars/s per symbol), models ${config.ml.models.join(', ')}; data in ${dataDir}`,
);
const trainStarted = Date.now();
const trained = ensureModels(config);
console.log(`trained ${trained.length} models in ${((Date.now() - trainStarted) / 1000).toFixed(1)} s`);

let runtime: KafkaRuntime;
try {
  runtime = await openKafkaRuntime(config, logger);
} catch (cause) {
  fail('Kafka is not reachable (is the stack up? npm run stack:up)', cause);
}
let serde: AvroSerde;
try {
  serde = await AvroSerde.create(runtime!.registry);
} catch (cause) {
  await runtime!.close();
  fail(`the schema registry at ${config.registry.url} is not reachable`, cause);
}
const kafka = runtime!;
const topics: PipelineTopics = {
  marketData: await createTestTopic(kafka, 3, -1),
  signals: await createTestTopic(kafka, 3, -1),
  orders: await createTestTopic(kafka, 1, -1),
};
const topicNames: readonly string[] = [topics.marketData, topics.signals, topics.orders];
const topicLabel: Record<string, string> = {
  [topics.marketData]: 'market_data',
  [topics.signals]: 'ml_signals',
  [topics.orders]: 'orders',
};

const services = await startServices({
  config,
  runtime: kafka,
  serde: serde!,
  logger,
  services: ['projections', 'signals', 'decision', 'exchange'],
  clock: 'stream',
  topics,
});
const storeIds = [services.portfolio?.store.id, services.signalHistory?.store.id, services.candles?.store.id]
  .filter((id): id is string => id !== undefined)
  .map((id) => `.${id}.`);
const ours = (group: string): boolean => group.startsWith(runId) || storeIds.some((id) => group.includes(id));

// The feed: one step of every symbol each INTERVAL_MS / SPEED, on a schedule that does not drift;
// the bars end about now, so no event time is in the future.
const runMs = MINUTES * 60_000;
const stepMs = INTERVAL_MS / SPEED;
const steps = Math.ceil(runMs / stepMs);
const simulator = new MarketSimulator({
  symbols: SYMBOLS,
  intervalMs: INTERVAL_MS,
  start: (Math.floor(Date.now() / INTERVAL_MS) - steps) * INTERVAL_MS,
  seed: 42,
});
let published = 0;
let feedError: unknown;
const started = Date.now();
const feedDone = (async () => {
  for (let step = 0; step < steps; step++) {
    const wait = started + step * stepMs - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    const bars = simulator.next();
    const records = encodeValidated(serde!, MARKET_DATA, bars, (bar) => bar.timestamp);
    await kafka.log.append([{ topic: topics.marketData, records }]);
    published += bars.length;
  }
})().catch((cause: unknown) => {
  feedError = cause;
});

const lagOf = async (): Promise<Map<string, number>> => {
  const lag = new Map<string, number>();
  const groups = (await kafka.listGroups()).filter(ours);
  const ends = new Map<string, ReadonlyMap<number, number>>();
  for (const topic of topicNames) ends.set(topic, await kafka.log.endOffsets(topic));
  for (const group of groups)
    for (const topic of topicNames) {
      const committed = await kafka.log.committedOffsets(group, topic);
      if (committed.size === 0) continue;
      let behind = 0;
      for (const [partition, end] of ends.get(topic) ?? new Map<number, number>())
        behind += Math.max(0, end - (committed.get(partition) ?? 0));
      lag.set(`${group.replace(runId, '…')} @ ${topicLabel[topic]}`, behind);
    }
  return lag;
};

const samples: Sample[] = [];
let sampleErrors = 0;
const sample = async (): Promise<void> => {
  forcedGc?.();
  const memory = process.memoryUsage();
  let lag: Map<string, number> | undefined;
  try {
    lag = await lagOf();
  } catch (cause) {
    sampleErrors++;
    logger.warn({ err: cause }, 'lag sample failed');
  }
  const s: Sample = {
    t: Date.now() - started,
    rss: memory.rss / MB,
    heap: memory.heapUsed / MB,
    published,
    settled: services.exchange?.runner.barsSettled ?? 0,
    ...(lag === undefined ? {} : { lag }),
  };
  samples.push(s);
  const worst = lag === undefined ? 'n/a' : String(Math.max(0, ...lag.values()));
  console.log(
    `${(s.t / 1000).toFixed(0).padStart(4)} s  rss ${s.rss.toFixed(1)} MB  heap ${s.heap.toFixed(1)} MB  published ${s.published}  settled ${s.settled}  max lag ${worst}`,
  );
};

await sample();
await new Promise<void>((done) => {
  const timer = setInterval(() => {
    void sample().then(() => {
      if (Date.now() - started >= runMs || feedError !== undefined) {
        clearInterval(timer);
        done();
      }
    });
  }, SAMPLE_MS);
});
await feedDone;
const fedFor = (Date.now() - started) / 1000;

// Drain: with the feed stopped, every service must process everything left.
const drainStarted = Date.now();
let drained = false;
while (Date.now() - drainStarted < DRAIN_TIMEOUT_MS) {
  try {
    if (await services.caughtUp()) {
      drained = true;
      break;
    }
  } catch {
    // the broker may be restarting; try again until the timeout
  }
  await new Promise((done) => setTimeout(done, 250));
}
const drainSeconds = (Date.now() - drainStarted) / 1000;
const settled = services.exchange?.runner.barsSettled ?? 0;
const signalStats = services.signals?.stats();
const ordersEnd = [...(await kafka.log.endOffsets(topics.orders)).values()].reduce((a, b) => a + b, 0);
await services.stop();
try {
  const groups = (await kafka.listGroups()).filter(ours);
  await kafka.admin.deleteGroups(groups).catch(() => undefined);
  await kafka.admin.deleteTopics({ topics: [...topicNames] });
} catch (cause) {
  logger.warn({ err: cause }, 'could not delete the soak topics and groups');
}
await kafka.close();

// Analysis.
const slope = (points: ReadonlyArray<readonly [number, number]>): number => {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
};
const perMin = (s: Sample): number => s.t / 60_000;
const secondHalf = samples.filter((s) => s.t >= runMs / 2);
const heapSlope = slope(secondHalf.map((s) => [perMin(s), s.heap] as const));
const rssSlope = slope(secondHalf.map((s) => [perMin(s), s.rss] as const));
const keys = [...new Set(samples.flatMap((s) => [...(s.lag?.keys() ?? [])]))].sort();
const judged = samples.filter((s) => s.t >= LAG_WARMUP_MS && s.lag !== undefined);
const lastLagged = [...samples].reverse().find((s) => s.lag !== undefined);
const lagRows = keys.map((key) => {
  const max = Math.max(0, ...judged.map((s) => s.lag?.get(key) ?? 0));
  const final = lastLagged?.lag?.get(key) ?? Number.NaN;
  const trend = slope(
    secondHalf.filter((s) => s.lag?.has(key) === true).map((s) => [perMin(s), s.lag?.get(key) ?? 0] as const),
  );
  return { key, max, final, trend, ok: max <= LAG_BOUND && final <= LAG_BOUND };
});
/** Shorter runs are still warming up in their second half (the models' windows fill for ~1 min). */
const JUDGE_HEAP_FROM_MS = 5 * 60_000;
const heapJudged = runMs >= JUDGE_HEAP_FROM_MS;
const heapOk = !heapJudged || heapSlope < HEAP_BOUND;
const lagOk = lagRows.length > 0 && lagRows.every((r) => r.ok);
const runOk = feedError === undefined && drained && settled === published;
const passed = heapOk && lagOk && runOk;

// Chart: heap (MB, left) and the largest lag (records, right) over time.
const svg = (): string => {
  const w = 720;
  const h = 260;
  const pad = 48;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const heapMax = Math.max(1, ...samples.map((s) => s.heap)) * 1.1;
  const lagMax = Math.max(LAG_BOUND, ...samples.map((s) => Math.max(0, ...(s.lag?.values() ?? [])))) * 1.1;
  const x = (t: number): string => (pad + ((w - 2 * pad) * t) / tMax).toFixed(1);
  const y = (v: number, max: number): string => (h - pad - ((h - 2 * pad) * v) / max).toFixed(1);
  const line = (pick: (s: Sample) => number | undefined, max: number, colour: string): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${samples
      .filter((s) => pick(s) !== undefined)
      .map((s) => `${x(s.t)},${y(pick(s) ?? 0, max)}`)
      .join(' ')}"/>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/>`,
    `<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#888"/>`,
    `<line x1="${w - pad}" y1="${pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/>`,
    `<text x="${pad}" y="${pad - 8}" fill="#1f77b4">heapUsed MB (0–${heapMax.toFixed(0)})</text>`,
    `<text x="${w - pad}" y="${pad - 8}" fill="#d62728" text-anchor="end">max group lag, records (0–${lagMax.toFixed(0)})</text>`,
    `<text x="${w / 2}" y="${h - 12}" text-anchor="middle">minutes (0–${(tMax / 60_000).toFixed(1)})</text>`,
    `<line x1="${pad}" x2="${w - pad}" y1="${y(LAG_BOUND, lagMax)}" y2="${y(LAG_BOUND, lagMax)}" stroke="#d62728" stroke-dasharray="4 4"/>`,
    line((s) => s.heap, heapMax, '#1f77b4'),
    line((s) => (s.lag === undefined ? undefined : Math.max(0, ...s.lag.values())), lagMax, '#d62728'),
    '</svg>',
  ].join('\n');
};

const verdict = (ok: boolean): string => (ok ? 'ok' : '**broken**');
const n = (v: number, digits = 0): string =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const chartFile = OUT.replace(/\.md$/, '.svg');
const chartName = chartFile.split('/').pop() ?? 'soak.svg';
const command = `npm run test:soak -- --minutes ${MINUTES} --speed ${SPEED}`;
const out = [
  '# Soak: the pipeline on Kafka under a fast simulator',
  '',
  `Command: \`${command}\` (${new Date(started).toISOString()}, ${process.version}, ${cpus().length} cores shared with other`,
  `work: load average at the end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}). Signals, decision, exchange and projections in one process (startServices) on`,
  `Kafka, on topics of their own (market data 3 partitions, signals 3, orders 1); ${SYMBOLS.length} symbols of 5-minute bars`,
  `at ${SPEED}x (${n((SPEED * 1000) / INTERVAL_MS, 1)} bars/s per symbol, ${n((SPEED * 1000 * SYMBOLS.length) / INTERVAL_MS, 1)} in all); models ${config.ml.models.join(', ')}.`,
  `Every ${SAMPLE_MS / 1000} s: rss and heapUsed (${forcedGc === undefined ? 'without a forced GC' : 'after a forced GC'}) and, for each consumer group of the`,
  'pipeline on each topic it reads, the lag (end offset minus committed, summed over partitions; on Kafka end offsets',
  'count transaction markers, so a caught-up transactional reader can show a few records).',
  '',
  `**${passed ? 'PASSED' : 'FAILED'}**`,
  '',
  '| check | figure | bound | |',
  '|---|---|---|---|',
  `| heap trend, second half (${secondHalf.length} samples, least squares) | ${n(heapSlope, 3)} MB/min | < ${HEAP_BOUND} MB/min | ${heapJudged ? verdict(heapOk) : 'not judged: runs under 5 min are still warming up'} |`,
  `| rss trend, second half (reported, not judged: LMDB maps count in rss) | ${n(rssSlope, 3)} MB/min | | |`,
  `| max lag per group after the first minute, and final | see below | ≤ ${LAG_BOUND} records | ${verdict(lagOk)} |`,
  `| bars published (${SYMBOLS.length} symbols, ${n(fedFor, 0)} s) | ${n(published)} (${n(published / fedFor, 1)}/s) | | |`,
  `| bars settled by the exchange, drained after the feed stopped | ${n(settled)} of ${n(published)} in ${n(drainSeconds, 1)} s | all, within ${DRAIN_TIMEOUT_MS / 1000} s | ${verdict(runOk)} |`,
  `| bars through the signals processor; signals written | ${n(signalStats?.bars ?? 0)}; ${n(signalStats?.signals ?? 0)} | | |`,
  `| order-topic records (incl. transaction markers) | ${n(ordersEnd)} | | |`,
  `| lag samples that failed (broker unreachable) | ${sampleErrors} | | |`,
  '',
  `Memory: heapUsed ${n(samples[0]?.heap ?? 0, 1)} MB at start, ${n(Math.max(...samples.map((s) => s.heap)), 1)} MB max, ${n(samples.at(-1)?.heap ?? 0, 1)} MB at the end;`,
  `rss ${n(samples[0]?.rss ?? 0, 1)} → ${n(samples.at(-1)?.rss ?? 0, 1)} MB.`,
  '',
  "| group @ topic (… = this run's prefix) | max lag | final lag | trend, 2nd half (records/min) | |",
  '|---|---|---|---|---|',
  ...lagRows.map((r) => `| ${r.key} | ${n(r.max)} | ${n(r.final)} | ${n(r.trend, 1)} | ${verdict(r.ok)} |`),
  '',
  `![heap and lag over time](${chartName})`,
  '',
  '<details><summary>Samples</summary>',
  '',
  '| s | rss MB | heapUsed MB | bars published | bars settled | max lag |',
  '|---|---|---|---|---|---|',
  ...samples.map(
    (s) =>
      `| ${n(s.t / 1000)} | ${n(s.rss, 1)} | ${n(s.heap, 1)} | ${n(s.published)} | ${n(s.settled)} | ${s.lag === undefined ? 'n/a' : n(Math.max(0, ...s.lag.values()))} |`,
  ),
  '',
  '</details>',
  '',
];
writeFileSync(OUT, out.join('\n'));
writeFileSync(chartFile, svg());
console.log(out.join('\n'));
if (feedError !== undefined) console.error(`soak: the feed failed: ${(feedError as Error).message}`);
console.log(`wrote ${OUT} and ${chartFile}`);
process.exit(feedError !== undefined ? 2 : passed ? 0 : 1);
