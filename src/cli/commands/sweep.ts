import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  combinationsOf,
  defaultWorkers,
  DEFAULT_SWEEP_METRIC,
  parseGridAxis,
  parseSampleRange,
  runSweep,
  SWEEP_METRICS,
  SWEEP_PARAMS,
  sweepMetricOf,
  sweepParamOf,
  type GridAxis,
  type SampleRange,
  type SweepMetric,
  type SweepParam,
} from '../../backtest/sweep/index.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';

const fraction = (value: string): number => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.3');
  return n;
};

const wholeNumber =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };

const collect =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[]): T[] => [...previous, parse(value)];

const modelList = (value: string): string[] =>
  value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');

interface SweepFlags {
  symbol?: string;
  trainShare: number;
  oosShare: number;
  grid: GridAxis[];
  range: SampleRange[];
  samples?: number;
  seed: number;
  models: string[][];
  metric: SweepMetric;
  x?: SweepParam;
  y?: SweepParam;
  workers: number;
  out?: string;
}

/** `cml sweep <file>`: a grid or random sample of settings over one history file, with a report. */
export function sweepCommand(context: () => CommandContext): Command {
  return new Command('sweep')
    .description(
      'sweep decision settings, rule thresholds and model sets over a kline CSV file: the models trained once on its first part (as `backtest`), each signal tape built once and traded per combination on worker threads; the best combination in sample reported beside its out-of-sample figures; writes sweep.html, sweep.csv and sweep.json',
    )
    .argument('<file>', 'kline CSV file (the formats `import` reads)')
    .option('-s, --symbol <symbol>', 'the pair, e.g. BTCUSDT (default: from the file name)')
    .option(
      '--grid <name=values>',
      `a parameter and its values, e.g. stopLossPct=-1,-2,-3 (repeat for more; parameters: ${SWEEP_PARAMS.join(', ')})`,
      collect(parseGridAxis),
      [] as GridAxis[],
    )
    .option(
      '--range <name=min:max>',
      'a parameter drawn at random in [min, max] (with --samples; repeatable)',
      collect(parseSampleRange),
      [] as SampleRange[],
    )
    .option('--samples <n>', 'random points drawn over the --range parameters', wholeNumber(1))
    .option(
      '--seed <n>',
      'seed of the random points (the same seed draws the same points)',
      wholeNumber(0),
      1,
    )
    .option(
      '--models <list>',
      'a model set to sweep, e.g. ma_rsi_rule:trend or random_forest:trend,svm:trend (repeat for more; default: the configured models)',
      collect(modelList),
      [] as string[][],
    )
    .option(
      '--metric <name>',
      `what the choice maximizes in sample (maxDrawdownPct: minimizes): ${SWEEP_METRICS.join(', ')}`,
      sweepMetricOf,
      DEFAULT_SWEEP_METRIC,
    )
    .option('--x <param>', 'heatmap columns (default: the first varied parameter)', sweepParamOf)
    .option('--y <param>', 'heatmap rows (default: the second varied parameter)', sweepParamOf)
    .option('--train-share <fraction>', 'earliest share of the bars the models are trained on', fraction, 0.5)
    .option(
      '--oos-share <fraction>',
      'latest share of the traded bars kept out of the choice, reported beside it',
      fraction,
      0.3,
    )
    .option('--workers <n>', 'worker threads (0: run in this thread)', wholeNumber(0), defaultWorkers())
    .option('-o, --out <dir>', 'where the report goes (default: <data-dir>/sweeps/<time>)')
    .action(async (file: string, opts: SweepFlags) => {
      const ctx = context();
      const outDir = resolve(
        opts.out ?? join(ctx.config.dataDir, 'sweeps', new Date().toISOString().replace(/[:.]/g, '-')),
      );
      const combinations = combinationsOf({
        grid: opts.grid,
        ranges: opts.range,
        ...(opts.samples === undefined ? {} : { samples: opts.samples }),
        seed: opts.seed,
      });
      const bars = { train: progressBar('train'), sweep: progressBar('sweep') } as const;
      let stage: keyof typeof bars | undefined;
      const { report, htmlPath, csvPath, jsonPath } = await runSweep({
        config: ctx.config,
        file,
        ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
        trainShare: opts.trainShare,
        outOfSampleShare: opts.oosShare,
        ...(opts.models.length === 0 ? {} : { modelSets: opts.models }),
        combinations,
        metric: opts.metric,
        ...(opts.x === undefined ? {} : { x: opts.x }),
        ...(opts.y === undefined ? {} : { y: opts.y }),
        workers: opts.workers,
        outDir,
        onProgress: (name, done, total) => {
          if (stage !== name) bars[stage ?? name].stop();
          stage = name;
          bars[name].update(done, Math.max(total, 1));
        },
      });
      if (stage !== undefined) bars[stage].stop();
      const c = report.chosen;
      const f = (v: number): string => v.toFixed(2);
      const values = report.params.map((p) => `${p}=${c.values[p]}`).join(' ');
      console.log(
        [
          `${report.title}: ${report.combinations} combinations on ${report.tapes} signal tape(s), ${report.run.barsTraded} bars each`,
          `  chosen in sample by ${report.metric}: row ${c.id} ${c.models.join(' ')} ${values}`,
          `  ${report.metric}: in sample ${f(c.inSample[report.metric])}, out of sample ${f(c.outOfSample[report.metric])} (rank ${report.chosenOutOfSampleRank} of ${report.combinations} out of sample)`,
          `  replay: ${c.command}`,
          `  ${report.run.barCombinationsPerSecond.toLocaleString('en-US')} bar-combinations/s (${report.run.workers} workers, ${report.run.sweepSeconds} s)`,
          `report: ${htmlPath}`,
          `        ${csvPath}`,
          `        ${jsonPath}`,
        ].join('\n'),
      );
    });
}
