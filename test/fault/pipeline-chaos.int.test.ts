import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { MARKET_DATA } from '../../src/contracts/index.ts';
import type { Config } from '../../src/config/index.ts';
import { SeededRandom } from '../../src/ingest/simulator/random.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { readBarsFile } from '../../src/ml/index.ts';
import type { PipelineTopics, ServiceName } from '../../src/pipeline/services.ts';
import { prepareRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { EXIT_STEPPED_DOWN } from '../../src/standby/index.ts';
import { CandleStore } from '../../projections/candles/index.ts';
import { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import {
  eventsOf,
  looseSettings,
  replayOnEmbedded,
  signalsOf,
  trainedWindow,
} from '../support/pipeline-runs.ts';
import { createTestTopic, eventually, kafkaHarness } from '../support/runtimes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('pipeline-service.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const SERVICES: readonly ServiceName[] = ['projections', 'signals', 'decision', 'exchange'];
/** The CI size; CHAOS_BARS / CHAOS_KILLS / CHAOS_SEED make the larger run. */
const BARS = Number(process.env.CHAOS_BARS ?? 600);
const KILLS = Number(process.env.CHAOS_KILLS ?? 4);
const SEED = Number(process.env.CHAOS_SEED ?? 7);
/**
 * Bars fed in slices over the run, one at the start and one after each kill, so the faults hit
 * services at work on a live feed (CHAOS_SLICED=0: all in the log at the start).
 */
const SLICED = process.env.CHAOS_SLICED !== '0';
/** SIGSTOPs of an active singleton, each continued once its standby took over (CHAOS_STOPS=0: none). */
const STOPS = Number(process.env.CHAOS_STOPS ?? 1);
/** Broker restarts, spread evenly over the kills (CHAOS_BROKER_RESTART=0: none). */
const BROKER_RESTARTS =
  process.env.CHAOS_BROKER_RESTART === '0' ? 0 : Number(process.env.CHAOS_BROKER_RESTARTS ?? 1);
/** Kills after which an active singleton is SIGSTOPped (the first half of the run). */
const STOP_AFTER = new Set(
  Array.from({ length: STOPS }, (_, i) => Math.floor((KILLS * (i + 1)) / (2 * (STOPS + 1)))),
);
/** Kills after which the broker restarts. */
const RESTART_AFTER = new Set(
  Array.from({ length: BROKER_RESTARTS }, (_, i) => Math.floor((KILLS * (i + 1)) / (BROKER_RESTARTS + 1))),
);
/**
 * Signals instances added mid-run, each in its own data directory (CHAOS_SCALE=0: none). Cycle i
 * adds one after a kill and, later, SIGKILLs (even i) or stops (SIGTERM, odd i) the oldest running
 * signals instance, so the group moves partitions twice and the windows are rebuilt from Kafka.
 */
const SCALE = Number(process.env.CHAOS_SCALE ?? 1);
const ADD_AFTER = new Map(Array.from({ length: SCALE }, (_, i) => [Math.floor((KILLS * i) / SCALE), i]));
const REMOVE_AFTER = new Map(
  Array.from({ length: SCALE }, (_, i) => [Math.floor((KILLS * (i + 0.75)) / SCALE), i]),
);
const TRAINED = 1_500;

/** The rule trades on every crossing: a short history gives many orders to compare. */
const MODELS = 'random_forest:price_change,ma_rsi_rule:trend';

/** The singletons run twice, with --standby: one active, one waiting. */
const SINGLETONS: ReadonlySet<ServiceName> = new Set<ServiceName>(['decision', 'exchange']);

/** One service process and what it printed. */
interface Instance {
  readonly service: ServiceName;
  readonly child: ChildProcess;
  /** An extra instance's own data directory label (`instance=<label>`). */
  readonly label: string | undefined;
  out: string;
  /** Told to exit (SIGKILL by the harness, or continued after a SIGSTOP): not a crash. */
  expected: boolean;
}

const alive = (instance: Instance): boolean =>
  instance.child.exitCode === null && instance.child.signalCode === null;

/**
 * The service processes of one run; a killed one is started again on the same data directory.
 * Singletons run as an active instance and a standby; like a supervisor, the harness starts again
 * an instance that stepped down (exit 75).
 */
class Services {
  private readonly instances: Instance[] = [];
  /** Exits nobody asked for. */
  crashes = 0;
  /** Instances that stepped down on their own (a broker restart longer than their lease allows). */
  stepDowns = 0;
  private stopping = false;

  constructor(
    private readonly runFile: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts a service (both instances of a singleton), resolved once it runs or waits as the standby. */
  async start(service: ServiceName): Promise<void> {
    if (!SINGLETONS.has(service)) return this.spawn(service, /^ready$/m);
    await this.spawn(service, /^ready$/m);
    await this.spawn(service, /^(ready|standby)$/m);
  }

  private async spawn(service: ServiceName, ready: RegExp, label?: string): Promise<void> {
    const flags = [
      ...(SINGLETONS.has(service) ? ['standby'] : []),
      ...(label === undefined ? [] : [`instance=${label}`]),
    ];
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, service, this.runFile, ...flags], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const instance: Instance = { service, child, label, out: '', expected: false };
    this.instances.push(instance);
    child.stderr?.on('data', (chunk: Buffer) => {
      instance.out += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('exit', (code) => {
      if (instance.expected || this.stopping) return;
      if (code === EXIT_STEPPED_DOWN) {
        this.stepDowns++;
        // As a supervisor would, a moment later; one that steps down again is started again.
        setTimeout(() => {
          if (!this.stopping) this.spawn(service, /^(ready|standby)$/m).catch(() => undefined);
        }, 1_000);
      } else this.crashes++;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        instance.out += chunk.toString();
        if (ready.test(instance.out)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`${service} exited (${code}) before it was ready`)));
    });
  }

  /** The running instance of a service: for a singleton, the one holding the lease. */
  private active(service: ServiceName): Instance | undefined {
    return this.instances.find((i) => i.service === service && alive(i) && /^ready$/m.test(i.out));
  }

  /**
   * SIGKILLs the service (a singleton's active instance, the oldest of several signals instances);
   * `restart` brings it back (as the standby, or on its own data directory). Returns its label.
   */
  async kill(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<string | undefined> {
    const victim = this.active(service);
    if (victim === undefined) return undefined;
    victim.expected = true;
    await new Promise<void>((resolve) => {
      victim.child.once('exit', () => resolve());
      victim.child.kill(signal);
    });
    return victim.label;
  }

  /** After a kill: a singleton's standby is still there, so one instance is started again. */
  restart(service: ServiceName, label?: string): Promise<void> {
    return SINGLETONS.has(service)
      ? this.spawn(service, /^(ready|standby)$/m)
      : this.spawn(service, /^ready$/m, label);
  }

  /** Starts one more instance of a partitioned service, in its own data directory. */
  add(service: ServiceName, label: string): Promise<void> {
    return this.spawn(service, /^ready$/m, label);
  }

  /** Running instances of a service. */
  running(service: ServiceName): number {
    return this.instances.filter((i) => i.service === service && alive(i)).length;
  }

  /** Partitions whose windows the signals instances rebuilt, and the bars they read for it. */
  restores(): { partitions: number; bars: number } {
    let partitions = 0;
    let bars = 0;
    for (const instance of this.instances) {
      const last = [...instance.out.matchAll(/^restores (\d+) warmup (\d+)$/gm)].at(-1);
      partitions += Number(last?.[1] ?? 0);
      bars += Number(last?.[2] ?? 0);
    }
    return { partitions, bars };
  }

  /**
   * SIGSTOPs a singleton's active instance, waits for its standby to take over, continues it, and
   * waits for it to step down (exit 75, having written nothing); then starts a new standby.
   * Returns the takeover time.
   */
  async stopAndContinue(service: ServiceName): Promise<{ tookMs: number; said: string }> {
    const victim = this.active(service);
    const standby = this.instances.find((i) => i.service === service && alive(i) && i !== victim);
    if (victim === undefined || standby === undefined)
      throw new Error(`${service}: no active and standby pair`);
    victim.expected = true;
    const stopped = Date.now();
    victim.child.kill('SIGSTOP');
    await eventually(
      () => /^active (\d+)$/m.exec(standby.out),
      (match) => match !== null,
      60_000,
    );
    const tookMs = Number(/^active (\d+)$/m.exec(standby.out)?.[1]) - stopped;
    // 'close': its last words (why it stepped down) are read before they are reported.
    const exited = new Promise<number | null>((resolve) =>
      victim.child.once('close', (code) => resolve(code)),
    );
    victim.child.kill('SIGCONT');
    const code = await exited;
    if (code !== EXIT_STEPPED_DOWN)
      throw new Error(`${service}: continued, it exited ${code}:\n${victim.out}`);
    await this.spawn(service, /^(ready|standby)$/m);
    return { tookMs, said: /stepping down: (.*)/.exec(victim.out)?.[1] ?? '' };
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const instance of this.instances) {
      if (!alive(instance)) continue;
      await new Promise<void>((resolve) => {
        instance.child.once('exit', () => resolve());
        instance.child.kill('SIGCONT');
        instance.child.kill('SIGKILL');
      });
    }
  }
}

/** Stops the broker (SIGTERM, as a machine going down would) and starts it again with the stack script. */
async function restartBroker(): Promise<number> {
  const started = Date.now();
  // The stack script's own files (STACK_DIR, as the script reads it, when another stack is in use).
  const stackDir = process.env.STACK_DIR ?? join(ROOT, '.stack');
  const pid = Number(readFileSync(join(stackDir, 'run', 'kafka.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  await eventually(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    (gone) => gone,
    60_000,
  );
  await promisify(execFile)('bash', ['scripts/stack/stack.sh', 'up'], { cwd: ROOT });
  return Date.now() - started;
}

describe('the pipeline under chaos on Kafka', () => {
  it(
    'ends where an undisturbed run ends after services are SIGKILLed at random and the broker restarts',
    // The CI size takes about a minute; the long mode (e.g. 100 kills) about 10 s a kill.
    { timeout: Math.max(1_200_000, KILLS * 20_000) },
    async () => {
      const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
      const modelsDir = mkdtempSync(join(tmpdir(), 'cml-chaos-models-'));
      const base = looseSettings(mkdtempSync(join(tmpdir(), 'cml-chaos-')), modelsDir, MODELS);
      const window = trainedWindow(base, bars, TRAINED, BARS);

      // The undisturbed run: the same processors over the same bars, on the embedded log.
      const calm = await replayOnEmbedded(modelsDir, MODELS, window);

      // The chaos run: one process per service on the real Kafka.
      const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
      const kafka = await harness.open();
      await prepareRuntime(kafka, harness.config);
      const serde = await AvroSerde.create(kafka.registry);
      const topics: PipelineTopics = {
        marketData: await createTestTopic(kafka, 3, -1),
        signals: await createTestTopic(kafka, 3, -1),
        orders: await createTestTopic(kafka, 1, -1),
      };
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-chaos-kafka-'));
      const settings = looseSettings(dataDir, modelsDir, MODELS);
      const config: Config = {
        ...settings,
        kafka: { ...harness.config.kafka, sessionTimeoutMs: 6_000 },
        registry: harness.config.registry,
        runtime: 'kafka',
      };
      const runFile = join(dataDir, 'run.json');
      writeFileSync(runFile, JSON.stringify({ config, topics }));
      // Sliced (the default), the bars arrive in KILLS + 1 slices, one at the start and one after
      // each kill, so the faults hit services at work.
      const slice = SLICED ? Math.ceil(window.length / (KILLS + 1)) : window.length;
      let fed = 0;
      const feed = async (): Promise<void> => {
        const bars = window.slice(fed, fed + slice);
        fed += bars.length;
        if (bars.length === 0) return;
        await kafka.log.append([
          {
            topic: topics.marketData,
            records: encodeValidated(serde, MARKET_DATA, bars, (b) => b.timestamp),
          },
        ]);
      };
      await feed();

      const services = new Services(runFile, process.env);
      const random = new SeededRandom(SEED);
      const started = Date.now();
      let kills = 0;
      let brokerRestartMs = 0;
      let brokerRestarts = 0;
      const stops: string[] = [];
      const topology: string[] = [];
      const victims: ServiceName[] = [];
      try {
        for (const service of SERVICES) await services.start(service);
        for (let n = 0; n < KILLS; n++) {
          await new Promise((resolve) => setTimeout(resolve, 1_000 + 3_000 * random.uniform()));
          const victim = SERVICES[Math.floor(random.uniform() * SERVICES.length)] as ServiceName;
          const label = await services.kill(victim);
          kills++;
          victims.push(victim);
          await new Promise((resolve) => setTimeout(resolve, 500 + 1_500 * random.uniform()));
          await services.restart(victim, label);
          const added = ADD_AFTER.get(n);
          if (added !== undefined) {
            await services.add('signals', `extra-${added}`);
            topology.push(`+signals (${services.running('signals')})`);
          }
          const removed = REMOVE_AFTER.get(n);
          if (removed !== undefined) {
            const signal = removed % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
            await services.kill('signals', signal);
            topology.push(`-signals ${signal} (${services.running('signals')})`);
          }
          if (STOP_AFTER.has(n)) {
            const stopped = random.uniform() < 0.5 ? 'decision' : 'exchange';
            const { tookMs, said } = await services.stopAndContinue(stopped);
            stops.push(`${stopped} ${(tookMs / 1_000).toFixed(1)} s (${said})`);
          }
          // Once mid-run by default; CHAOS_BROKER_RESTARTS spreads more over the kills.
          if (RESTART_AFTER.has(n)) {
            brokerRestartMs = Math.max(brokerRestartMs, await restartBroker());
            brokerRestarts++;
          }
          await feed();
        }
        expect(fed).toBe(window.length);
        // Every group of the run reaches the end of its topics: nothing left to do anywhere.
        const groupsDone = async (): Promise<boolean> => {
          for (const group of await kafka.listGroups()) {
            for (const topic of [topics.marketData, topics.signals, topics.orders]) {
              const committed = await kafka.log.committedOffsets(group, topic);
              if (committed.size === 0) continue;
              for (const [partition, end] of await kafka.log.endOffsets(topic))
                if ((committed.get(partition) ?? 0) < end) return false;
            }
          }
          return true;
        };
        const exchangeDone = async (): Promise<boolean> => {
          const committed = await kafka.log.committedOffsets(config.exchange.group, topics.marketData);
          for (const [partition, end] of await kafka.log.endOffsets(topics.marketData))
            if ((committed.get(partition) ?? 0) < end) return false;
          return groupsDone();
        };
        await eventually(exchangeDone, (done) => done, 600_000);
        // Projections fold the last events a moment after the exchange commits them.
        await eventually(groupsDone, (done) => done, 120_000);
      } finally {
        await services.stopAll();
      }
      const seconds = (Date.now() - started) / 1_000;

      const chaos = await eventsOf(kafka, serde, topics.orders);
      const signals = await signalsOf(kafka, serde, topics.signals);
      const signalKeys = new Set(signals.map((s) => `${s.symbol} ${s.timestamp} ${s.model}`));
      const chaosHash = (
        await rebuildPortfolio(kafka.log, serde, 10_000, {
          ordersTopic: topics.orders,
          marketDataTopic: topics.marketData,
        })
      ).hash;
      await kafka.close();

      // The projections' own stores, as the killed projections process left them.
      const candles = CandleStore.open(join(dataDir, 'projections', 'projections', 'candles'));
      const bySymbol = candles.candles({ symbol: 'BTCUSDT', limit: 100_000 }).length;
      await candles.close();
      const portfolio = PortfolioStore.open(join(dataDir, 'projections', 'projections', 'portfolio'));
      const stored = portfolio.summary(10_000);
      await portfolio.close();

      const restored = services.restores();
      const steps = chaos.filter((e) => e.status !== 'PENDING').map((e) => `${e.order_id} ${e.status}`);
      console.log(
        `chaos: ${kills} SIGKILLs survived (${victims.join(', ')}), ${brokerRestarts} broker restart(s), the longest ${(brokerRestartMs / 1_000).toFixed(1)} s, ` +
          `${stops.length} SIGSTOP takeover(s): ${stops.join('; ') || 'none'}, ${services.stepDowns} step-downs, ` +
          `signals instances ${topology.join(', ') || 'unchanged'}, ${restored.partitions} partition restores ` +
          `(${restored.bars} bars re-read), ${signals.length} signals (${signalKeys.size} distinct), ` +
          `${services.crashes} crashes, ${window.length} bars, ${chaos.length} order events in ${seconds.toFixed(0)} s; ` +
          `divergences: ${chaosHash === calm.hash ? 0 : 1}`,
      );
      expect(services.crashes).toBe(0);
      expect(signalKeys.size, 'no signal written twice').toBe(signals.length);
      expect(stops.length).toBe(STOPS);
      expect(topology.length).toBe(2 * SCALE);
      expect(new Set(steps).size, 'no order filled, closed or cancelled twice').toBe(steps.length);
      expect(calm.orders.length).toBeGreaterThan(4);
      expect(chaos).toEqual(calm.orders);
      expect(chaosHash).toBe(calm.hash);
      expect(bySymbol, 'every bar in the candle projection').toBe(window.length);
      expect(stored.cash).toBeCloseTo(calm.summary.cash, 8);
      expect(stored.realizedPnl).toBeCloseTo(calm.summary.realizedPnl, 8);
    },
  );
});
