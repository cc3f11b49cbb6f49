import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  declaredTopics,
  deadLetterTopicOf,
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type MarketData,
  type OrderEvent,
  type TopicSpec,
} from '../contracts/index.ts';
import type { Config } from '../config/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { encodeValidated } from '../messaging/index.ts';
import {
  featureDefinitionFor,
  inferIntervalMs,
  modelSpecsOf,
  modelsDirOf,
  servedSlotsOf,
  readBarsFile,
  trainModels,
  trainSettingsOf,
  warmupBars,
} from '../ml/index.ts';
import type { Logger } from '../observability/logger.ts';
import { openEmbeddedRuntime, openRuntime, prepareRuntime, type Runtime } from '../runtime/index.ts';
import { AvroSerde } from '../serde/index.ts';
import { CONTRACT_TOPICS, startServices, type PipelineTopics } from '../pipeline/services.ts';
import type { ClosedTrade, PortfolioState } from '../../projections/portfolio/index.ts';
import { backtestMetrics } from './backtest-metrics.ts';
import { renderBacktestHtml, type BacktestReport } from './backtest-report-html.ts';
import { equitySeries } from './equity-series.ts';
import { runLockstep } from './lockstep-engine.ts';
import { ModelSource } from '../../streams/signals/model-source.ts';
import { decisionSettingsOf } from '../../streams/decision/index.ts';
import { exchangeSettingsOf } from '../../streams/exchange/open-exchange.ts';
import type { TimeUnit } from '../time/index.ts';

export interface BacktestOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** A kline CSV file (the formats `import` reads). */
  readonly file: string;
  readonly symbol?: string;
  /** The unit of the file's open times; none: told by their magnitude. */
  readonly timeUnit?: TimeUnit;
  /** Where the run's fresh store, report.html and report.json go. */
  readonly outDir: string;
  /**
   * Share of the bars (the earliest) the models are trained on; the backtest trades the rest, so
   * no model ever sees the period it trades.
   */
  readonly trainShare: number;
  /**
   * `lockstep` (default): the research engine, the processors' pure cores in memory.
   * `pipeline`: the bars replayed through the live processors on a fresh log.
   */
  readonly engine?: BacktestEngine;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export const BACKTEST_ENGINES = ['lockstep', 'pipeline'] as const;
export type BacktestEngine = (typeof BACKTEST_ENGINES)[number];

export interface BacktestResult {
  readonly report: BacktestReport;
  readonly htmlPath: string;
  readonly jsonPath: string;
  /** The run's own store (pipeline engine only). */
  readonly dataDir?: string;
  readonly orders: readonly OrderEvent[];
  readonly projection: { readonly cash: number; readonly fees: number; readonly realizedPnl: number };
}

const RETAIN_FOREVER = { retentionMs: -1 } as const;

/**
 * A backtest: the file's bars replayed through the very processors of a live run (signals
 * processor, decision engine, virtual exchange, projections) on a fresh embedded log, on the
 * bars' own event-time clock. The models are trained first on the earliest `trainShare` of the
 * bars; the trading period starts after them (with the features' warm-up bars before it in the log).
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const started = Date.now();
  const { bars, skipped } = readBarsFile(options.file, options.symbol, options.timeUnit);
  if (bars.length === 0)
    throw new CmlError(ErrorCodes.USAGE, `${options.file} holds no valid bars (${skipped} rows skipped)`, {
      hint: 'Pass a kline CSV file, e.g. one from data.binance.vision.',
    });
  const symbol = (bars[0] as MarketData).symbol;
  const dataDir = resolve(options.outDir, 'data');
  const modelsDir = resolve(dataDir, 'models');
  // On Kafka the run gets topics and groups of its own: a fresh store, as on the embedded log.
  const run = `backtest-${Date.now().toString(36)}`;
  const onKafka = options.config.runtime === 'kafka';
  const config: Config = {
    ...options.config,
    dataDir,
    decision: {
      ...options.config.decision,
      group: onKafka ? `${run}.decision` : options.config.decision.group,
    },
    ml: { ...options.config.ml, modelsDir, group: onKafka ? `${run}.signals` : options.config.ml.group },
    exchange: {
      ...options.config.exchange,
      watermark: 'pipeline',
      group: onKafka ? `${run}.exchange` : options.config.exchange.group,
    },
    topics: { [MARKET_DATA]: RETAIN_FOREVER, [ML_SIGNALS]: RETAIN_FOREVER, [ORDERS]: RETAIN_FOREVER },
  };
  const split = Math.floor(bars.length * options.trainShare);
  const warmup = warmupBars(featureDefinitionFor(inferIntervalMs(bars.map((b) => b.timestamp))));
  if (split < warmup * 2 || bars.length - split < 10)
    throw new CmlError(
      ErrorCodes.USAGE,
      `${bars.length} bars cannot be split at ${options.trainShare}: training needs at least ${warmup * 2} bars and the backtest at least 10`,
      { hint: 'Use a longer file or another --train-share.' },
    );
  const trainBars = bars.slice(0, split);
  const traded = bars.slice(split);
  // A run's store and models are its own: a previous run's log in the same --out would be replayed again.
  rmSync(dataDir, { recursive: true, force: true });
  options.onProgress?.('train', 0, 1);
  trainModels({
    bars: trainBars,
    modelsDir,
    specs: modelSpecsOf(config),
    settings: trainSettingsOf(config),
    onProgress: (p) => options.onProgress?.('train', p.done, p.total),
  });

  const inLog = bars.slice(split - warmup);
  const engine = options.engine ?? 'lockstep';
  const replayed =
    engine === 'lockstep'
      ? replayLockstep(config, inLog, options.onProgress)
      : await replayOnLog(config, inLog, run, options);
  const { orders, summary } = replayed;
  const trades = replayed.trades.filter((t) => t.symbol === symbol);
  const { samples } = equitySeries(traded, orders, config.exchange.initialCash);
  const metrics = backtestMetrics({
    samples,
    trades,
    fees: summary.fees,
    initialEquity: config.exchange.initialCash,
    firstClose: (traded[0] as MarketData).price,
    lastClose: (traded[traded.length - 1] as MarketData).price,
  });
  const report: BacktestReport = {
    title: `Backtest ${symbol} ${new Date(metrics.from).toISOString().slice(0, 10)} → ${new Date(metrics.to).toISOString().slice(0, 10)}`,
    symbol,
    strategy: config.ml.models.join(', '),
    metrics,
    trades,
    samples,
    run: {
      'bars traded': traded.length,
      'bars trained on': trainBars.length,
      signals: replayed.signals,
      engine,
      'order events': orders.length,
      seconds: Number(((Date.now() - started) / 1_000).toFixed(1)),
    },
  };
  mkdirSync(options.outDir, { recursive: true });
  const htmlPath = join(options.outDir, 'report.html');
  const jsonPath = join(options.outDir, 'report.json');
  writeFileSync(htmlPath, renderBacktestHtml(report));
  writeFileSync(jsonPath, `${JSON.stringify({ ...report, samples: undefined, equity: samples }, null, 2)}\n`);
  return {
    report,
    htmlPath,
    jsonPath,
    ...(engine === 'pipeline' ? { dataDir } : {}),
    orders,
    projection: { cash: summary.cash, fees: summary.fees, realizedPnl: summary.realizedPnl },
  };
}

interface EngineRun {
  readonly orders: OrderEvent[];
  readonly trades: ClosedTrade[];
  readonly summary: Pick<PortfolioState, 'cash' | 'fees' | 'realizedPnl'>;
  readonly signals: number;
}

/** The research engine over the bars, with the models the signals processor would serve. */
function replayLockstep(
  config: Config,
  bars: readonly MarketData[],
  onProgress: BacktestOptions['onProgress'],
): EngineRun {
  const artifacts = new ModelSource(modelsDirOf(config), servedSlotsOf(config)).load();
  const topics = declaredTopics(config.topics);
  const partitionsOf = (name: string): number => topics.find((t) => t.name === name)?.partitions ?? 1;
  const result = runLockstep({
    bars,
    artifacts,
    decision: decisionSettingsOf(config.decision),
    exchange: exchangeSettingsOf(config),
    partitions: { marketData: partitionsOf(MARKET_DATA), signals: partitionsOf(ML_SIGNALS) },
    ...(onProgress === undefined ? {} : { onProgress: (done, total) => onProgress('replay', done, total) }),
  });
  return {
    orders: result.orders,
    trades: result.trades,
    summary: result.portfolio,
    signals: result.counts.signals,
  };
}

/** The live processors over the bars on a fresh log of the run's own (embedded, or topics of its own on Kafka). */
async function replayOnLog(
  config: Config,
  bars: readonly MarketData[],
  run: string,
  options: BacktestOptions,
): Promise<EngineRun> {
  mkdirSync(config.dataDir, { recursive: true });
  const onKafka = config.runtime === 'kafka';
  const runtime: Runtime = onKafka ? await openRuntime(config, options.logger) : openEmbeddedRuntime(config);
  try {
    await prepareRuntime(runtime, config);
    const serde = await AvroSerde.create(runtime.registry);
    const topics = onKafka ? await runTopics(runtime, run) : CONTRACT_TOPICS;
    const replayed = await replayPipeline({
      config,
      runtime,
      serde,
      logger: options.logger,
      bars,
      topics,
      ...(options.onProgress === undefined
        ? {}
        : { onProgress: (done: number, total: number) => options.onProgress?.('replay', done, total) }),
    });
    const signals = [...(await runtime.log.endOffsets(topics.signals)).values()].reduce((s, n) => s + n, 0);
    return { ...replayed, signals };
  } finally {
    await runtime.close();
  }
}

/** The three topics of a backtest on Kafka (and their dead-letter topics), kept forever. */
async function runTopics(runtime: Runtime, run: string): Promise<PipelineTopics> {
  const topics: PipelineTopics = {
    marketData: `${run}.${MARKET_DATA}`,
    signals: `${run}.${ML_SIGNALS}`,
    orders: `${run}.${ORDERS}`,
  };
  const spec = (name: string, partitions: number): TopicSpec => ({
    name,
    partitions,
    retentionMs: -1,
    keyField: 'key',
    description: `backtest ${run}`,
  });
  await runtime.topicAdmin.createTopics(
    [spec(topics.marketData, 3), spec(topics.signals, 3), spec(topics.orders, 1)].flatMap((s) => [
      s,
      spec(deadLetterTopicOf(s.name), 1),
    ]),
  );
  return topics;
}

export interface ReplayOptions {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  /** Bars to publish and replay, in event-time order (warm-up bars first). */
  readonly bars: readonly MarketData[];
  readonly topics?: PipelineTopics;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Replayed {
  /** Every event of the orders topic, in log order. */
  readonly orders: OrderEvent[];
  readonly summary: PortfolioState;
  readonly trades: ClosedTrade[];
}

/**
 * Publishes the bars and runs the live processors over them until every service has processed
 * everything: a backtest on the embedded log, or the same replay on Kafka.
 */
export async function replayPipeline(options: ReplayOptions): Promise<Replayed> {
  const { config, runtime, serde } = options;
  const topics = options.topics ?? CONTRACT_TOPICS;
  const records = encodeValidated(serde, MARKET_DATA, options.bars, (bar) => bar.timestamp);
  await runtime.log.append([{ topic: topics.marketData, records }]);
  const services = await startServices({
    config,
    runtime,
    serde,
    logger: options.logger,
    services: ['projections', 'signals', 'decision', 'exchange'],
    clock: 'stream',
    topics,
  });
  let summary: PortfolioState;
  let trades: ClosedTrade[];
  try {
    for (;;) {
      options.onProgress?.(services.exchange?.runner.barsSettled ?? 0, options.bars.length);
      if (await services.caughtUp()) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    const portfolio = services.portfolio;
    if (portfolio === undefined) throw new Error('the portfolio projection did not start');
    summary = portfolio.store.summary(config.exchange.initialCash);
    trades = portfolio.store.trades();
  } finally {
    await services.stop();
  }
  const end = (await runtime.log.endOffsets(topics.orders)).get(0) ?? 0;
  const read = await runtime.log.read(topics.orders, 0, 0, end);
  const orders = await Promise.all(read.map((record) => serde.decode(ORDERS, record.value)));
  return { orders, summary, trades };
}
