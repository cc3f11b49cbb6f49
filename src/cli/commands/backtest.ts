import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BACKTEST_ENGINES, runBacktest, type BacktestEngine } from '../../backtest/run-backtest.ts';
import { parseSpan, type Span } from '../../backtest/walk-forward.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { chooseModels } from '../../ml/index.ts';
import type { CommandContext } from '../context.ts';
import { timeUnitOption } from '../option-parsers.ts';
import { progressBar } from '../progress.ts';
import type { TimeUnit } from '../../time/index.ts';

const engineOf = (value: string): BacktestEngine => {
  if (!(BACKTEST_ENGINES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${BACKTEST_ENGINES.join(', ')}`);
  return value as BacktestEngine;
};

const share = (value: string): number => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.5');
  return n;
};

const span = (value: string): Span => {
  const parsed = parseSpan(value);
  if (parsed === undefined)
    throw new InvalidArgumentError(
      'expected a number of bars (e.g. 2000) or a duration (e.g. 90m, 12h, 7d, 2w)',
    );
  return parsed;
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface BacktestCliOptions {
  symbol?: string[];
  trainShare: number;
  trainWindow?: Span;
  retrainEvery?: Span;
  models?: string;
  rule?: boolean;
  out?: string;
  engine: BacktestEngine;
  timeUnit?: TimeUnit;
  modelVersions?: string;
}

/** `cml backtest <files...>`: the whole pipeline over history files sharing one account, with a report. */
export function backtestCommand(context: () => CommandContext): Command {
  return new Command('backtest')
    .description(
      'backtest kline CSV files (several symbols share one account): the models trained on the bars before those they trade (once, or walk-forward), then the signal engine, decision engine, virtual exchange and portfolio over the rest (in memory by default; --engine pipeline replays it through the live processors on a fresh log), and write report.html and report.json',
    )
    .argument('<files...>', 'kline CSV files (the formats `import` reads), or folders of them')
    .option(
      '-s, --symbol <symbol>',
      'the pair of a file, e.g. BTCUSDT; repeat it once per file, in order (default: from each file name)',
      collect,
    )
    .option('--train-share <fraction>', 'earliest share of the bars the models are trained on', share, 0.5)
    .option(
      '--train-window <span>',
      'walk-forward: bars (e.g. 2000) or duration (e.g. 14d) each model version is trained on, just before the bars it trades',
      span,
    )
    .option(
      '--retrain-every <span>',
      'walk-forward: bars or duration (e.g. 1d) each model version trades before the next is trained',
      span,
    )
    .option(
      '--models <list>',
      'comma-separated <model>:<target> to trade, e.g. random_forest:trend,svm:trend (default: ml.models)',
    )
    .option('--rule', 'trade the MA/RSI rule beside the models, as npm start does (the default)')
    .option('--no-rule', 'trade the ML models only, without the MA/RSI rule beside them')
    .option(
      '-o, --out <dir>',
      'where the run goes (default: <data-dir>/backtests/<time>); a previous run there is replaced',
    )
    .option(
      '--engine <engine>',
      "lockstep: the processors' pure cores in memory (fast, same orders); pipeline: the live processors on a fresh log",
      engineOf,
      'lockstep' as BacktestEngine,
    )
    .option(
      '--model-versions <dir>',
      "serve the model versions of this models directory (e.g. a live run's) instead of training: each bar with the version live at its time (activeFrom); trades every bar after the warm-up",
    )
    .addOption(timeUnitOption())
    .action(async (files: string[], opts: BacktestCliOptions, command: Command) => {
      const ctx = context();
      if ((opts.trainWindow === undefined) !== (opts.retrainEvery === undefined))
        throw new CmlError(ErrorCodes.USAGE, 'Walk-forward needs both --train-window and --retrain-every', {
          hint: 'e.g. --train-window 14d --retrain-every 1d, or neither for a single split at --train-share.',
        });
      if (opts.trainWindow !== undefined && command.getOptionValueSource('trainShare') === 'cli')
        throw new CmlError(ErrorCodes.USAGE, '--train-share and --train-window exclude each other', {
          hint: 'Walk-forward trains on --train-window before each --retrain-every; drop --train-share.',
        });
      if (opts.modelVersions !== undefined && command.getOptionValueSource('trainShare') === 'cli')
        throw new CmlError(ErrorCodes.USAGE, '--train-share and --model-versions exclude each other', {
          hint: 'The versions given are served as they are: nothing is trained, every bar after the warm-up is traded.',
        });
      const models = chooseModels(ctx.config.ml.models, {
        ...(opts.models === undefined ? {} : { models: opts.models.split(',') }),
        rule: opts.rule !== false,
      });
      const outDir = resolve(
        opts.out ?? join(ctx.config.dataDir, 'backtests', new Date().toISOString().replace(/[:.]/g, '-')),
      );
      const bars = { train: progressBar('train'), replay: progressBar('replay') } as const;
      let stage: keyof typeof bars | undefined;
      const result = await runBacktest({
        config: { ...ctx.config, ml: { ...ctx.config.ml, models } },
        logger: ctx.logger,
        files,
        ...(opts.symbol === undefined ? {} : { symbols: opts.symbol.map((s) => s.toUpperCase()) }),
        ...(opts.timeUnit === undefined ? {} : { timeUnit: opts.timeUnit }),
        outDir,
        trainShare: opts.trainShare,
        ...(opts.trainWindow === undefined || opts.retrainEvery === undefined
          ? {}
          : { walkForward: { trainWindow: opts.trainWindow, retrainEvery: opts.retrainEvery } }),
        engine: opts.engine,
        ...(opts.modelVersions === undefined ? {} : { modelVersions: opts.modelVersions }),
        onProgress: (name, done, total) => {
          const next = name as keyof typeof bars;
          if (stage !== next) bars[stage ?? next].stop();
          stage = next;
          bars[next].update(done, Math.max(total, 1));
        },
      });
      if (stage !== undefined) bars[stage].stop();
      const { metrics: m, reconciliation: r, symbols } = result.report;
      const f = (v: number): string => v.toFixed(2);
      console.log(
        [
          ...(result.replacedPrevious ? [`replaced the previous run in ${outDir}`] : []),
          `${result.report.title}: ${m.trades} closed trades, ${result.report.open.length} open, return ${f(m.totalReturnPct)} % (buy and hold ${f(m.buyAndHoldReturnPct)} %${symbols.length > 1 ? ', equal-weighted' : ''}),`,
          `  realized ${f(r.realizedPnl)} + unrealized ${f(r.unrealizedPnl)} USDT (net of ${f(r.fees)} USDT fees), final equity ${f(r.finalEquity)} USDT`,
          `  Sharpe ${f(m.sharpe)}, Sortino ${f(m.sortino)}, max drawdown ${f(m.maxDrawdownPct)} %, win rate ${f(m.winRatePct)} %, profit factor ${f(m.profitFactor)}`,
          ...(symbols.length > 1
            ? symbols.map(
                (s) =>
                  `  ${s.symbol}: ${s.trades} trades, PnL ${f(s.realizedPnl + s.unrealizedPnl)} USDT, fees ${f(s.fees)}, win rate ${f(s.winRatePct)} %, buy and hold ${f(s.buyAndHoldReturnPct)} %`,
              )
            : []),
          ...(result.report.windows.length > 1
            ? [`  ${result.report.windows.length} walk-forward windows`]
            : []),
          `report: ${result.htmlPath}`,
          `        ${result.jsonPath}`,
        ].join('\n'),
      );
    });
}
