import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import type { Config } from '../../src/config/index.ts';
import { MARKET_DATA, ML_SIGNALS, ORDERS, type MarketData } from '../../src/contracts/index.ts';
import { readBarsFile } from '../../src/ml/index.ts';
import { openEmbeddedRuntime, prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { replayWithControls, runWithControls, type RunOptions } from '../support/controlled-run.ts';
import { looseSettings, trainedWindow } from '../support/pipeline-runs.ts';
import { createTestTopic, kafkaHarness } from '../support/runtimes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const MODELS = 'ma_rsi_rule:trend';

/** The models trained once, and the bars after them. */
function trained(): { modelsDir: string; window: MarketData[] } {
  const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
  const modelsDir = mkdtempSync(join(tmpdir(), 'cml-controls-models-'));
  const window = trainedWindow(
    looseSettings(mkdtempSync(join(tmpdir(), 'cml-controls-')), modelsDir, MODELS),
    bars,
    1_500,
    1_200,
  );
  return { modelsDir, window };
}

/** A use of the real Kafka + registry, on topics and groups of its own. */
async function onKafka<T>(modelsDir: string, use: (options: RunOptions) => Promise<T>): Promise<T> {
  const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
  const kafka: Runtime = await harness.open();
  try {
    const config: Config = {
      ...looseSettings(mkdtempSync(join(tmpdir(), 'cml-controls-kafka-')), modelsDir, MODELS),
      kafka: harness.config.kafka,
      registry: harness.config.registry,
      runtime: 'kafka',
    };
    await prepareRuntime(kafka, harness.config);
    const serde = await AvroSerde.create(kafka.registry);
    const topics = {
      marketData: await createTestTopic(kafka, 3, -1),
      signals: await createTestTopic(kafka, 3, -1),
      orders: await createTestTopic(kafka, 1, -1),
      controls: await createTestTopic(kafka, 1, -1),
    };
    return await use({ config, runtime: kafka, serde, topics });
  } finally {
    await kafka.close();
  }
}

async function onEmbedded<T>(modelsDir: string, use: (options: RunOptions) => Promise<T>): Promise<T> {
  const config: Config = {
    ...looseSettings(mkdtempSync(join(tmpdir(), 'cml-controls-embedded-')), modelsDir, MODELS),
    topics: {
      [MARKET_DATA]: { retentionMs: -1 },
      [ML_SIGNALS]: { retentionMs: -1 },
      [ORDERS]: { retentionMs: -1 },
    },
  };
  const runtime = openEmbeddedRuntime(config);
  try {
    await prepareRuntime(runtime, config);
    return await use({ config, runtime, serde: await AvroSerde.create(runtime.registry) });
  } finally {
    await runtime.close();
  }
}

describe('controls on Kafka', () => {
  it(
    'a live run with pause, resume and force-close, replayed from its log on the real Kafka, gives the same orders and state hash',
    { timeout: 600_000 },
    async () => {
      const { modelsDir, window } = trained();
      const live = await onEmbedded(modelsDir, (options) => runWithControls(options, window));
      const replay = await onKafka(modelsDir, (options) =>
        replayWithControls(options, window, live.controls),
      );
      expect(live.orders.some((o) => o.status === 'CLOSED' && o.close_reason === 'MANUAL')).toBe(true);
      expect(replay.controls).toEqual(live.controls);
      expect(replay.orders).toEqual(live.orders);
      expect(replay.hash).toBe(live.hash);
    },
  );

  it(
    'a live run on Kafka records each request once, in its transaction, places no BUY while paused, and its replay gives the same orders and state hash',
    { timeout: 600_000 },
    async () => {
      const { modelsDir, window } = trained();
      const live = await onKafka(modelsDir, (options) => runWithControls(options, window));
      const records = live.controls.filter((c) => c.applied_from !== null);
      expect(records.map((c) => c.action)).toEqual(['PAUSE_ENTRIES', 'RESUME_ENTRIES', 'FORCE_CLOSE']);
      expect(new Set(live.controls.map((c) => c.control_id)).size).toBe(3);
      const [from, to] = records.map((c) => c.applied_from as number) as [number, number];
      const buys = live.orders.filter((o) => o.status === 'PENDING' && o.action === 'BUY');
      expect(buys.filter((o) => o.timestamp >= from && o.timestamp < to)).toEqual([]);
      // The bars reached Kafka a few at a time after the services started: the stages still met
      // them in event time, so the log replays to what the live run decided.
      const replay = await onEmbedded(modelsDir, (options) =>
        replayWithControls(options, window, live.controls),
      );
      expect(live.orders.some((o) => o.status === 'CLOSED' && o.close_reason === 'MANUAL')).toBe(true);
      expect(replay.orders).toEqual(live.orders);
      expect(replay.hash).toBe(live.hash);
    },
  );
});
