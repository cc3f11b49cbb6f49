import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  MARKET_DATA,
  ML_SIGNALS,
  validateSignal,
  type MarketData,
  type MlSignal,
} from '../../../src/contracts/index.ts';
import { streamClock } from '../../../src/messaging/index.ts';
import type { Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { latestArtifacts, readArtifact, trainModels } from '../../../src/ml/index.ts';
import {
  createSignalEngine,
  startSignalsProcessor,
  type SignalsProcessor,
} from '../../../streams/signals/index.ts';
import {
  createTestTopic,
  eventually,
  silentLogger,
  uniqueName,
  type RuntimeHarness,
} from '../../support/runtimes.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';
import { SMALL_SETTINGS, trainSmallModels } from './trained-models.ts';

const SPECS = [
  { model: 'random_forest', target: 'trend' },
  { model: 'logistic_regression', target: 'trend' },
] as const;

/** The processor on a runtime: atomic output, snapshot restore without re-reading, hot reload. */
export function describeSignalsProcessor(harness: () => RuntimeHarness): void {
  let runtime: Runtime;
  let serde: AvroSerde;
  let input: string;
  let output: string;
  const modelsDir = trainSmallModels(SPECS);
  const snapshotDir = mkdtempSync(join(tmpdir(), 'cml-signals-'));
  const group = uniqueName('signals');
  const bars = fixtureBars().slice(6000, 6700);

  beforeAll(async () => {
    runtime = await harness().open();
    serde = await AvroSerde.create(runtime.registry);
    input = await createTestTopic(runtime, 3, -1);
    output = await createTestTopic(runtime, 3, -1);
  });
  afterAll(async () => {
    await runtime.close();
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
  const written = async (): Promise<MlSignal[]> => {
    const signals: MlSignal[] = [];
    for (const [partition, end] of await runtime.log.endOffsets(output))
      for (const record of await runtime.log.read(output, partition, 0, end))
        signals.push(await serde.decode(ML_SIGNALS, record.value));
    return signals.sort((a, b) => a.timestamp - b.timestamp || a.model.localeCompare(b.model));
  };
  const start = (windowsDir = snapshotDir): Promise<SignalsProcessor> =>
    startSignalsProcessor({
      log: runtime.log,
      serde,
      logger: silentLogger,
      clock: streamClock(),
      modelsDir,
      group,
      snapshotDir: windowsDir,
      snapshotIntervalMs: 0,
      reloadIntervalMs: 0,
      readFrom: input,
      writeTo: output,
    });
  const expectedFor = (list: readonly MarketData[]): MlSignal[] => {
    const artifacts = [...latestArtifacts(modelsDir).values()].map((s) => readArtifact(s.path));
    const engine = createSignalEngine(artifacts);
    return list
      .flatMap((bar) => engine.onBar(bar))
      .sort((a, b) => a.timestamp - b.timestamp || a.model.localeCompare(b.model));
  };

  it(
    'writes one valid signal per warm bar and model, the same an in-process engine gives',
    { timeout: 240_000 },
    async () => {
      await appendBars(bars.slice(0, 500));
      const processor = await start();
      const expected = expectedFor(bars.slice(0, 500));
      const got = await eventually(written, (s) => s.length >= expected.length, 90_000);
      await processor.stop();
      expect(got.length).toBe(expected.length);
      expect(got.map((s) => [s.timestamp, s.model, s.signal])).toEqual(
        expected.map((s) => [s.timestamp, s.model, s.signal]),
      );
      for (const signal of got) expect(validateSignal(signal, { now: signal.timestamp })).toEqual([]);
      expect(processor.stats()).toMatchObject({ bars: 500, rejectedSignals: 0 });
    },
  );

  it(
    'restarts from the snapshot without re-reading the topic, and picks up a new model version',
    { timeout: 240_000 },
    async () => {
      await appendBars(bars.slice(500, 600));
      const before = (await written()).length;
      const processor = await start();
      const perBar = SPECS.length;
      await eventually(written, (s) => s.length >= before + 100 * perBar, 90_000);
      expect(processor.stats().warmupBars).toBe(0);
      expect(processor.stats().bars).toBe(100);

      // A new version of the forest: served from the next batch on, without a restart.
      trainModels({
        bars: fixtureBars().slice(0, 6000),
        modelsDir,
        specs: [SPECS[0]],
        settings: SMALL_SETTINGS,
      });
      await appendBars(bars.slice(600, 700));
      const all = await eventually(written, (s) => s.length >= before + 200 * perBar, 90_000);
      await processor.stop();
      expect(all.length).toBe(before + 200 * perBar);
      const last = all
        .filter((s) => s.timestamp === bars[699]!.timestamp)
        .map((s) => s.metadata.model_version);
      expect(last.sort()).toEqual(['logistic_regression-trend-h48.v1', 'random_forest-trend-h48.v2']);
      expect(processor.stats().reloads).toBe(1);
      // Exactly once: no bar has two signals of one model version.
      const keys = all.map((s) => `${s.timestamp}/${s.metadata.model_version}`);
      expect(new Set(keys).size).toBe(keys.length);
    },
  );

  it(
    'without a snapshot, rebuilds the windows from the topic up to the committed offsets',
    { timeout: 240_000 },
    async () => {
      const before = (await written()).length;
      const processor = await start(mkdtempSync(join(tmpdir(), 'cml-signals-empty-')));
      await appendBars(fixtureBars().slice(6700, 6750));
      const all = await eventually(written, (s) => s.length >= before + 50 * SPECS.length, 90_000);
      await processor.stop();
      // Before its first new record, the partition's windows were rebuilt from the 700 committed bars.
      expect(processor.stats()).toMatchObject({ warmupBars: 700, restores: 1, bars: 50 });
      expect(all.length).toBe(before + 50 * SPECS.length);
      const expected = expectedFor(fixtureBars().slice(6000, 6750)).filter(
        (s) => s.timestamp >= fixtureBars()[6700]!.timestamp,
      );
      const got = all.filter((s) => s.timestamp >= fixtureBars()[6700]!.timestamp);
      expect(got.map((s) => [s.timestamp, s.metadata.model_version, s.signal])).toEqual(
        expected.map((s) => [s.timestamp, s.metadata.model_version, s.signal]),
      );
    },
  );
}
