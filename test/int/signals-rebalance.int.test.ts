import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MARKET_DATA, ML_SIGNALS, type MarketData, type MlSignal } from '../../src/contracts/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import { streamClock } from '../../src/messaging/index.ts';
import { openKafkaRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { startSignalsProcessor, type SignalsProcessor } from '../../streams/signals/index.ts';
import { createTestTopic, eventually, silentLogger, uniqueName } from '../support/runtimes.ts';
import { fixtureBars } from '../unit/ml/fixture-bars.ts';
import { trainSmallModels } from '../unit/signals/trained-models.ts';

const SPECS = [
  { model: 'random_forest', target: 'trend' },
  { model: 'logistic_regression', target: 'trend' },
] as const;
/** Two symbols on each of the three partitions. */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'LTCUSDT', 'SUIUSDT'];
const BARS_PER_SYMBOL = 900;
/** Records re-read first: 300 bars of each of a partition's two symbols, a full window (289) each. */
const RESTORE_SPAN = 600;

/** Six symbols, each a stretch of the fixture's bars at its own price level, interleaved in time. */
function marketBars(): MarketData[] {
  const source = fixtureBars();
  const out: MarketData[] = [];
  for (let i = 0; i < BARS_PER_SYMBOL; i++)
    SYMBOLS.forEach((symbol, s) => {
      const bar = source[6000 + s * 300 + i] as MarketData;
      const scale = 1 / (s + 1);
      out.push({
        ...bar,
        symbol,
        timestamp: (source[6000 + i] as MarketData).timestamp,
        price: bar.price * scale,
        open: bar.open * scale,
        high: bar.high * scale,
        low: bar.low * scale,
      });
    });
  return out;
}

/**
 * Stateful instances sharing the input's partitions: each instance runs on its own connections, as
 * separate processes would, with the client id of its service (transactional ids per input
 * partition, so the member given a partition fences the one that had it), and keeps no local
 * snapshot, so every window it needs after a rebalance comes from Kafka.
 */
describe('signals processor: instances sharing partitions on Kafka', () => {
  const brokers = inject('kafkaBrokers');
  const registryUrl = inject('registryUrl');
  const modelsDir = trainSmallModels(SPECS);
  const bars = marketBars();
  const opened: Runtime[] = [];
  let runtime: Runtime;
  let serde: AvroSerde;
  let input: string;

  /** A runtime of its own, as a process has; instances of one service share the client id. */
  const openInstance = async (clientId: string): Promise<Runtime> => {
    const config = loadConfig({
      env: {
        CML_RUNTIME: 'kafka',
        KAFKA_BROKERS: brokers,
        SCHEMA_REGISTRY_URL: registryUrl,
        KAFKA_CLIENT_ID: clientId,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
      },
    });
    const instance = await openKafkaRuntime(config, silentLogger);
    opened.push(instance);
    return instance;
  };

  beforeAll(async () => {
    runtime = await openInstance(uniqueName('signals-test'));
    serde = await AvroSerde.create(runtime.registry);
    input = await createTestTopic(runtime, 3, -1);
  });
  afterAll(async () => {
    for (const instance of opened) await instance.close();
  });

  const appendBars = async (list: readonly MarketData[], topic = input): Promise<void> => {
    await runtime.log.append([
      {
        topic,
        records: list.map((bar) => ({
          key: bar.symbol,
          value: serde.encode(MARKET_DATA, bar),
          timestamp: bar.timestamp,
        })),
      },
    ]);
  };
  const written = async (output: string): Promise<MlSignal[]> => {
    const signals: MlSignal[] = [];
    for (const [partition, end] of await runtime.log.endOffsets(output))
      for (const record of await runtime.log.read(output, partition, 0, end))
        signals.push(await serde.decode(ML_SIGNALS, record.value));
    return signals;
  };
  const start = async (group: string, output: string, from = input): Promise<SignalsProcessor> =>
    startSignalsProcessor({
      log: (await openInstance(`${group}-client`)).log,
      serde,
      logger: silentLogger,
      clock: streamClock(),
      modelsDir,
      group,
      reloadIntervalMs: 60_000,
      restoreSpan: RESTORE_SPAN,
      readFrom: from,
      writeTo: output,
    });
  /** Resolves once the group has committed every bar appended so far. */
  const caughtUp = (group: string, topic = input): Promise<unknown> =>
    eventually(
      async () => {
        const ends = await runtime.log.endOffsets(topic);
        const committed = await runtime.log.committedOffsets(group, topic);
        return [...ends].every(([partition, end]) => committed.get(partition) === end);
      },
      (done) => done,
      120_000,
    );
  const keyOf = (s: MlSignal): string => `${s.symbol}/${s.timestamp}/${s.metadata.model_version}`;
  const byKey = (signals: readonly MlSignal[]): Map<string, MlSignal> =>
    new Map(signals.map((s) => [keyOf(s), s]));

  /** The reference: one instance over all the bars at once, never disturbed (run once, for both cases). */
  let reference: Promise<MlSignal[]> | undefined;
  const singleInstance = (): Promise<MlSignal[]> =>
    (reference ??= (async () => {
      const source = await createTestTopic(runtime, 3, -1);
      await appendBars(bars, source);
      const alone = await createTestTopic(runtime, 3, -1);
      const group = uniqueName('signals-alone');
      const single = await start(group, alone, source);
      await caughtUp(group, source);
      await single.stop();
      return written(alone);
    })());

  const expectSameSignals = (together: readonly MlSignal[], expected: readonly MlSignal[]): void => {
    expect(together.length).toBe(expected.length);
    expect(new Set(together.map(keyOf)).size).toBe(together.length);
    const got = byKey(together);
    for (const [key, want] of byKey(expected)) {
      const signal = got.get(key);
      expect(signal, key).toBeDefined();
      // Rebuilt windows restart their running sums: values agree to rounding, not to the last bit.
      expect([key, signal!.signal, signal!.features.rsi_14]).toEqual([
        key,
        want.signal,
        want.features.rsi_14,
      ]);
      expect(signal!.confidence).toBeCloseTo(want.confidence, 9);
      expect(signal!.predicted_value).toBeCloseTo(want.predicted_value, 9);
      expect(signal!.features.ma_25).toBeCloseTo(want.features.ma_25, 6);
    }
  };
  const rows = (n: number): number => n * SYMBOLS.length;

  it(
    'a second instance joins mid-stream and the first leaves: the signals equal a single instance run',
    { timeout: 300_000 },
    async () => {
      const perPartition = new Map<number, number>();
      for (const symbol of SYMBOLS) {
        const partition = partitionFor(symbol, 3);
        perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
      }
      expect([...perPartition.values()]).toEqual([2, 2, 2]);
      const shared = await createTestTopic(runtime, 3, -1);
      const group = uniqueName('signals-shared');

      await appendBars(bars.slice(0, rows(600)));
      const first = await start(group, shared);
      await caughtUp(group);
      const phase1 = first.stats().signals;

      // A second member mid-stream: the group splits the partitions while bars keep coming.
      const second = await start(group, shared);
      for (let at = 600; at < 750; at += 10) await appendBars(bars.slice(rows(at), rows(at + 10)));
      await caughtUp(group);
      const secondStats = second.stats();

      // The first leaves: its partitions go to the second, which rebuilds their windows.
      await first.stop();
      await appendBars(bars.slice(rows(750)));
      await caughtUp(group);
      await second.stop();
      const together = await written(shared);
      const expected = await singleInstance();

      expect(phase1).toBeGreaterThan(0);
      expect(secondStats.restores).toBeGreaterThan(0);
      expect(second.stats().restores).toBeGreaterThan(secondStats.restores);
      // Bounded: each restore re-read one span (transaction markers take some of its offsets), not
      // the partition from its start (1,500+ records), and that gave both symbols a full window.
      const { restores, warmupBars } = second.stats();
      expect(warmupBars).toBeLessThanOrEqual(restores * RESTORE_SPAN);
      expect(warmupBars).toBeGreaterThanOrEqual(restores * 2 * 289);
      expect(expected.length).toBe(first.stats().signals + second.stats().signals);
      expectSameSignals(together, expected);
    },
  );

  it(
    'an instance SIGKILLed mid-stream: the survivor takes its partitions and the signals equal a single instance run',
    { timeout: 300_000 },
    async () => {
      const source = await createTestTopic(runtime, 3, -1);
      const shared = await createTestTopic(runtime, 3, -1);
      const group = uniqueName('signals-killed');
      await appendBars(bars.slice(0, rows(600)), source);
      const doomed = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/support/signals-instance.ts', source, shared, group, modelsDir],
        {
          stdio: 'ignore',
          env: {
            ...process.env,
            KAFKA_BROKERS: brokers,
            SCHEMA_REGISTRY_URL: registryUrl,
            KAFKA_SESSION_TIMEOUT_MS: '6000',
            KAFKA_CLIENT_ID: `${group}-client`,
            LOG_LEVEL: 'warn',
          },
        },
      );
      const exited = new Promise((resolve) => doomed.once('exit', resolve));
      try {
        await caughtUp(group, source);
        // A second member joins while bars keep coming; once it holds partitions of its own, the
        // first is killed mid-stream, and its partitions move after the session timeout.
        const survivor = await start(group, shared, source);
        let at = 600;
        let restoresAtKill: number | undefined;
        for (; at < 900; at += 10) {
          await appendBars(bars.slice(rows(at), rows(at + 10)), source);
          if (restoresAtKill === undefined && survivor.stats().restores > 0) {
            restoresAtKill = survivor.stats().restores;
            doomed.kill('SIGKILL');
            await exited;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await caughtUp(group, source);
        await survivor.stop();
        expect(restoresAtKill).toBeDefined();
        expect(survivor.stats().restores).toBeGreaterThan(restoresAtKill!);
      } finally {
        doomed.kill('SIGKILL');
      }
      expectSameSignals(await written(shared), await singleInstance());
    },
  );
});
