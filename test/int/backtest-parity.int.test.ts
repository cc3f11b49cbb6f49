import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { runLockstep } from '../../src/backtest/lockstep-engine.ts';
import { replayPipeline } from '../../src/backtest/run-backtest.ts';
import { readBarsFile, servedSlotsOf } from '../../src/ml/index.ts';
import { prepareRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { decisionSettingsOf } from '../../streams/decision/index.ts';
import { exchangeSettingsOf } from '../../streams/exchange/open-exchange.ts';
import { ModelSource } from '../../streams/signals/model-source.ts';
import { looseSettings, replayOnEmbedded, trainedWindow } from '../support/pipeline-runs.ts';
import { createTestTopic, kafkaHarness, silentLogger } from '../support/runtimes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const TRAINED = 1_500;
const TRADED = 2_000;

const MODELS = 'random_forest:price_change,logistic_regression:trend';

describe('backtest parity', () => {
  it(
    'gives the same orders and the same state hash live-style on Kafka, processor by processor, as a backtest on the embedded log and as the research engine',
    { timeout: 900_000 },
    async () => {
      const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
      const modelsDir = mkdtempSync(join(tmpdir(), 'cml-parity-models-'));
      const base = looseSettings(mkdtempSync(join(tmpdir(), 'cml-parity-')), modelsDir, MODELS);
      const window = trainedWindow(base, bars, TRAINED, TRADED);

      // Live-style: the processors on the real Kafka, each through the log and its consumer groups.
      const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
      const kafka = await harness.open();
      const kafkaConfig = {
        ...looseSettings(mkdtempSync(join(tmpdir(), 'cml-parity-kafka-')), modelsDir, MODELS),
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
      const backtest = await replayOnEmbedded(modelsDir, MODELS, window);

      // And the research engine, in memory, on the same bars and models.
      const research = runLockstep({
        bars: window,
        artifacts: new ModelSource(modelsDir, servedSlotsOf(base)).load(),
        decision: decisionSettingsOf(base.decision),
        exchange: exchangeSettingsOf(base),
      });

      expect(backtest.orders.length).toBeGreaterThan(4);
      expect(live.orders).toEqual(backtest.orders);
      expect(liveHash).toBe(backtest.hash);
      expect(research.orders).toEqual(live.orders);
      expect(research.hash).toBe(liveHash);
    },
  );
});
