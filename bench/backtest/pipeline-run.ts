import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClosedTrade } from '../../projections/portfolio/index.ts';
import { replayPipeline } from '../../src/backtest/run-backtest.ts';
import type { Config } from '../../src/config/index.ts';
import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type MarketData,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import { trainOnEarliest } from './train-earliest.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';

export interface PipelineRun {
  readonly config: Config;
  readonly trainBars: number;
  /** The bars put in the log: the traded part with the features' warm-up before it. */
  readonly logBars: readonly MarketData[];
  /** Index in `logBars` of the first bar a signal came with. */
  readonly firstSignalIndex: number;
  readonly seconds: number;
  readonly barsPerSecond: number;
  readonly signals: number;
  readonly orders: readonly OrderEvent[];
  readonly trades: readonly ClosedTrade[];
}

const RETAIN_FOREVER = { retentionMs: -1 } as const;

/**
 * What `cml backtest` does, with the replay timed on its own: the configured models trained on the
 * earliest `trainShare` of the bars (not timed), then the rest (with the warm-up bars before it)
 * replayed through every processor on a fresh embedded runtime in `dir`.
 */
export async function runBacktestBars(options: {
  readonly config: Config;
  readonly bars: readonly MarketData[];
  readonly trainShare: number;
  readonly dir: string;
}): Promise<PipelineRun> {
  const { bars } = options;
  const dataDir = resolve(options.dir, 'data');
  const modelsDir = resolve(dataDir, 'models');
  const config: Config = {
    ...options.config,
    runtime: 'embedded',
    dataDir,
    ml: { ...options.config.ml, modelsDir },
    exchange: { ...options.config.exchange, watermark: 'pipeline' },
    topics: { [MARKET_DATA]: RETAIN_FOREVER, [ML_SIGNALS]: RETAIN_FOREVER, [ORDERS]: RETAIN_FOREVER },
  };
  const { trainBars: split, tradedBars: logBars } = trainOnEarliest(config, bars, options.trainShare);
  mkdirSync(dataDir, { recursive: true });
  const runtime = openEmbeddedRuntime(config);
  try {
    await prepareRuntime(runtime, config);
    const serde = await AvroSerde.create(runtime.registry);
    const started = performance.now();
    const replayed = await replayPipeline({
      config,
      runtime,
      serde,
      logger: createLogger('silent'),
      bars: logBars,
    });
    const seconds = (performance.now() - started) / 1000;
    let signals = 0;
    let firstSignal = Number.POSITIVE_INFINITY;
    for (const [partition, end] of await runtime.log.endOffsets(ML_SIGNALS)) {
      signals += end;
      const [first] = await runtime.log.read(ML_SIGNALS, partition, 0, 1);
      if (first !== undefined) firstSignal = Math.min(firstSignal, first.timestamp);
    }
    return {
      config,
      trainBars: split,
      logBars,
      firstSignalIndex: logBars.findIndex((b) => b.timestamp === firstSignal),
      seconds,
      barsPerSecond: logBars.length / seconds,
      signals,
      orders: replayed.orders,
      trades: replayed.trades,
    };
  } finally {
    await runtime.close();
  }
}
