import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { MARKET_DATA, ORDERS, type MarketData, type OrderEvent } from '../../src/contracts/index.ts';
import type { Config } from '../../src/config/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { readBarsFile } from '../../src/ml/index.ts';
import type { PipelineTopics, ServiceName } from '../../src/pipeline/services.ts';
import { prepareRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { EXIT_STEPPED_DOWN, leaseHeartbeatMs } from '../../src/standby/index.ts';
import { looseSettings, replayOnEmbedded, trainedWindow } from '../support/pipeline-runs.ts';
import { createTestTopic, eventually, kafkaHarness } from '../support/runtimes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('pipeline-service.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const BARS = Number(process.env.STANDBY_BARS ?? 400);
const TRAINED = 1_500;
const MODELS = 'random_forest:price_change,ma_rsi_rule:trend';
const SESSION_MS = 6_000;
/**
 * The takeover bound: the coordinator expires the silent holder within the session timeout; the
 * standby hears of it at its next heartbeat (plus the 250 ms idle wait of its fetch loop), then
 * joins, syncs and claims the transactional id (well under a second on a local broker).
 */
const TAKEOVER_BOUND_MS = SESSION_MS + leaseHeartbeatMs(SESSION_MS) + 250 + 1_500;

/** One service process: its output, and a way to wait for a line of it. */
class ServiceProcess {
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    // 'close' comes after the child's output is read to its end; 'exit' may come before.
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.out;
  }

  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    let match: RegExpExecArray | null = null;
    await eventually(
      () => {
        if (this.child.exitCode !== null) throw new Error(`${this.name} exited:\n${this.out}`);
        match = pattern.exec(this.out);
        return match;
      },
      (found) => found !== null,
      timeoutMs,
    );
    return match as unknown as RegExpExecArray;
  }
}

describe('a standby singleton on Kafka', () => {
  let window: MarketData[];
  let modelsDir: string;
  let calm: Awaited<ReturnType<typeof replayOnEmbedded>>;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
    modelsDir = mkdtempSync(join(tmpdir(), 'cml-standby-models-'));
    const base = looseSettings(mkdtempSync(join(tmpdir(), 'cml-standby-')), modelsDir, MODELS);
    window = trainedWindow(base, bars, TRAINED, BARS);
    // The undisturbed run: the same processors over the same bars, on the embedded log.
    calm = await replayOnEmbedded(modelsDir, MODELS, window);
  }, 120_000);

  afterEach(async () => {
    for (const service of running.splice(0)) {
      if (service.child.exitCode !== null || service.child.signalCode !== null) continue;
      service.child.kill('SIGCONT');
      service.child.kill('SIGKILL');
      await service.exited;
    }
  });

  /** A run on fresh topics and groups: the services as processes, and the bars appended in two halves. */
  async function openRun() {
    const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
    const kafka = (await harness.open()) as KafkaRuntime;
    await prepareRuntime(kafka, harness.config);
    const serde = await AvroSerde.create(kafka.registry);
    const topics: PipelineTopics = {
      marketData: await createTestTopic(kafka, 3, -1),
      signals: await createTestTopic(kafka, 3, -1),
      orders: await createTestTopic(kafka, 1, -1),
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'cml-standby-kafka-'));
    const config: Config = {
      ...looseSettings(dataDir, modelsDir, MODELS),
      kafka: { ...harness.config.kafka, sessionTimeoutMs: SESSION_MS },
      registry: harness.config.registry,
      runtime: 'kafka',
    };
    const runFile = join(dataDir, 'run.json');
    writeFileSync(runFile, JSON.stringify({ config, topics }));
    const appendBars = () =>
      kafka.log.append([
        {
          topic: topics.marketData,
          records: encodeValidated(serde, MARKET_DATA, window, (b) => b.timestamp),
        },
      ]);
    const start = (service: ServiceName, standby = false): ServiceProcess => {
      const args = ['--import', 'tsx', CHILD, service, runFile, ...(standby ? ['standby'] : [])];
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const started = new ServiceProcess(child, `${service}${standby ? ' (standby)' : ''}`);
      running.push(started);
      return started;
    };
    const orderEvents = async (): Promise<OrderEvent[]> => {
      const end = (await kafka.log.endOffsets(topics.orders)).get(0) ?? 0;
      const records = await kafka.log.read(topics.orders, 0, 0, end);
      return Promise.all(records.map((record) => serde.decode(ORDERS, record.value)));
    };
    /** Every group of the run has committed its topics to their ends. */
    const settled = async (): Promise<boolean> => {
      const progress: Array<[string, string]> = [
        [config.ml.group, topics.marketData],
        [config.decision.group, topics.signals],
        [config.exchange.group, topics.marketData],
      ];
      for (const [group, topic] of progress) {
        const committed = await kafka.log.committedOffsets(group, topic);
        for (const [partition, end] of await kafka.log.endOffsets(topic))
          if ((committed.get(partition) ?? 0) < end) return false;
      }
      return true;
    };
    const orderCount = async (): Promise<number> => (await kafka.log.endOffsets(topics.orders)).get(0) ?? 0;
    return {
      kafka,
      topics,
      start,
      orderCount,
      orderEvents,
      settled,
      appendBars,
    };
  }

  /** The pipeline with two instances of a singleton; resolves once the first is active and the second waits. */
  async function pipelineWithStandby(
    run: Awaited<ReturnType<typeof openRun>>,
    singleton: 'decision' | 'exchange',
  ) {
    await run.appendBars();
    const others = [run.start('signals'), run.start(singleton === 'decision' ? 'exchange' : 'decision')];
    const active = run.start(singleton, true);
    await active.waitFor(/^ready$/m);
    const standby = run.start(singleton, true);
    await standby.waitFor(/^standby$/m);
    await Promise.all(others.map((other) => other.waitFor(/^ready$/m)));
    // The pipeline is trading: the stop lands mid-run (checked by the caller).
    await eventually(run.orderCount, (events) => events >= 3, 60_000);
    return { active, standby };
  }

  const expectCalmOrders = (events: readonly OrderEvent[]): void => {
    const steps = events.map((e) => `${e.order_id} ${e.status}`);
    expect(new Set(steps).size, 'no order event twice').toBe(steps.length);
    expect(calm.orders.length).toBeGreaterThan(4);
    expect(events).toEqual(calm.orders);
  };

  it.each(['decision', 'exchange'] as const)(
    '%s: takes over after SIGKILL of the active instance, within the bound, with the orders of an undisturbed run',
    { timeout: 120_000 },
    async (singleton) => {
      const run = await openRun();
      try {
        const { active, standby } = await pipelineWithStandby(run, singleton);
        const killed = Date.now();
        active.child.kill('SIGKILL');
        const took = Number((await standby.waitFor(/^active (\d+)$/m, 30_000))[1]) - killed;
        const atTakeover = await run.orderCount();
        await eventually(run.settled, (done) => done, 60_000);
        const events = await run.orderEvents();
        console.log(
          `standby: ${singleton} SIGKILL takeover in ${took} ms (bound ${TAKEOVER_BOUND_MS} ms, session ${SESSION_MS} ms); ` +
            `${atTakeover} order events before it, ${events.length} in all`,
        );
        expect(took).toBeLessThan(TAKEOVER_BOUND_MS);
        expect(events.length, 'the standby wrote order events').toBeGreaterThan(atTakeover);
        expectCalmOrders(events);
      } finally {
        await run.kafka.close();
      }
    },
  );

  it(
    'decision: takes over from a SIGSTOPped engine, which, continued, steps down and writes nothing',
    { timeout: 120_000 },
    async () => {
      const run = await openRun();
      try {
        const { active, standby } = await pipelineWithStandby(run, 'decision');
        const stopped = Date.now();
        active.child.kill('SIGSTOP');
        const took = Number((await standby.waitFor(/^active (\d+)$/m, 30_000))[1]) - stopped;
        const atTakeover = await run.orderCount();
        // The old engine wakes while the new one decides.
        active.child.kill('SIGCONT');
        const exit = await active.exited;
        expect(exit.code).toBe(EXIT_STEPPED_DOWN);
        expect(active.output).toMatch(/stepping down: .*; this instance writes nothing more/);
        await eventually(run.settled, (done) => done, 60_000);
        const events = await run.orderEvents();
        console.log(
          `standby: SIGSTOP takeover in ${took} ms (bound ${TAKEOVER_BOUND_MS} ms); ${atTakeover} order events before it, ` +
            `${events.length} in all; the continued engine: ${/stepping down: (.*)/.exec(active.output)?.[1] ?? '?'}`,
        );
        expect(took).toBeLessThan(TAKEOVER_BOUND_MS);
        expect(events.length, 'the standby wrote order events').toBeGreaterThan(atTakeover);
        expectCalmOrders(events);
      } finally {
        await run.kafka.close();
      }
    },
  );
});
