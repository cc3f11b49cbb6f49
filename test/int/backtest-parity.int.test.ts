import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { MARKET_DATA, ML_SIGNALS, ORDERS } from '../../src/contracts/index.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { replayPipeline } from '../../src/backtest/run-backtest.ts';
import {
  featureDefinitionFor,
  inferIntervalMs,
  modelSpecsOf,
  readBarsFile,
  trainModels,
  trainSettingsOf,
  warmupBars,
} from '../../src/ml/index.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { createTestTopic, kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const TRAINED = 1_500;
const TRADED = 2_000;

/** Looser rules than the spec's, so 2,000 bars of a quiet market give orders to compare. */
const settings = (dataDir: string, modelsDir: string): Config => {
  const config = loadConfig({
    env: {
      CML_DATA_DIR: dataDir,
      ML_MODELS_DIR: modelsDir,
      ML_BAND_PCT: '0.4',
      ML_MODELS: 'random_forest:price_change,logistic_regression:trend',
      ML_TREES: '15',
      DECISION_BUY_THRESHOLD_PCT: '0.3',
      DECISION_MIN_CONFIDENCE: '0.3',
      DECISION_HIGH_CONFIDENCE: '0.5',
      SIGNALS_GROUP: uniqueName('signals'),
      DECISION_GROUP: uniqueName('decision'),
    },
  });
  return { ...config, exchange: { ...config.exchange, group: uniqueName('exchange') } };
};

describe('backtest parity', () => {
  it(
    'gives the same orders and the same state hash live-style on Kafka, processor by processor, as a backtest',
    { timeout: 900_000 },
    async () => {
      const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
      const modelsDir = mkdtempSync(join(tmpdir(), 'cml-parity-models-'));
      const base = settings(mkdtempSync(join(tmpdir(), 'cml-parity-')), modelsDir);
      trainModels({
        bars: bars.slice(0, TRAINED),
        modelsDir,
        specs: modelSpecsOf(base),
        settings: trainSettingsOf(base),
      });
      const warmup = warmupBars(featureDefinitionFor(inferIntervalMs(bars.map((b) => b.timestamp))));
      const window = bars.slice(TRAINED - warmup, TRAINED + TRADED);

      // Live-style: the processors on the real Kafka, each through the log and its consumer groups.
      const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
      const kafka = await harness.open();
      const kafkaConfig = {
        ...settings(mkdtempSync(join(tmpdir(), 'cml-parity-kafka-')), modelsDir),
        kafka: harness.config.kafka,
        registry: harness.config.registry,
        runtime: 'kafka' as const,
      };
      let live;
      let liveHash: string;
      try {
        await prepareRuntime(kafka, harness.config);
        const serde = await AvroSerde.create(kafka.registry);
        const topics = {
          marketData: await createTestTopic(kafka, 3, -1),
          signals: await createTestTopic(kafka, 3, -1),
          orders: await createTestTopic(kafka, 1, -1),
        };
        const started = Date.now();
        live = await replayPipeline({
          config: kafkaConfig,
          runtime: kafka,
          serde,
          logger: silentLogger,
          bars: window,
          topics,
        });
        console.log(
          `parity: ${window.length} bars through Kafka in ${((Date.now() - started) / 1000).toFixed(1)} s, ${live.orders.length} order events`,
        );
        liveHash = (
          await rebuildPortfolio(kafka.log, serde, 10_000, {
            ordersTopic: topics.orders,
            marketDataTopic: topics.marketData,
          })
        ).hash;
      } finally {
        await kafka.close();
      }

      // The backtest: the same bars and models on a fresh embedded log.
      const embeddedConfig = {
        ...settings(mkdtempSync(join(tmpdir(), 'cml-parity-embedded-')), modelsDir),
        topics: {
          [MARKET_DATA]: { retentionMs: -1 },
          [ML_SIGNALS]: { retentionMs: -1 },
          [ORDERS]: { retentionMs: -1 },
        },
      };
      const embedded = openEmbeddedRuntime(embeddedConfig);
      let backtest;
      let backtestHash: string;
      try {
        await prepareRuntime(embedded, embeddedConfig);
        const serde = await AvroSerde.create(embedded.registry);
        backtest = await replayPipeline({
          config: embeddedConfig,
          runtime: embedded,
          serde,
          logger: silentLogger,
          bars: window,
        });
        backtestHash = (await rebuildPortfolio(embedded.log, serde, 10_000)).hash;
      } finally {
        await embedded.close();
      }

      expect(backtest.orders.length).toBeGreaterThan(4);
      expect(live.orders).toEqual(backtest.orders);
      expect(liveHash).toBe(backtestHash);
    },
  );
});
