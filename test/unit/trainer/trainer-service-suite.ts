import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../../src/config/index.ts';
import { MARKET_DATA, ML_SIGNALS, type MarketData, type MlSignal } from '../../../src/contracts/index.ts';
import {
  listArtifacts,
  modelSpecsOf,
  modelsDirOf,
  readArtifact,
  trainModels,
  trainSettingsOf,
  type ModelArtifact,
} from '../../../src/ml/index.ts';
import { startServices, type PipelineTopics } from '../../../src/pipeline/services.ts';
import type { Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import {
  createTestTopic,
  eventually,
  silentLogger,
  uniqueName,
  type RuntimeHarness,
} from '../../support/runtimes.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';

const DAY = 86_400_000;
const DELAY = 15 * 60_000;
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * The trainer service beside the signals processor on a runtime: it trains on the bars in the log,
 * publishes versions with their provenance, and the running processor serves them from their
 * activeFrom on, without a restart.
 */
export function describeTrainerService(harness: () => RuntimeHarness): void {
  let runtime: Runtime;
  let serde: AvroSerde;
  let config: Config;
  let topics: PipelineTopics;
  const bars = fixtureBars();

  beforeAll(async () => {
    const opened = harness();
    runtime = await opened.open();
    serde = await AvroSerde.create(runtime.registry);
    const base = opened.config;
    config = {
      ...base,
      dataDir: mkdtempSync(join(tmpdir(), 'cml-trainer-')),
      ml: {
        ...base.ml,
        models: ['logistic_regression:trend', 'random_forest:trend'],
        trees: 10,
        maxDepth: 5,
        group: uniqueName('signals'),
        reloadIntervalMs: 0,
        snapshotIntervalMs: 0,
        trainer: { windowMs: 7 * DAY, intervalMs: DAY, activationDelayMs: DELAY, checkMs: 200 },
      },
    };
    topics = {
      marketData: await createTestTopic(runtime, 3, -1),
      signals: await createTestTopic(runtime, 3, -1),
      orders: await createTestTopic(runtime, 1, -1),
    };
  });
  afterAll(async () => {
    await runtime.close();
  });

  const append = async (list: readonly MarketData[]): Promise<void> => {
    await runtime.log.append([
      {
        topic: topics.marketData,
        records: list.map((bar) => ({
          key: bar.symbol,
          value: serde.encode(MARKET_DATA, bar),
          timestamp: bar.timestamp,
        })),
      },
    ]);
  };
  const signals = async (): Promise<MlSignal[]> => {
    const all: MlSignal[] = [];
    for (const [partition, end] of await runtime.log.endOffsets(topics.signals))
      for (const record of await runtime.log.read(topics.signals, partition, 0, end))
        all.push(await serde.decode(ML_SIGNALS, record.value));
    return all;
  };

  it(
    'publishes a version trained on the log and the running processor serves it from its activeFrom',
    { timeout: 240_000 },
    async () => {
      const modelsDir = modelsDirOf(config);
      // What the first run serves: versions trained by hand, live at once.
      trainModels({
        bars: bars.slice(0, 3_000),
        modelsDir,
        specs: modelSpecsOf(config),
        settings: trainSettingsOf(config),
      });
      await append(bars.slice(3_000, 4_000));
      const services = await startServices({
        config,
        runtime,
        serde,
        logger: silentLogger,
        services: ['signals', 'trainer'],
        clock: 'stream',
        topics,
      });
      try {
        const trainer = services.trainer;
        const processor = services.signals;
        if (trainer === undefined || processor === undefined) throw new Error('services not started');
        await eventually(
          () => trainer.stats().published.length,
          (n) => n === 2,
          120_000,
        );
        expect(trainer.stats().published.sort()).toEqual([
          'logistic_regression-trend-h48.v2',
          'random_forest-trend-h48.v2',
        ]);
        const published = listArtifacts(modelsDir)
          .filter((stored) => stored.version === 2)
          .map((stored) => readArtifact(stored.path));
        const lastTrained = (bars[3_999] as MarketData).timestamp;
        const activeFrom = lastTrained + DELAY;
        for (const artifact of published) {
          const provenance = artifact.provenance as NonNullable<ModelArtifact['provenance']>;
          expect(provenance).toMatchObject({
            activeFrom,
            dataFrom: (bars[3_000] as MarketData).timestamp,
            dataTo: lastTrained,
            bars: 1_000,
            topic: topics.marketData,
            trainer: { windowMs: 7 * DAY, intervalMs: DAY },
          });
          expect(Object.values(provenance.offsets).reduce((s, o) => s + o, 0)).toBe(1_000);
          expect(provenance.code.packageVersion).toBe(PACKAGE_VERSION);
          expect(provenance.code.gitCommit ?? '0'.repeat(40)).toMatch(/^[0-9a-f]{40}$/);
          expect(provenance.scores.accuracy).toBe(artifact.metrics.signal.accuracy);
          expect(provenance.scores.baselineAccuracy).toBe(artifact.baselines.lastPrice.signal.accuracy);
          // The existing fields keep their meaning: the training range is the window's.
          expect(artifact.training.dataTo).toBe(lastTrained);
        }

        // Bars after the publication: those from activeFrom on are served by the new versions.
        await append(bars.slice(4_000, 4_100));
        const last = (bars[4_099] as MarketData).timestamp;
        const written = await eventually(
          signals,
          (all) => all.filter((s) => s.timestamp === last).length === 2,
          120_000,
        );
        const versionsOf = (keep: (s: MlSignal) => boolean) =>
          new Set(written.filter(keep).map((s) => s.metadata.model_version));
        expect(versionsOf((s) => s.timestamp < activeFrom)).toEqual(
          new Set(['logistic_regression-trend-h48.v1', 'random_forest-trend-h48.v1']),
        );
        expect(versionsOf((s) => s.timestamp >= activeFrom)).toEqual(
          new Set(['logistic_regression-trend-h48.v2', 'random_forest-trend-h48.v2']),
        );
        expect(processor.stats().reloads).toBeGreaterThanOrEqual(1);
        expect(processor.versions()).toContain('random_forest-trend-h48.v2');
        // 100 bars (8 h) after the data of the versions: no retrain is due yet.
        expect(trainer.stats().published.length).toBe(2);
      } finally {
        await services.stop();
      }
    },
  );
}
