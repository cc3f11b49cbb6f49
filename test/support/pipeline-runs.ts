import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayPipeline, type Replayed } from '../../src/backtest/run-backtest.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type MarketData,
  type MlSignal,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import {
  featureDefinitionFor,
  inferIntervalMs,
  modelSpecsOf,
  trainModels,
  trainSettingsOf,
  warmupBars,
} from '../../src/ml/index.ts';
import { openEmbeddedRuntime, prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { silentLogger, uniqueName } from './runtimes.ts';

/**
 * Looser rules than the spec's, so a short history of a quiet market gives orders to compare, and
 * consumer groups of their own.
 */
export function looseSettings(dataDir: string, modelsDir: string, models: string): Config {
  const config = loadConfig({
    env: {
      CML_DATA_DIR: dataDir,
      ML_MODELS_DIR: modelsDir,
      ML_BAND_PCT: '0.4',
      ML_MODELS: models,
      ML_TREES: '15',
      // These runs test the machinery, not the models: raw confidences, which clear loose thresholds
      // (calibrated ones are honest probabilities, and on this data stay below them).
      ML_CALIBRATION: 'none',
      DECISION_BUY_THRESHOLD_PCT: '0.3',
      DECISION_MIN_CONFIDENCE: '0.3',
      DECISION_HIGH_CONFIDENCE: '0.5',
      SIGNALS_GROUP: uniqueName('signals'),
      DECISION_GROUP: uniqueName('decision'),
    },
  });
  return { ...config, exchange: { ...config.exchange, group: uniqueName('exchange') } };
}

/**
 * Trains the configured models on the first `trained` bars and returns the bars to replay: the
 * features' warm-up bars, then the `traded` bars after the training period.
 */
export function trainedWindow(
  config: Config,
  bars: readonly MarketData[],
  trained: number,
  traded: number,
): MarketData[] {
  trainModels({
    bars: bars.slice(0, trained),
    modelsDir: config.ml.modelsDir as string,
    specs: modelSpecsOf(config),
    settings: trainSettingsOf(config),
  });
  const warmup = warmupBars(featureDefinitionFor(inferIntervalMs(bars.map((b) => b.timestamp))));
  return bars.slice(trained - warmup, trained + traded);
}

/** The undisturbed reference: the processors over the bars on a fresh embedded log, and its state hash. */
export async function replayOnEmbedded(
  modelsDir: string,
  models: string,
  bars: readonly MarketData[],
): Promise<Replayed & { readonly hash: string }> {
  const config: Config = {
    ...looseSettings(mkdtempSync(join(tmpdir(), 'cml-embedded-run-')), modelsDir, models),
    topics: {
      [MARKET_DATA]: { retentionMs: -1 },
      [ML_SIGNALS]: { retentionMs: -1 },
      [ORDERS]: { retentionMs: -1 },
    },
  };
  const runtime = openEmbeddedRuntime(config);
  try {
    await prepareRuntime(runtime, config);
    const serde = await AvroSerde.create(runtime.registry);
    const replayed = await replayPipeline({ config, runtime, serde, logger: silentLogger, bars });
    return { ...replayed, hash: (await rebuildPortfolio(runtime.log, serde, 10_000)).hash };
  } finally {
    await runtime.close();
  }
}

/** Every signal of the run, from all partitions of the signals topic. */
export const signalsOf = async (runtime: Runtime, serde: AvroSerde, topic: string): Promise<MlSignal[]> => {
  const signals: MlSignal[] = [];
  for (const [partition, end] of await runtime.log.endOffsets(topic))
    for (const record of await runtime.log.read(topic, partition, 0, end))
      signals.push(await serde.decode(ML_SIGNALS, record.value));
  return signals;
};

/** Every event of the run's one-partition orders topic, in log order. */
export const eventsOf = async (runtime: Runtime, serde: AvroSerde, topic: string): Promise<OrderEvent[]> => {
  const end = (await runtime.log.endOffsets(topic)).get(0) ?? 0;
  const records = await runtime.log.read(topic, 0, 0, end);
  return Promise.all(records.map((record) => serde.decode(ORDERS, record.value)));
};
