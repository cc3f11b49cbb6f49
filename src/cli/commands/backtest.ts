import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runBacktest } from '../../backtest/run-backtest.ts';
import type { CommandContext } from '../context.ts';
import { timeUnitOption } from '../option-parsers.ts';
import { progressBar } from '../progress.ts';
import type { TimeUnit } from '../../time/index.ts';

const share = (value: string): number => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.5');
  return n;
};

/** `cml backtest <file>`: the whole pipeline over a history file, with a report. */
export function backtestCommand(context: () => CommandContext): Command {
  return new Command('backtest')
    .description(
      'replay a kline CSV file through the signals processor, decision engine, virtual exchange and projections (a fresh embedded store), and write report.html and report.json',
    )
    .argument('<file>', 'kline CSV file (the formats `import` reads)')
    .option('-s, --symbol <symbol>', 'the pair, e.g. BTCUSDT (default: from the file name)')
    .option('--train-share <fraction>', 'earliest share of the bars the models are trained on', share, 0.5)
    .option('-o, --out <dir>', 'where the run goes (default: <data-dir>/backtests/<time>)')
    .addOption(timeUnitOption())
    .action(
      async (
        file: string,
        opts: { symbol?: string; trainShare: number; out?: string; timeUnit?: TimeUnit },
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
