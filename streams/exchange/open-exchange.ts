import { resolve } from 'node:path';
import type { Config } from '../../src/config/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { Runtime } from '../../src/runtime/index.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { ExchangeRunner, type ExchangeRunnerOptions } from './exchange-runner.ts';
import type { ExchangeSettings } from './exchange-state.ts';
import { ExchangeStore } from './exchange-store.ts';
import { logWatermark, pipelineWatermark, type OrdersWatermark } from './orders-watermark.ts';

/** The exchange's execution settings from configuration. */
export const exchangeSettingsOf = (config: Config): ExchangeSettings => ({
  feeRate: config.exchange.feeRate,
  slippageBps: config.exchange.slippageBps,
  limitTtlMs: config.exchange.limitTtlMs,
  initialCash: config.exchange.initialCash,
});

/** Where the exchange keeps its snapshot. */
export const exchangeStoreDir = (dataDir: string): string => resolve(dataDir, 'streams', 'exchange');

export function watermarkOf(
  config: Config,
  runtime: Runtime,
  topics: { readonly marketData?: string; readonly signals?: string } = {},
): OrdersWatermark {
  return config.exchange.watermark === 'log'
    ? logWatermark()
    : pipelineWatermark(runtime.log, {
        signals: config.ml.group,
        decision: config.decision.group,
        ...(topics.marketData === undefined ? {} : { marketDataTopic: topics.marketData }),
        ...(topics.signals === undefined ? {} : { signalsTopic: topics.signals }),
      });
}

export interface OpenedExchange {
  readonly runner: ExchangeRunner;
  readonly store: ExchangeStore;
  stop(): Promise<void>;
}

/** The exchange service on a runtime, from configuration; `overrides` for tests and tools. */
export function openExchange(
  config: Config,
  runtime: Runtime,
  serde: AvroSerde,
  logger: Logger,
  overrides: Partial<ExchangeRunnerOptions> & { readonly storeDir?: string } = {},
): OpenedExchange {
  const store = ExchangeStore.open(overrides.storeDir ?? exchangeStoreDir(config.dataDir));
  const runner = new ExchangeRunner({
    log: runtime.log,
    serde,
    logger,
    store,
    settings: exchangeSettingsOf(config),
    watermark: watermarkOf(config, runtime),
    group: config.exchange.group,
    ...overrides,
  });
  return {
    runner,
    store,
    async stop() {
      await runner.stop();
      await store.close();
    },
  };
}
