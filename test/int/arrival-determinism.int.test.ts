import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import type { Config } from '../../src/config/index.ts';
import { MARKET_DATA, type MarketData, type OrderEvent } from '../../src/contracts/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { readBarsFile } from '../../src/ml/index.ts';
import { startServices, type PipelineTopics, type Services } from '../../src/pipeline/services.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { eventsOf, looseSettings, signalsOf, trainedWindow } from '../support/pipeline-runs.ts';
import { createTestTopic, kafkaHarness, silentLogger } from '../support/runtimes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const MODELS = 'ma_rsi_rule:trend';

interface Outcome {
  readonly signals: number;
  readonly orders: OrderEvent[];
  readonly hash: string;
}

async function caughtUp(services: Services): Promise<void> {
  while (!(await services.caughtUp())) await new Promise((done) => setTimeout(done, 50));
}

/** The bars appended in `chunks` (each once the pipeline caught up), on fresh topics of the real Kafka. */
async function run(modelsDir: string, bars: readonly MarketData[], chunk: number): Promise<Outcome> {
  const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
  const runtime: Runtime = await harness.open();
  try {
    const config: Config = {
      ...looseSettings(mkdtempSync(join(tmpdir(), 'cml-arrival-')), modelsDir, MODELS),
      kafka: harness.config.kafka,
      registry: harness.config.registry,
      runtime: 'kafka',
    };
    await prepareRuntime(runtime, harness.config);
    const serde = await AvroSerde.create(runtime.registry);
    const topics: PipelineTopics = {
      marketData: await createTestTopic(runtime, 3, -1),
      signals: await createTestTopic(runtime, 3, -1),
      orders: await createTestTopic(runtime, 1, -1),
      controls: await createTestTopic(runtime, 1, -1),
    };
    const services = await startServices({
      config,
      runtime,
      serde,
      logger: silentLogger,
      services: ['projections', 'signals', 'decision', 'exchange'],
      clock: 'stream',
      topics,
    });
    try {
      for (let next = 0; next < bars.length; next += chunk) {
        const records = encodeValidated(
          serde,
          MARKET_DATA,
          bars.slice(next, next + chunk),
          (b) => b.timestamp,
        );
        await runtime.log.append([{ topic: topics.marketData, records }]);
        await caughtUp(services);
      }
    } finally {
      await services.stop();
    }
    const signals = (await signalsOf(runtime, serde, topics.signals)).length;
    const orders = await eventsOf(runtime, serde, topics.orders);
    const { hash } = await rebuildPortfolio(runtime.log, serde, config.exchange.initialCash, {
      ordersTopic: topics.orders,
      marketDataTopic: topics.marketData,
    });
    return { signals, orders, hash };
  } finally {
    await runtime.close();
  }
}

describe('bars arriving in chunks on Kafka', () => {
  it(
    'give the same signals, orders and state hash as the same bars appended at once',
    { timeout: 900_000 },
    async () => {
      const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
      const modelsDir = mkdtempSync(join(tmpdir(), 'cml-arrival-models-'));
      const window = trainedWindow(
        looseSettings(mkdtempSync(join(tmpdir(), 'cml-arrival-')), modelsDir, MODELS),
        bars,
        1_500,
        1_200,
      );
      const atOnce = await run(modelsDir, window, window.length);
      const chunked = await run(modelsDir, window, 40);
      console.log(
        `at once: ${atOnce.signals} signals, ${atOnce.orders.length} order events; chunked: ${chunked.signals} signals, ${chunked.orders.length} order events`,
      );
      expect(atOnce.orders.length).toBeGreaterThan(0);
      expect(chunked.signals).toBe(atOnce.signals);
      expect(chunked.orders.length).toBe(atOnce.orders.length);
      expect(chunked.orders).toEqual(atOnce.orders);
      expect(chunked.hash).toBe(atOnce.hash);
    },
  );
});
