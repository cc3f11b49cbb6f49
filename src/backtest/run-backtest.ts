import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  declaredTopics,
  deadLetterTopicOf,
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type MarketData,
  type MlSignal,
  type OrderEvent,
  type TopicSpec,
} from '../contracts/index.ts';
import type { Config } from '../config/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { encodeValidated } from '../messaging/index.ts';
import {
  featureDefinitionFor,
  listArtifacts,
  modelSpecsOf,
  modelsDirOf,
  readArtifact,
  servedSlotsOf,
  trainModels,
  trainSettingsOf,
  warmupBars,
  type ModelArtifact,
} from '../ml/index.ts';
import type { Logger } from '../observability/logger.ts';
import { openEmbeddedRuntime, openRuntime, prepareRuntime, type Runtime } from '../runtime/index.ts';
import { AvroSerde } from '../serde/index.ts';
import { CONTRACT_TOPICS, startServices, type PipelineTopics } from '../pipeline/services.ts';
import type { ClosedTrade, PortfolioState } from '../../projections/portfolio/index.ts';
import { decisionSettingsOf } from '../../streams/decision/index.ts';
import { exchangeSettingsOf } from '../../streams/exchange/open-exchange.ts';
import type { TimeUnit } from '../time/index.ts';
import { readBacktestBars, resolveInputs } from './backtest-inputs.ts';
import { backtestMetrics } from './backtest-metrics.ts';
import { renderBacktestHtml, type BacktestReport, type WindowReport } from './backtest-report-html.ts';
import { confidenceTiers } from './confidence-tiers.ts';
import { signalOutcomes, type SignalSeen } from './signal-outcomes.ts';
import { equityPerTime } from './equity-per-time.ts';
import { equitySeries } from './equity-series.ts';
import { streamSignalTape, tradeTape, type TapeStep } from './lockstep-engine.ts';
import { portfolioBreakdown } from './portfolio-breakdown.ts';
import {
  describeSpan,
  singleSplit,
  sliceByTime,
  spanMs,
  walkForwardWindows,
  windowOf,
  type Span,
  type TradeWindow,
} from './walk-forward.ts';
import { windowModels } from './window-scores.ts';

export interface BacktestOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Kline CSV files (the formats `import` reads), or folders of them: one account trades them all. */
  readonly files: readonly string[];
  /** One pair per file, in their order; default: each file's name. */
  readonly symbols?: readonly string[];
  /** The unit of the files' open times; none: told by their magnitude. */
  readonly timeUnit?: TimeUnit;
  /** Where the run's fresh store, report.html and report.json go. */
  readonly outDir: string;
  /**
   * Share of the bars (the earliest, of all symbols) the models are trained on; the backtest
   * trades the rest, so no model ever sees the period it trades.
   */
  readonly trainShare: number;
  /**
   * Walk-forward retraining in place of the single split: each model version trained on the
   * `trainWindow` before the `retrainEvery` it trades (lockstep engine only).
   */
  readonly walkForward?: { readonly trainWindow: Span; readonly retrainEvery: Span };
  /**
   * `lockstep` (default): the research engine, the processors' pure cores in memory.
   * `pipeline`: the bars replayed through the live processors on a fresh log.
   */
  readonly engine?: BacktestEngine;
  /**
   * A models directory (e.g. a live run's) whose versions are served instead of training any: every
   * version of the served slots, each bar with the one live at its time (its `activeFrom`), so the
   * backtest of a live run's bars serves what the live run served. Every bar after the warm-up is traded.
   */
  readonly modelVersions?: string;
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
  /** Whether a previous run in the same --out was removed first. */
  readonly replacedPrevious: boolean;
  readonly orders: readonly OrderEvent[];
  readonly projection: { readonly cash: number; readonly fees: number; readonly realizedPnl: number };
}

const RETAIN_FOREVER = { retentionMs: -1 } as const;

/** A model generation: its window and the versions trained for it. */
interface Generation {
  readonly window: TradeWindow;
  readonly artifacts: ModelArtifact[];
  readonly trainedOn: number;
}

/**
 * A backtest: the files' bars (several symbols sharing one account, as live) through the
 * processors of a live run (signals, decision engine, virtual exchange, portfolio) on the bars'
 * own event-time clock: their pure cores in lockstep (default) or the live processors on a fresh
 * log. The models are trained first on the bars before the ones they trade: once on the earliest
 * `trainShare`, or again for every walk-forward window.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const started = Date.now();
  const engine = options.engine ?? 'lockstep';
  if (options.walkForward !== undefined && engine === 'pipeline')
    throw new CmlError(
      ErrorCodes.USAGE,
      'Walk-forward retraining runs on the lockstep engine only: the live processors pick up a new model version on the wall clock, not at a bar time',
      { hint: 'Drop --engine pipeline, or --train-window and --retrain-every (a single split).' },
    );
  if (options.modelVersions !== undefined && options.walkForward !== undefined)
    throw new CmlError(ErrorCodes.USAGE, '--model-versions and walk-forward retraining exclude each other', {
      hint: 'Serve the versions of a models directory, or train walk-forward: drop one of them.',
    });
  const inputs = resolveInputs(options.files, options.symbols);
  const { bars, symbols, intervalMs } = readBacktestBars(inputs, options.timeUnit);
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
  const warmup = warmupBars(featureDefinitionFor(intervalMs));
  const windows =
    options.modelVersions === undefined
      ? planWindows(bars, intervalMs, warmup, options)
      : [wholeAfterWarmup(bars, warmup)];
  const first = windows[0] as TradeWindow;

  // A run's store and models are its own: a previous run's log in the same --out would be replayed again.
  const replacedPrevious = existsSync(dataDir) || existsSync(join(options.outDir, 'report.html'));
  rmSync(dataDir, { recursive: true, force: true });
  const generations =
    options.modelVersions === undefined
      ? trainGenerations(config, bars, windows, options)
      : [servedVersions(config, options.modelVersions, first)];

  const logBars = withWarmup(bars, first.from, warmup);
  const traded = logBars.filter((bar) => bar.timestamp >= first.from);
  const replayed =
    engine === 'lockstep'
      ? replayLockstep(config, logBars, generations, options.onProgress)
      : await replayOnLog(config, logBars, run, options);
  const { orders, trades } = replayed;
  const series = equitySeries(traded, orders, config.exchange.initialCash);
  const { final } = series;
  const samples = equityPerTime(series.samples);
  const closes = new Map<string, { first: number; last: number }>();
  for (const bar of traded) {
    const known = closes.get(bar.symbol);
    closes.set(bar.symbol, { first: known?.first ?? bar.price, last: bar.price });
  }
  const breakdown = portfolioBreakdown({ final, trades, orders, closes });
  const only = symbols.length === 1 ? closes.get(symbols[0] as string) : undefined;
  const metrics = backtestMetrics({
    samples,
    trades,
    fees: final.fees,
    initialEquity: config.exchange.initialCash,
    firstClose: only?.first ?? 1,
    lastClose: only?.last ?? 1,
    buyAndHoldReturnPct: breakdown.equalWeightBuyAndHoldPct,
  });
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const wf = options.walkForward;
  const report: BacktestReport = {
    title: `Backtest ${symbols.join(', ')} ${day(metrics.from)} → ${day(metrics.to)}`,
    symbol: symbols.join(', '),
    strategy: config.ml.models.join(', '),
    metrics,
    trades,
    samples,
    symbols: breakdown.symbols,
    open: breakdown.open,
    reconciliation: breakdown.reconciliation,
    windows: windowReports(generations, bars, intervalMs, trades, replayed.actionable),
    tiers: confidenceTiers({
      signals: judgedSignals(
        replayed.actionable.filter((a) => a.time >= first.from),
        bars,
        generations.flatMap((g) => g.artifacts),
      ),
      orders,
      trades,
      highConfidence: config.decision.highConfidence,
      minConfidence: config.decision.minConfidence,
    }),
    run: {
      symbols: symbols.length,
      'bars traded': traded.length,
      models:
        options.modelVersions !== undefined
          ? `${generations[0]?.artifacts.length} versions from ${options.modelVersions}, each bar served by the one live at its time`
          : wf === undefined
            ? `trained once on the first ${Math.round(options.trainShare * 100)} % (${generations[0]?.trainedOn} bars)`
            : `walk-forward: trained on ${describeSpan(wf.trainWindow)}, retrained every ${describeSpan(wf.retrainEvery)} (${generations.length} windows)`,
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
    replacedPrevious,
    orders,
    projection: {
      cash: replayed.summary.cash,
      fees: replayed.summary.fees,
      realizedPnl: replayed.summary.realizedPnl,
    },
  };
}

/** The windows the models are trained and trade in, checked before any training. */
function planWindows(
  bars: readonly MarketData[],
  intervalMs: number,
  warmup: number,
  options: BacktestOptions,
): TradeWindow[] {
  const times = [...new Set(bars.map((b) => b.timestamp))];
  const firstTime = times[0] as number;
  const lastTime = times.at(-1) as number;
  const wf = options.walkForward;
  if (wf === undefined) {
    const window = singleSplit(
      bars.map((b) => b.timestamp),
      options.trainShare,
    );
    const trainTimes = times.filter((t) => t < window.from).length;
    const tradeTimes = times.length - trainTimes;
    if (trainTimes < warmup * 2 || tradeTimes < 10)
      throw new CmlError(
        ErrorCodes.USAGE,
        `${times.length} bar times cannot be split at ${options.trainShare}: training needs at least ${warmup * 2} bars and the backtest at least 10`,
        { hint: 'Use a longer file or another --train-share.' },
      );
    return [window];
  }
  const trainMs = spanMs(wf.trainWindow, intervalMs);
  const everyMs = spanMs(wf.retrainEvery, intervalMs);
  if (trainMs < warmup * 2 * intervalMs)
    throw new CmlError(
      ErrorCodes.USAGE,
      `--train-window ${describeSpan(wf.trainWindow)} is shorter than the ${warmup * 2} bars a model needs`,
      {
        hint: `Give --train-window ${warmup * 2} bars at the very least; models learn from thousands (e.g. --train-window 14d of 5-minute bars).`,
      },
    );
  if (everyMs < intervalMs)
    throw new CmlError(
      ErrorCodes.USAGE,
      `--retrain-every ${describeSpan(wf.retrainEvery)} is shorter than a bar`,
      {
        hint: 'Retrain every few hundred bars or more, e.g. --retrain-every 1d.',
      },
    );
  const windows = walkForwardWindows(firstTime, lastTime, trainMs, everyMs);
  if (windows.length === 0)
    throw new CmlError(
      ErrorCodes.USAGE,
      `--train-window ${describeSpan(wf.trainWindow)} covers the whole file (${new Date(firstTime).toISOString()} → ${new Date(lastTime).toISOString()}): nothing is left to trade`,
      { hint: 'Use a shorter --train-window or a longer file.' },
    );
  return windows;
}

/** Every bar after each symbol's warm-up: what a backtest of given model versions trades. */
function wholeAfterWarmup(bars: readonly MarketData[], warmup: number): TradeWindow {
  const times = [...new Set(bars.map((b) => b.timestamp))];
  const from = times[Math.min(warmup, times.length - 1)] as number;
  if (times.length < warmup + 10)
    throw new CmlError(
      ErrorCodes.USAGE,
      `${times.length} bar times: the features need ${warmup} to warm up and the backtest at least 10 more`,
      { hint: 'Use a longer file.' },
    );
  return { trainFrom: times[0] as number, trainTo: from, from, to: (times.at(-1) as number) + 1 };
}

/**
 * The versions of the served slots in a models directory, copied into the run's own (where the
 * pipeline engine's processor reads them): one generation holding them all, the engine choosing per bar.
 */
function servedVersions(config: Config, dir: string, window: TradeWindow): Generation {
  const served = new Set(servedSlotsOf(config));
  const stored = listArtifacts(resolve(dir)).filter((s) => served.has(s.slot));
  if (stored.length === 0)
    throw new CmlError(ErrorCodes.USAGE, `No version of ${[...served].join(', ')} in ${resolve(dir)}`, {
      hint: 'Give the models directory of the run to replay (ml.modelsDir, or <data-dir>/models), and its --models.',
    });
  const modelsDir = modelsDirOf(config);
  mkdirSync(modelsDir, { recursive: true });
  for (const s of stored) copyFileSync(s.path, join(modelsDir, basename(s.path)));
  const artifacts = stored
    .sort((a, b) => a.slot.localeCompare(b.slot) || a.version - b.version)
    .map((s) => readArtifact(s.path));
  return { window, artifacts, trainedOn: 0 };
}

/** Trains the models of every window on the bars before it, each a new version of its slot. */
function trainGenerations(
  config: Config,
  bars: readonly MarketData[],
  windows: readonly TradeWindow[],
  options: BacktestOptions,
): Generation[] {
  const modelsDir = modelsDirOf(config);
  const served = new Set(servedSlotsOf(config));
  options.onProgress?.('train', 0, windows.length * 100);
  return windows.map((window, k) => {
    const trainBars = sliceByTime(bars, window.trainFrom, window.trainTo, barTime);
    let trained;
    try {
      trained = trainModels({
        bars: trainBars,
        modelsDir,
        specs: modelSpecsOf(config),
        settings: trainSettingsOf(config),
        onProgress: (p) =>
          options.onProgress?.('train', k * 100 + Math.floor((p.done / p.total) * 100), windows.length * 100),
      });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new CmlError(
        ErrorCodes.USAGE,
        `Cannot train on the ${trainBars.length} bars before ${new Date(window.from).toISOString()}: ${error.message}`,
        {
          hint:
            options.walkForward === undefined
              ? 'Use a longer file or a larger --train-share.'
              : 'Use a longer --train-window.',
          cause: error,
        },
      );
    }
    // As the signals processor loads them: the saved files of the served slots.
    const artifacts = trained
      .filter((t) => served.has(t.artifact.slot))
      .sort((a, b) => a.artifact.slot.localeCompare(b.artifact.slot))
      .map((t) => readArtifact(t.path));
    options.onProgress?.('train', (k + 1) * 100, windows.length * 100);
    return { window, artifacts, trainedOn: trainBars.length };
  });
}

const barTime = (bar: MarketData): number => bar.timestamp;

function judgedSignals(
  signals: readonly SignalSeen[],
  bars: readonly MarketData[],
  artifacts: readonly ModelArtifact[],
): Array<{ confidence: number; right: boolean | undefined }> {
  const outcomes = signalOutcomes(signals, bars, artifacts);
  return signals.map((s, i) => ({ confidence: s.confidence, right: outcomes[i] }));
}

/** Each window with its model versions' scores, its BUY/SELL signals and the trades opened in it. */
function windowReports(
  generations: readonly Generation[],
  bars: readonly MarketData[],
  intervalMs: number,
  trades: readonly ClosedTrade[],
  actionable: readonly ActionableSignal[],
): WindowReport[] {
  const windows = generations.map((g) => g.window);
  const signals = windows.map(() => 0);
  for (const signal of actionable) {
    const k = windowOf(windows, signal.time);
    if (k >= 0) signals[k] = (signals[k] as number) + 1;
  }
  const opened = windows.map((): ClosedTrade[] => []);
  for (const trade of trades) opened[windowOf(windows, trade.entryTime)]?.push(trade);
  return generations.map((g, k) => ({
    ...g.window,
    trainedOn: g.trainedOn,
    models: windowModels(g.artifacts, bars, g.window, intervalMs),
    signals: signals[k] as number,
    trades: (opened[k] as ClosedTrade[]).length,
    realizedPnl: (opened[k] as ClosedTrade[]).reduce((s, t) => s + t.realizedPnl, 0),
  }));
}

/** The bars from `from`, with each symbol's `warmup` bars before it so its features are warm at `from`. */
function withWarmup(bars: readonly MarketData[], from: number, warmup: number): MarketData[] {
  const before = new Map<string, number[]>();
  for (const bar of bars)
    if (bar.timestamp < from) {
      const times = before.get(bar.symbol) ?? [];
      times.push(bar.timestamp);
      before.set(bar.symbol, times);
    }
  const startOf = new Map(
    [...before].map(([symbol, times]) => [symbol, times[Math.max(0, times.length - warmup)] as number]),
  );
  return bars.filter((bar) => bar.timestamp >= (startOf.get(bar.symbol) ?? from));
}

/** A BUY or SELL signal: what the report's windows and tiers count. */
type ActionableSignal = SignalSeen;

interface EngineRun {
  readonly orders: OrderEvent[];
  readonly trades: ClosedTrade[];
  readonly summary: Pick<PortfolioState, 'cash' | 'fees' | 'realizedPnl'>;
  readonly signals: number;
  readonly actionable: ActionableSignal[];
}

const actionableOf = (signal: MlSignal): ActionableSignal | undefined =>
  signal.signal === 'HOLD'
    ? undefined
    : {
        time: signal.timestamp,
        symbol: signal.symbol,
        signal: signal.signal,
        confidence: signal.confidence,
        modelVersion: signal.metadata.model_version,
      };

/** The research engine over the bars, each generation's models swapped in at its window's start. */
function replayLockstep(
  config: Config,
  bars: readonly MarketData[],
  generations: readonly Generation[],
  onProgress: BacktestOptions['onProgress'],
): EngineRun {
  const topics = declaredTopics(config.topics);
  const partitionsOf = (name: string): number => topics.find((t) => t.name === name)?.partitions ?? 1;
  const tape = streamSignalTape({
    bars,
    artifacts: generations[0]?.artifacts ?? [],
    modelSwaps: generations.slice(1).map((g) => ({ from: g.window.from, artifacts: g.artifacts })),
    partitions: { marketData: partitionsOf(MARKET_DATA), signals: partitionsOf(ML_SIGNALS) },
    ...(onProgress === undefined ? {} : { onProgress: (done, total) => onProgress('replay', done, total) }),
  });
  const actionable: ActionableSignal[] = [];
  function* noted(): Generator<TapeStep> {
    for (const step of tape.steps) {
      for (const signal of step.signals) {
        const a = actionableOf(signal);
        if (a !== undefined) actionable.push(a);
      }
      yield step;
    }
  }
  const result = tradeTape(
    { steps: noted() },
    { decision: decisionSettingsOf(config.decision), exchange: exchangeSettingsOf(config) },
  );
  return {
    orders: result.orders,
    trades: result.trades,
    summary: result.portfolio,
    signals: tape.counts().signals,
    actionable,
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
    const actionable: ActionableSignal[] = [];
    let signals = 0;
    for (const [partition, end] of await runtime.log.endOffsets(topics.signals)) {
      signals += end;
      for (const record of await runtime.log.read(topics.signals, partition, 0, end)) {
        const a = actionableOf(await serde.decode(ML_SIGNALS, record.value));
        if (a !== undefined) actionable.push(a);
      }
    }
    return { ...replayed, signals, actionable };
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
