import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BACKTEST_ENGINES, runBacktest, type BacktestEngine } from '../../backtest/run-backtest.ts';
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

/** `cml backtest <file>`: the whole pipeline over a history file, with a report. */
export function backtestCommand(context: () => CommandContext): Command {
  return new Command('backtest')
    .description(
      'backtest a kline CSV file: the models trained on its first part, then the signal engine, decision engine, virtual exchange and portfolio over the rest (in memory by default; --engine pipeline replays it through the live processors on a fresh log), and write report.html and report.json',
    )
    .argument('<file>', 'kline CSV file (the formats `import` reads)')
    .option('-s, --symbol <symbol>', 'the pair, e.g. BTCUSDT (default: from the file name)')
    .option('--train-share <fraction>', 'earliest share of the bars the models are trained on', share, 0.5)
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
    .addOption(timeUnitOption())
    .action(
      async (
        file: string,
        opts: {
          symbol?: string;
          trainShare: number;
          out?: string;
          engine: BacktestEngine;
          timeUnit?: TimeUnit;
        },
      ) => {
        const ctx = context();
        const outDir = resolve(
          opts.out ?? join(ctx.config.dataDir, 'backtests', new Date().toISOString().replace(/[:.]/g, '-')),
        );
        const bars = { train: progressBar('train'), replay: progressBar('replay') } as const;
        let stage: keyof typeof bars | undefined;
        const result = await runBacktest({
          config: ctx.config,
          logger: ctx.logger,
          file,
          ...(opts.symbol === undefined ? {} : { symbol: opts.symbol.toUpperCase() }),
          ...(opts.timeUnit === undefined ? {} : { timeUnit: opts.timeUnit }),
          outDir,
          trainShare: opts.trainShare,
          engine: opts.engine,
          onProgress: (name, done, total) => {
            const next = name as keyof typeof bars;
            if (stage !== next) bars[stage ?? next].stop();
            stage = next;
            bars[next].update(done, Math.max(total, 1));
          },
        });
        if (stage !== undefined) bars[stage].stop();
        const m = result.report.metrics;
        const f = (v: number): string => v.toFixed(2);
        console.log(
          [
            `${result.report.title}: ${m.trades} trades, return ${f(m.totalReturnPct)} % (buy and hold ${f(m.buyAndHoldReturnPct)} %),`,
            `  Sharpe ${f(m.sharpe)}, Sortino ${f(m.sortino)}, max drawdown ${f(m.maxDrawdownPct)} %, win rate ${f(m.winRatePct)} %, profit factor ${f(m.profitFactor)}, fees ${f(m.feesPaid)} USDT`,
            `report: ${result.htmlPath}`,
            `        ${result.jsonPath}`,
          ].join('\n'),
        );
      },
    );
}
