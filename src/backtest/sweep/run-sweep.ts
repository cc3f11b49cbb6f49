import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredTopics, MARKET_DATA, ML_SIGNALS, type MarketData } from '../../contracts/index.ts';
import type { Config } from '../../config/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import {
  featureDefinitionFor,
  inferIntervalMs,
  prepareData,
  readBarsFile,
  slotOf,
  trainModel,
  trainSettingsOf,
  warmupBars,
  type ModelArtifact,
  type ModelKind,
  type Target,
} from '../../ml/index.ts';
import { exchangeSettingsOf } from '../../../streams/exchange/open-exchange.ts';
import type { RowResult, SweepContext } from './sweep-evaluate.ts';
import { DEFAULT_SWEEP_METRIC, rankBy, scoreOf, type SweepMetric } from './sweep-metric.ts';
import type { ParamValues, SweepParam } from './sweep-params.ts';
import {
  planSweep,
  replayCommandOf,
  RULE_MODEL,
  type SweepPlan,
  type SweepRow,
  type TapeSpec,
} from './sweep-plan.ts';
import { inThreadRunner, startWorkerPool, type RowRunner, type WorkerPool } from './sweep-pool.ts';
import { renderSweepHtml } from './sweep-report-html.ts';
import { sweepCsv, sweepJson } from './sweep-results.ts';

export interface SweepOptions {
  readonly config: Config;
  /** A kline CSV file (the formats `import` reads). */
  readonly file: string;
  readonly symbol?: string;
  /** Share of the bars (the earliest) the models are trained on, as `cml backtest --train-share`. */
  readonly trainShare: number;
  /** Share of the traded bars (the latest) kept out of the choice and reported beside it. */
  readonly outOfSampleShare: number;
  /** Model sets (`<model>:<target>` lists); default: the configured models. */
  readonly modelSets?: readonly (readonly string[])[];
  readonly combinations: readonly ParamValues[];
  readonly metric?: SweepMetric;
  /** The heatmap's axes (default: the first two varied parameters). */
  readonly x?: SweepParam;
  readonly y?: SweepParam;
  /** Worker threads beside this one, which trades rows too; 0 runs the rows in this thread alone. */
  readonly workers: number;
  /**
   * Bar-combinations (rows x bars traded) from which a sweep starts its worker threads (default
   * 8M): below, this thread is done before they would be ready.
   */
  readonly workersFrom?: number;
  /** Runs the rows elsewhere (worker processes through Kafka) instead of on this machine's threads. */
  readonly remote?: (sweep: RemoteSweep) => RowRunner;
  readonly outDir: string;
  readonly onProgress?: (stage: 'train' | 'sweep', done: number, total: number) => void;
}

/** A row with its plan, figures and the command that replays it. */
export interface SweepRowReport extends RowResult {
  readonly models: readonly string[];
  readonly values: ParamValues;
  readonly command: string;
}

export interface SweepReport {
  readonly title: string;
  readonly file: string;
  readonly symbol: string;
  readonly metric: SweepMetric;
  readonly params: readonly SweepParam[];
  readonly x?: SweepParam;
  readonly y?: SweepParam;
  readonly combinations: number;
  readonly tapes: number;
  readonly periods: {
    readonly trainedOn: { readonly from: number; readonly to: number; readonly bars: number };
    readonly inSample: { readonly from: number; readonly to: number; readonly bars: number };
    readonly outOfSample: { readonly from: number; readonly to: number; readonly bars: number };
  };
  /** The row ranked first on the in-sample period. */
  readonly chosen: SweepRowReport;
  /** Where the chosen row ranks on the out-of-sample period (1 = best), of `combinations`. */
  readonly chosenOutOfSampleRank: number;
  readonly rows: readonly SweepRowReport[];
  readonly run: {
    readonly workers: number;
    /** Where the rows ran: worker threads, this thread, or sweep workers through Kafka. */
    readonly where: string;
    readonly seconds: number;
    readonly sweepSeconds: number;
    readonly barsTraded: number;
    /** Bars traded × rows / seconds of the sweep phase (tapes built and rows traded). */
    readonly barCombinationsPerSecond: number;
  };
}

export interface SweepResult {
  readonly report: SweepReport;
  readonly htmlPath: string;
  readonly csvPath: string;
  readonly jsonPath: string;
}

const usage = (message: string, hint: string): CmlError => new CmlError(ErrorCodes.USAGE, message, { hint });

/** The bars of a sweep and where its periods start: what the file and the shares decide. */
export interface SweepMarket {
  readonly bars: readonly MarketData[];
  readonly symbol: string;
  /** Index of the first traded bar in `bars` (the bars before it train the models). */
  readonly split: number;
  /** The features' warm-up bars replayed before the traded ones. */
  readonly warmup: number;
  readonly inSampleCount: number;
}

/**
 * Reads the file and splits it as `cml backtest` does (so that a row's replay trades the same
 * bars with the same models), then the traded bars into the in-sample and out-of-sample periods.
 */
export function loadSweepMarket(input: {
  readonly file: string;
  readonly symbol?: string;
  readonly trainShare: number;
  readonly outOfSampleShare: number;
}): SweepMarket {
  const { bars, skipped } = readBarsFile(input.file, input.symbol);
  if (bars.length === 0)
    throw usage(`${input.file} holds no valid bars (${skipped} rows skipped)`, 'Pass a kline CSV file.');
  const split = Math.floor(bars.length * input.trainShare);
  const warmup = warmupBars(featureDefinitionFor(inferIntervalMs(bars.map((b) => b.timestamp))));
  if (split < warmup * 2 || bars.length - split < 10)
    throw usage(
      `${bars.length} bars cannot be split at ${input.trainShare}: training needs at least ${warmup * 2} bars and the backtest at least 10`,
      'Use a longer file or another --train-share.',
    );
  const tradedCount = bars.length - split;
  const inSampleCount = Math.round(tradedCount * (1 - input.outOfSampleShare));
  if (inSampleCount < 2 || tradedCount - inSampleCount < 2)
    throw usage(
      `${tradedCount} traded bars cannot be split at an out-of-sample share of ${input.outOfSampleShare}`,
      'Use an --oos-share between 0 and 1 that leaves both periods a few bars.',
    );
  return { bars, symbol: (bars[0] as MarketData).symbol, split, warmup, inSampleCount };
}

/**
 * What every row of the tapes shares: the bars from the warm-up on, the periods, the exchange and
 * the artifacts of each tape, trained on the training bars as `cml backtest` trains them.
 */
export function sweepContextOf(
  config: Config,
  market: SweepMarket,
  tapes: readonly TapeSpec[],
  onProgress?: SweepOptions['onProgress'],
): SweepContext {
  const topics = declaredTopics(config.topics);
  const partitionsOf = (name: string): number => topics.find((t) => t.name === name)?.partitions ?? 1;
  return {
    bars: market.bars.slice(market.split - market.warmup),
    tradedFrom: market.warmup,
    outOfSampleFrom: market.warmup + market.inSampleCount,
    symbol: market.symbol,
    partitions: { marketData: partitionsOf(MARKET_DATA), signals: partitionsOf(ML_SIGNALS) },
    exchange: exchangeSettingsOf(config),
    tapes,
    artifacts: trainArtifacts(config, market.bars.slice(0, market.split), tapes, onProgress),
  };
}

/** A sweep ready to run here: its rows, its market and the context every row shares. */
export interface PreparedSweep {
  readonly plan: SweepPlan;
  readonly market: SweepMarket;
  readonly context: SweepContext;
}

/** Reads the file, plans the rows and trains the models once. */
export function prepareSweep(
  options: Omit<SweepOptions, 'workers' | 'outDir' | 'x' | 'y' | 'metric'>,
): PreparedSweep {
  const market = loadSweepMarket(options);
  const plan = planOf(options);
  return { plan, market, context: sweepContextOf(options.config, market, plan.tapes, options.onProgress) };
}

function planOf(options: Pick<SweepOptions, 'config' | 'modelSets' | 'combinations'>): SweepPlan {
  const plan = planSweep(
    options.config,
    options.modelSets ?? [options.config.ml.models],
    options.combinations,
  );
  if (plan.rows.length === 0) throw usage('the sweep has no combinations', 'Give --grid or --range values.');
  return plan;
}

/**
 * A parameter sweep: the models trained once on the earliest `trainShare` of the file (as
 * `cml backtest` trains them), each distinct signal tape built once, every row traded on it in
 * worker threads; rows ranked on the in-sample period and the choice reported on the
 * out-of-sample period after it.
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const market = loadSweepMarket(options);
  const plan = planOf(options);
  // Started before the training, the worker threads load their modules while this thread trains.
  const pool =
    options.remote === undefined &&
    options.workers > 0 &&
    repaysWorkers(plan, market, options.workersFrom ?? WORKERS_FROM)
      ? startWorkerPool(options.workers)
      : undefined;
  try {
    return await sweepWith(options, { started, market, plan, pool });
  } finally {
    await pool?.close();
  }
}

/**
 * Bar-combinations from which worker threads repay their start: a worker takes about half a
 * second to load its modules and warm up, in which this thread alone trades about 4M
 * (bench/results/sweep.md).
 */
const WORKERS_FROM = 8_000_000;

/**
 * Whether a sweep is long enough for worker threads to shorten it: more bar-combinations than this
 * thread trades while a worker starts. (Tapes count for little: the threads take rows in turns, so
 * each builds about every tape anyway.)
 */
const repaysWorkers = (plan: SweepPlan, market: SweepMarket, from: number): boolean =>
  plan.rows.length * (market.bars.length - market.split) >= from;

async function sweepWith(
  options: SweepOptions,
  prepared: {
    readonly started: number;
    readonly market: SweepMarket;
    readonly plan: SweepPlan;
    readonly pool: WorkerPool | undefined;
  },
): Promise<SweepResult> {
  const { started, market, plan, pool } = prepared;
  const { bars, split, inSampleCount, symbol } = market;
  const tradedCount = bars.length - split;
  const target = {
    file: options.file,
    trainShare: options.trainShare,
    ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
  };

  const startRunner =
    options.remote !== undefined
      ? () =>
          (options.remote as NonNullable<SweepOptions['remote']>)({
            ...target,
            outOfSampleShare: options.outOfSampleShare,
          })
      : localRunner(options, market, plan, pool);
  const sweepStarted = performance.now();
  const runner = startRunner();
  const results = new Map<number, RowResult>();
  try {
    options.onProgress?.('sweep', 0, plan.rows.length);
    await runner.run(groupedByTape(plan.rows), (result) => {
      results.set(result.id, result);
      options.onProgress?.('sweep', results.size, plan.rows.length);
    });
  } finally {
    await runner.close();
  }
  const sweepSeconds = (performance.now() - sweepStarted) / 1_000;

  const rows: SweepRowReport[] = plan.rows.map((row) => ({
    ...(results.get(row.id) as RowResult),
    models: row.models,
    values: row.values,
    command: replayCommandOf(row, target),
  }));
  const metric = options.metric ?? DEFAULT_SWEEP_METRIC;
  const chosen = rankBy(rows, (r) => scoreOf(r.inSample, metric))[0] as SweepRowReport;
  const outOfSampleRank = rankBy(rows, (r) => scoreOf(r.outOfSample, metric)).indexOf(chosen) + 1;
  const time = (i: number): number => (bars[i] as MarketData).timestamp;
  const [x, y] = axesOf(plan, options.x, options.y);
  const report: SweepReport = {
    title: `Sweep ${symbol} ${new Date(time(split)).toISOString().slice(0, 10)} → ${new Date(time(bars.length - 1)).toISOString().slice(0, 10)}`,
    file: options.file,
    symbol,
    metric,
    params: plan.params,
    ...(x === undefined ? {} : { x }),
    ...(y === undefined ? {} : { y }),
    combinations: rows.length,
    tapes: plan.tapes.length,
    periods: {
      trainedOn: { from: time(0), to: time(split - 1), bars: split },
      inSample: { from: time(split), to: time(split + inSampleCount - 1), bars: inSampleCount },
      outOfSample: {
        from: time(split + inSampleCount),
        to: time(bars.length - 1),
        bars: tradedCount - inSampleCount,
      },
    },
    chosen,
    chosenOutOfSampleRank: outOfSampleRank,
    rows,
    run: {
      workers: pool === undefined ? 0 : options.workers,
      where:
        options.remote !== undefined
          ? 'sweep workers through Kafka'
          : pool !== undefined
            ? `this thread and ${options.workers} worker thread${options.workers === 1 ? '' : 's'}`
            : options.workers > 0
              ? 'one thread (too short a sweep for worker threads to repay their start)'
              : 'one thread',
      seconds: Number(((performance.now() - started) / 1_000).toFixed(2)),
      sweepSeconds: Number(sweepSeconds.toFixed(3)),
      barsTraded: tradedCount,
      barCombinationsPerSecond: Math.round((tradedCount * rows.length) / sweepSeconds),
    },
  };
  mkdirSync(options.outDir, { recursive: true });
  const htmlPath = join(options.outDir, 'sweep.html');
  const csvPath = join(options.outDir, 'sweep.csv');
  const jsonPath = join(options.outDir, 'sweep.json');
  writeFileSync(htmlPath, renderSweepHtml(report));
  writeFileSync(csvPath, sweepCsv(report));
  writeFileSync(jsonPath, sweepJson(report));
  return { report, htmlPath, csvPath, jsonPath };
}

/** What a remote runner needs to have the rows traded elsewhere: the file and the shares. */
export interface RemoteSweep {
  readonly file: string;
  readonly symbol?: string;
  readonly trainShare: number;
  readonly outOfSampleShare: number;
}

/** The rows on this machine: the models trained here (now), the rows on worker threads or in this one. */
function localRunner(
  options: SweepOptions,
  market: SweepMarket,
  plan: SweepPlan,
  pool: WorkerPool | undefined,
): () => RowRunner {
  const context = sweepContextOf(options.config, market, plan.tapes, options.onProgress);
  return () => (pool === undefined ? inThreadRunner(context) : pool.withContext(context));
}

/**
 * The rows in the order they are traded: those of one tape together, tapes in the order they
 * were planned. A thread keeps the latest tapes it built, so a grid whose rule thresholds vary
 * fastest would otherwise build a tape for nearly every row.
 */
function groupedByTape(rows: readonly SweepRow[]): SweepRow[] {
  const groups = new Map<string, SweepRow[]>();
  for (const row of rows) {
    const group = groups.get(row.tape);
    if (group === undefined) groups.set(row.tape, [row]);
    else group.push(row);
  }
  return [...groups.values()].flat();
}

/** The heatmap's axes: those asked for, else the first two varied parameters. */
function axesOf(plan: SweepPlan, x?: SweepParam, y?: SweepParam): [SweepParam?, SweepParam?] {
  for (const axis of [x, y])
    if (axis !== undefined && !plan.params.includes(axis))
      throw usage(
        `--x/--y ${axis} is not varied by this sweep`,
        `Pick from ${plan.params.join(', ') || '(none)'}.`,
      );
  const rest = plan.params.filter((p) => p !== x && p !== y);
  const chosenX = x ?? rest.shift();
  const chosenY = y ?? rest.shift();
  return [chosenX, chosenY];
}

/**
 * The artifacts of each tape, trained on the training bars as `cml backtest` trains them (the same
 * settings, one fresh version each): every model once, the rule once per pair of thresholds.
 */
export function trainArtifacts(
  config: Config,
  trainBars: readonly MarketData[],
  tapes: readonly TapeSpec[],
  onProgress: SweepOptions['onProgress'],
): Record<string, ModelArtifact[]> {
  const settings = trainSettingsOf(config);
  const data = prepareData(trainBars, settings);
  const trained = new Map<string, ModelArtifact>();
  const specsOf = (tape: TapeSpec): Array<{ key: string; model: ModelKind; target: Target }> =>
    tape.models.map((entry) => {
      const [model, target] = entry.split(':') as [ModelKind, Target];
      const key =
        entry === RULE_MODEL && tape.rule !== undefined
          ? `${entry}|${tape.rule.buyRsiBelow}|${tape.rule.sellRsiAbove}`
          : entry;
      return { key, model, target };
    });
  const distinct = new Set(tapes.flatMap((t) => specsOf(t).map((s) => s.key)));
  let done = 0;
  onProgress?.('train', 0, distinct.size);
  const byTape: Record<string, ModelArtifact[]> = {};
  for (const tape of tapes) {
    const artifacts = specsOf(tape).map((spec) => {
      let artifact = trained.get(spec.key);
      if (artifact === undefined) {
        const fitted = trainModel(
          spec,
          data,
          tape.rule === undefined ? settings : { ...settings, rule: tape.rule },
        );
        artifact = { ...fitted, version: `${slotOf(spec.model, spec.target, settings.horizonBars)}.v1` };
        trained.set(spec.key, artifact);
        onProgress?.('train', ++done, distinct.size);
      }
      return artifact;
    });
    // The order the signals processor loads them in (ModelSource: by slot).
    byTape[tape.key] = artifacts.sort((a, b) => a.slot.localeCompare(b.slot));
  }
  return byTape;
}
