import { resolve } from 'node:path';
import { CONTROLS, MARKET_DATA, ML_SIGNALS, ORDERS } from '../contracts/index.ts';
import { ControlCodec } from '../controls/control-codec.ts';
import type { Config } from '../config/index.ts';
import { groupPassed, streamClock, wallClock, type ValidationClock } from '../messaging/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Metrics } from '../api/index.ts';
import type { AvroSerde } from '../serde/index.ts';
import { modelSpecsOf, modelsDirOf, servedSlotsOf, trainSettingsOf } from '../ml/index.ts';
import { PortfolioAtTime } from '../../projections/portfolio/portfolio-at-time.ts';
import { PortfolioProjection } from '../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import { SignalProjection, SignalStore } from '../../projections/signals/index.ts';
import { CandleProjection, CandleStore } from '../../projections/candles/index.ts';
import { DecisionRunner, decisionSettingsOf } from '../../streams/decision/index.ts';
import { openExchange, watermarkOf, type OpenedExchange } from '../../streams/exchange/open-exchange.ts';
import { startSignalsProcessor, type SignalsProcessor } from '../../streams/signals/index.ts';
import { startTrainer, type Trainer } from '../../streams/trainer/index.ts';

export const SERVICE_NAMES = ['signals', 'decision', 'exchange', 'projections', 'trainer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The topics the pipeline runs on: the contract's, or isolated copies (tests). */
export interface PipelineTopics {
  readonly marketData: string;
  readonly signals: string;
  readonly orders: string;
  /** The operators' controls the decision engine folds; none: no controls apply (a backtest's own topics). */
  readonly controls?: string;
}

export const CONTRACT_TOPICS: PipelineTopics = {
  marketData: MARKET_DATA,
  signals: ML_SIGNALS,
  orders: ORDERS,
  controls: CONTROLS,
};

export interface ServicesOptions {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly services: readonly ServiceName[];
  /** Live feeds are validated against the wall clock; history and simulations against their own. */
  readonly clock: 'wall' | 'stream';
  readonly topics?: PipelineTopics;
  /** Where the processors report (Prometheus); none: they report nowhere. */
  readonly metrics?: Metrics;
}

/** The running processors and projections of one process. */
export interface Services {
  readonly signals?: SignalsProcessor;
  readonly decision?: DecisionRunner;
  readonly exchange?: OpenedExchange;
  readonly portfolio?: { readonly projection: PortfolioProjection; readonly store: PortfolioStore };
  readonly signalHistory?: { readonly projection: SignalProjection; readonly store: SignalStore };
  readonly candles?: { readonly projection: CandleProjection; readonly store: CandleStore };
  readonly trainer?: Trainer;
  /** Whether every running service has processed everything in the log. */
  caughtUp(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Where the read models of a data directory live. */
export const projectionsDir = (dataDir: string, name: string): string =>
  resolve(dataDir, 'projections', name);

/**
 * Starts the chosen services on a runtime, wired to each other only through the log and their
 * consumer groups: the same code runs as one process (`npm start`, backtests) or one process per
 * service on Kafka. Stopping goes in reverse order.
 */
export async function startServices(options: ServicesOptions): Promise<Services> {
  const { config, runtime, serde, logger } = options;
  const wanted = new Set(options.services);
  const topics = options.topics ?? CONTRACT_TOPICS;
  const metrics = options.metrics;
  const report =
    (processor: string, topic: string) =>
    (seconds: number): void => {
      metrics?.messagesProcessed.inc({ processor, topic });
      metrics?.processingSeconds.observe({ processor, topic }, seconds);
    };
  const withMetrics = metrics === undefined ? {} : { metrics };
  const clock = (): ValidationClock => (options.clock === 'wall' ? wallClock() : streamClock());
  const stops: Array<() => Promise<void>> = [];
  const probes: Array<() => Promise<boolean>> = [];
  const started: {
    -readonly [K in keyof Services]?: Services[K];
  } = {};

  if (wanted.has('projections')) {
    const store = PortfolioStore.open(projectionsDir(config.dataDir, 'portfolio'));
    const projection = new PortfolioProjection({
      log: runtime.log,
      serde,
      store,
      initialCash: config.exchange.initialCash,
      logger,
      readFrom: { orders: topics.orders, marketData: topics.marketData },
      ...withMetrics,
    });
    await projection.start();
    started.portfolio = { projection, store };
    const signalStore = SignalStore.open(projectionsDir(config.dataDir, 'signals'));
    const signalProjection = new SignalProjection({
      log: runtime.log,
      serde,
      store: signalStore,
      logger,
      readFrom: topics.signals,
      ...withMetrics,
    });
    await signalProjection.start();
    started.signalHistory = { projection: signalProjection, store: signalStore };
    const candleStore = CandleStore.open(projectionsDir(config.dataDir, 'candles'));
    const candleProjection = new CandleProjection({
      log: runtime.log,
      serde,
      store: candleStore,
      logger,
      readFrom: topics.marketData,
      ...withMetrics,
    });
    await candleProjection.start();
    started.candles = { projection: candleProjection, store: candleStore };
    // Independent of each other: stopped together, so their consumers' waits overlap.
    stops.push(async () => {
      await Promise.all([
        candleProjection.stop().then(() => candleStore.close()),
        signalProjection.stop().then(() => signalStore.close()),
        projection.stop().then(() => store.close()),
      ]);
    });
    probes.push(
      () => projection.caughtUp(),
      () => signalProjection.caughtUp(),
    );
  }
  if (wanted.has('signals')) {
    const processor = await startSignalsProcessor({
      log: runtime.log,
      serde,
      logger,
      clock: clock(),
      ...(options.clock === 'wall' ? { signalClock: wallClock() } : {}),
      modelsDir: modelsDirOf(config),
      models: servedSlotsOf(config),
      group: config.ml.group,
      fromBeginning: true,
      snapshotDir: resolve(config.dataDir, 'streams', 'signals'),
      snapshotIntervalMs: config.ml.snapshotIntervalMs,
      reloadIntervalMs: config.ml.reloadIntervalMs,
      expiryMs: config.ml.expiryMs,
      readFrom: topics.marketData,
      writeTo: topics.signals,
    });
    started.signals = processor;
    // The processor counts its bars; the counter follows them.
    let counted = 0;
    const counting = setInterval(() => {
      const bars = processor.stats().bars;
      metrics?.messagesProcessed.inc(
        { processor: 'signals-processor', topic: topics.marketData },
        bars - counted,
      );
      counted = bars;
    }, 1_000);
    counting.unref();
    stops.push(async () => {
      clearInterval(counting);
      await processor.stop();
    });
    probes.push(() => groupCaughtUp(runtime, config.ml.group, topics.marketData));
  }
  if (wanted.has('decision')) {
    const portfolio = new PortfolioAtTime({
      log: runtime.log,
      serde,
      logger,
      initialCash: config.exchange.initialCash,
      exchangeGroup: config.exchange.group,
      group: `${config.decision.group}.portfolio`,
      ordersTopic: topics.orders,
      marketDataTopic: topics.marketData,
    });
    await portfolio.start();
    const controls = topics.controls === undefined ? undefined : await ControlCodec.create(runtime.registry);
    const decision = new DecisionRunner({
      log: runtime.log,
      serde,
      logger,
      portfolio,
      ...(controls === undefined ? {} : { controls, controlsTopic: topics.controls }),
      settings: decisionSettingsOf(config.decision),
      clock: clock(),
      group: config.decision.group,
      signalsFrom: topics.signals,
      ordersTopic: topics.orders,
      signalsReady: (time) => groupPassed(runtime.log, config.ml.group, topics.marketData, time + 1),
      onStep: report('decision', topics.signals),
    });
    await decision.start();
    started.decision = decision;
    stops.push(async () => {
      // The engine stops taking signals; a step waiting on the portfolio is let go by its reader's stop.
      const stopping = decision.stop();
      await portfolio.stop();
      await stopping;
    });
    probes.push(() => decision.caughtUp());
  }
  if (wanted.has('exchange')) {
    const exchange = openExchange(config, runtime, serde, logger, {
      clock: clock(),
      ordersTopic: topics.orders,
      marketDataTopic: topics.marketData,
      watermark: watermarkOf(config, runtime, topics),
      onStep: report('exchange', topics.marketData),
    });
    await exchange.runner.start();
    started.exchange = exchange;
    stops.push(() => exchange.stop());
    probes.push(() => exchange.runner.caughtUp());
  }
  if (wanted.has('trainer')) {
    const trainer = startTrainer({
      log: runtime.log,
      serde,
      logger,
      modelsDir: modelsDirOf(config),
      specs: modelSpecsOf(config),
      settings: trainSettingsOf(config),
      windowMs: config.ml.trainer.windowMs,
      intervalMs: config.ml.trainer.intervalMs,
      activationDelayMs: config.ml.trainer.activationDelayMs,
      checkMs: config.ml.trainer.checkMs,
      readFrom: topics.marketData,
    });
    started.trainer = trainer;
    stops.push(() => trainer.stop());
  }
  return {
    ...started,
    async caughtUp() {
      for (const probe of probes) if (!(await probe())) return false;
      return true;
    },
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

/** Whether a group has committed every partition of a topic up to its end. */
async function groupCaughtUp(runtime: Runtime, group: string, topic: string): Promise<boolean> {
  const committed = await runtime.log.committedOffsets(group, topic);
  for (const [partition, end] of await runtime.log.endOffsets(topic))
    if ((committed.get(partition) ?? 0) < end) return false;
  return true;
}
