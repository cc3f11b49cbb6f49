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
 * Stateful instances sharing the input's partitions: each instance runs on its own connections
 * and transactional ids, as separate processes would, and keeps no local snapshot, so every window
 * it needs after a rebalance comes from Kafka.
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

  const openInstance = async (name: string): Promise<Runtime> => {
    const config = loadConfig({
      env: {
        CML_RUNTIME: 'kafka',
        KAFKA_BROKERS: brokers,
        SCHEMA_REGISTRY_URL: registryUrl,
        KAFKA_CLIENT_ID: uniqueName(name),
        KAFKA_SESSION_TIMEOUT_MS: '6000',
      },
    });
    const instance = await openKafkaRuntime(config, silentLogger);
    opened.push(instance);
    return instance;
  };

  beforeAll(async () => {
    runtime = await openInstance('signals-test');
    serde = await AvroSerde.create(runtime.registry);
    input = await createTestTopic(runtime, 3, -1);
  });
  afterAll(async () => {
    for (const instance of opened) await instance.close();
  });

  const appendBars = async (list: readonly MarketData[]): Promise<void> => {
    await runtime.log.append([
      {
        topic: input,
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
  const start = async (group: string, output: string): Promise<SignalsProcessor> =>
    startSignalsProcessor({
      log: (await openInstance('signals')).log,
      serde,
      logger: silentLogger,
      clock: streamClock(),
      modelsDir,
      group,
      reloadIntervalMs: 60_000,
      restoreSpan: RESTORE_SPAN,
      readFrom: input,
      writeTo: output,
    });
  /** Resolves once the group has committed every bar appended so far. */
  const caughtUp = (group: string): Promise<unknown> =>
    eventually(
      async () => {
        const ends = await runtime.log.endOffsets(input);
        const committed = await runtime.log.committedOffsets(group, input);
        return [...ends].every(([partition, end]) => committed.get(partition) === end);
      },
      (done) => done,
      120_000,
    );
  const keyOf = (s: MlSignal): string => `${s.symbol}/${s.timestamp}/${s.metadata.model_version}`;
  const byKey = (signals: readonly MlSignal[]): Map<string, MlSignal> =>
    new Map(signals.map((s) => [keyOf(s), s]));

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
      const rows = (n: number): number => n * SYMBOLS.length;
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

      // The reference: one instance over all the bars, never disturbed.
      const alone = await createTestTopic(runtime, 3, -1);
      const aloneGroup = uniqueName('signals-alone');
      const single = await start(aloneGroup, alone);
      await caughtUp(aloneGroup);
      await single.stop();
      const reference = await written(alone);

      expect(phase1).toBeGreaterThan(0);
      expect(secondStats.restores).toBeGreaterThan(0);
      expect(second.stats().restores).toBeGreaterThan(secondStats.restores);
      // Bounded: each restore re-read one span (transaction markers take some of its offsets), not
      // the partition from its start (1,500+ records), and that gave both symbols a full window.
      const { restores, warmupBars } = second.stats();
      expect(warmupBars).toBeLessThanOrEqual(restores * RESTORE_SPAN);
      expect(warmupBars).toBeGreaterThanOrEqual(restores * 2 * 289);
      expect(reference.length).toBe(first.stats().signals + second.stats().signals);
      expect(together.length).toBe(reference.length);
      expect(new Set(together.map(keyOf)).size).toBe(together.length);
      const got = byKey(together);
      for (const [key, expected] of byKey(reference)) {
        const signal = got.get(key);
        expect(signal, key).toBeDefined();
        // Rebuilt windows restart their running sums: values agree to rounding, not to the last bit.
        expect([key, signal!.signal, signal!.features.rsi_14]).toEqual([
          key,
          expected.signal,
          expected.features.rsi_14,
        ]);
        expect(signal!.confidence).toBeCloseTo(expected.confidence, 9);
        expect(signal!.predicted_value).toBeCloseTo(expected.predicted_value, 9);
        expect(signal!.features.ma_25).toBeCloseTo(expected.features.ma_25, 6);
      }
    },
  );
});
