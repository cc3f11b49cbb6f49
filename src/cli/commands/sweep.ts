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
import {
  DEFAULT_SWEEP_TOPICS,
  DEFAULT_SWEEP_WORKER_GROUP,
  kafkaSweepRunner,
  startSweepWorker,
  type SweepTopicNames,
} from '../../backtest/sweep/distributed/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { openRuntime, type Runtime } from '../../runtime/index.ts';
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
  jobsTopic: string;
  resultsTopic: string;
  rowsPerJob: number;
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
    .option(
      '--workers <n>',
      'worker threads beside this one, which trades rows too (0: this thread alone)',
      wholeNumber(0),
      defaultWorkers(),
    )
    .option('-o, --out <dir>', 'where the report goes (default: <data-dir>/sweeps/<time>)')
    .option('--rows-per-job <n>', 'with --runtime kafka: rows a worker takes at a time', wholeNumber(1), 4)
    .option('--jobs-topic <topic>', 'with --runtime kafka: the jobs topic', DEFAULT_SWEEP_TOPICS.jobs)
    .option(
      '--results-topic <topic>',
      'with --runtime kafka: the results topic',
      DEFAULT_SWEEP_TOPICS.results,
    )
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
      // On Kafka the rows go to the sweep workers' group (cml sweep-worker) as jobs.
      const runtime: Runtime | undefined =
        ctx.config.runtime === 'kafka' ? await openRuntime(ctx.config, ctx.logger) : undefined;
      const remote =
        runtime === undefined
          ? undefined
          : kafkaSweepRunner({
              runtime,
              topics: { jobs: opts.jobsTopic, results: opts.resultsTopic },
              rowsPerJob: opts.rowsPerJob,
              onJobsWritten: (sweepId, jobs) =>
                ctx.logger.info(
                  { sweepId, jobs, topic: opts.jobsTopic },
                  'jobs written: waiting for the sweep workers (cml sweep-worker)',
                ),
            });
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
        workers: remote === undefined ? opts.workers : 0,
        ...(remote === undefined ? {} : { remote }),
        outDir,
        onProgress: (name, done, total) => {
          if (stage !== name) bars[stage ?? name].stop();
          stage = name;
          bars[name].update(done, Math.max(total, 1));
        },
      }).finally(() => runtime?.close());
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
          `  ${report.run.barCombinationsPerSecond.toLocaleString('en-US')} bar-combinations/s (${report.run.where}, ${report.run.sweepSeconds} s)`,
          `report: ${htmlPath}`,
          `        ${csvPath}`,
          `        ${jsonPath}`,
        ].join('\n'),
      );
    });
}

/**
 * `cml sweep-worker`: a member of the sweep workers' group on Kafka, trading the jobs of
 * `cml sweep --runtime kafka` until Ctrl-C (or SIGTERM). Run any number, on any machine that
 * reads the sweeps' files at the same paths, with the same configuration as the coordinator.
 */
export function sweepWorkerCommand(context: () => CommandContext): Command {
  return new Command('sweep-worker')
    .description(
      "trade the jobs of `cml sweep --runtime kafka` as a member of the sweep workers' consumer group, until Ctrl-C; each result is written with the commit of its job, so a worker killed mid-job leaves it to another",
    )
    .option('--group <group>', "the workers' consumer group", DEFAULT_SWEEP_WORKER_GROUP)
    .option('--jobs-topic <topic>', 'the jobs topic', DEFAULT_SWEEP_TOPICS.jobs)
    .option('--results-topic <topic>', 'the results topic', DEFAULT_SWEEP_TOPICS.results)
    .action(async (opts: { group: string; jobsTopic: string; resultsTopic: string }) => {
      const ctx = context();
      if (ctx.config.runtime !== 'kafka')
        throw new CmlError(ErrorCodes.USAGE, 'sweep-worker runs on Kafka only', {
          hint: "Add --runtime kafka (and --brokers / --registry), or run `cml sweep` alone to use this machine's threads.",
        });
      const workerId = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      // Each worker its own transactional id: members of one group on one host must not fence each other.
      const config = {
        ...ctx.config,
        kafka: { ...ctx.config.kafka, clientId: `${ctx.config.kafka.clientId}.sweep-worker.${workerId}` },
      };
      const topics: SweepTopicNames = { jobs: opts.jobsTopic, results: opts.resultsTopic };
      const runtime = await openRuntime(config, ctx.logger);
      try {
        const subscription = await startSweepWorker({
          config,
          runtime,
          logger: ctx.logger,
          topics,
          group: opts.group,
          workerId,
        });
        ctx.logger.info(
          { group: opts.group, topic: topics.jobs, workerId },
          'sweep worker running (Ctrl-C stops it)',
        );
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
        await subscription.stop();
      } finally {
        await runtime.close();
      }
    });
}
