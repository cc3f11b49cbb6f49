import { Command, Option } from 'commander';
import type { MarketData } from '../../contracts/index.ts';
import {
  TREND_CLASSES,
  modelSpecsOf,
  modelsDirOf,
  readBarsFile,
  reportedScores,
  trainModels,
  trainSettingsOf,
  MODEL_KINDS,
  TARGETS,
  supportsTarget,
  type ModelArtifact,
} from '../../ml/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import type { CommandContext } from '../context.ts';
import { boundedNumber, timeUnitOption } from '../option-parsers.ts';
import { progressBar } from '../progress.ts';
import type { TimeUnit } from '../../time/index.ts';

const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** One model's out-of-sample result against the naive baseline, in a few lines. */
export function describeArtifact(artifact: ModelArtifact, path?: string): string {
  const scores = reportedScores(artifact);
  const base = artifact.baselines.lastPrice;
  const m = artifact.metrics;
  const cls = (k: number): string => {
    const c = m.signal.perClass[k];
    return c === undefined
      ? ''
      : `${TREND_CLASSES[k]} P ${fmt(c.precision, 2)} R ${fmt(c.recall, 2)} (${c.predicted} predicted, ${c.support} real)`;
  };
  return [
    `${artifact.version}${path === undefined ? '' : `  ${path}`}`,
    `  trained on ${artifact.training.trainRows} bars ${iso(artifact.training.trainFrom)} .. ${iso(artifact.training.trainTo)}, ` +
      `tested on ${artifact.training.testRows} bars ${iso(artifact.training.testFrom)} .. ${iso(artifact.training.testTo)} ` +
      `(${fmt(artifact.training.seconds, 2)} s)`,
    `  out of sample: R² ${fmt(scores.r2)}, MAE ${fmt(scores.mae)} ${scores.unit}; change R² ${fmt(m.r2)} vs last price ${fmt(base.r2)}; ` +
      `price MAE ${fmt(m.mae, 1)} vs last price ${fmt(base.mae, 1)} USDT`,
    `  signals: accuracy ${fmt(m.signal.accuracy)} vs always HOLD ${fmt(base.signal.accuracy)}; ${cls(2)}; ${cls(0)}`,
    ...validationLines(artifact),
  ].join('\n');
}

/** Calibration and tiers in two lines: what the confidence is worth. */
function validationLines(artifact: ModelArtifact): string[] {
  const v = artifact.validation;
  if (v === undefined) return [];
  const raw = v.comparison.find((c) => c.method === 'raw');
  const served = v.comparison.find((c) => c.method === artifact.calibration?.method) ?? raw;
  const cv = v.crossValidation;
  return [
    `  confidence: Brier ${fmt(served?.brier ?? Number.NaN, 4)} (raw ${fmt(raw?.brier ?? Number.NaN, 4)}), ECE ${fmt(served?.ece ?? Number.NaN, 4)} ` +
      `(raw ${fmt(raw?.ece ?? Number.NaN, 4)}), ${artifact.calibration?.method ?? 'not'} calibrated`,
    `  tiers: ${v.tiers.map((t) => `${t.label} ${t.verdict}`).join('; ')}`,
    ...(cv === undefined
      ? []
      : [
          `  ${cv.folds.length} purged walk-forward folds: accuracy ${fmt(cv.summary.accuracy.mean)} ± ${fmt(cv.summary.accuracy.sd)} ` +
            `(always HOLD ${fmt(cv.baselineSummary.alwaysHold.accuracy.mean)}), Brier ${fmt(cv.summary.brier.mean, 4)} ± ${fmt(cv.summary.brier.sd, 4)}`,
        ]),
  ];
}

async function barsFrom(
  files: readonly string[],
  symbol: string | undefined,
  timeUnit: TimeUnit | undefined,
): Promise<MarketData[]> {
  const bars: MarketData[] = [];
  for (const file of files) {
    const read = readBarsFile(file, symbol, timeUnit);
    if (read.skipped > 0) process.stderr.write(`${file}: ${read.skipped} rows skipped (not valid bars)\n`);
    bars.push(...read.bars);
  }
  return Promise.resolve(bars);
}

export function trainCommand(context: () => CommandContext): Command {
  return new Command('train')
    .description(
      'train the configured models on kline CSV files (walk-forward split, out-of-sample metrics against naive baselines) and save each as a new artifact version',
    )
    .argument('<files...>', 'kline CSV files (the formats `import` reads)')
    .option('-s, --symbol <symbol>', 'the pair, e.g. BTCUSDT (default: from the file name)')
    .option(
      '--models <list>',
      'comma-separated <model>:<target>, e.g. random_forest:trend,svm:trend (default: ml.models)',
    )
    .option(
      '--horizon <bars>',
      'bars ahead to predict (default: ml.horizonBars)',
      boundedNumber({ min: 1, max: 10_000, integer: true }),
    )
    .option(
      '--trees <n>',
      'trees per forest (default: ml.trees)',
      boundedNumber({ min: 1, max: 10_000, integer: true }),
    )
    .option(
      '--max-depth <n>',
      'depth of the forest trees (default: ml.maxDepth)',
      boundedNumber({ min: 1, max: 100, integer: true }),
    )
    .addOption(timeUnitOption())
    .addOption(
      new Option('--engine <engine>', 'random forest implementation').choices(['fast', 'ml-random-forest']),
    )
    .addOption(
      new Option('--labels <labels>', 'what trend classifiers learn (default: ml.labels)').choices([
        'band',
        'barrier',
      ]),
    )
    .addOption(
      new Option('--calibration <method>', 'confidence calibration (default: ml.calibration)').choices([
        'isotonic',
        'platt',
        'none',
      ]),
    )
    .option(
      '--cv-folds <n>',
      'purged walk-forward folds scored into each artifact (default: ml.cvFolds)',
      boundedNumber({ min: 0, max: 20, integer: true }),
    )
    .option('--models-dir <dir>', 'where artifacts go (default: ml.modelsDir or <data-dir>/models)')
    .action(
      async (
        files: string[],
        opts: {
          symbol?: string;
          models?: string;
          horizon?: number;
          trees?: number;
          maxDepth?: number;
          timeUnit?: TimeUnit;
          engine?: 'fast' | 'ml-random-forest';
          labels?: 'band' | 'barrier';
          calibration?: 'isotonic' | 'platt' | 'none';
          cvFolds?: number;
          modelsDir?: string;
        },
      ) => {
        const { config } = context();
        const ml = {
          ...config.ml,
          ...(opts.models === undefined ? {} : { models: opts.models.split(',').map((m) => m.trim()) }),
          ...(opts.horizon === undefined ? {} : { horizonBars: opts.horizon }),
          ...(opts.trees === undefined ? {} : { trees: opts.trees }),
          ...(opts.maxDepth === undefined ? {} : { maxDepth: opts.maxDepth }),
          ...(opts.engine === undefined ? {} : { forestEngine: opts.engine }),
          ...(opts.modelsDir === undefined ? {} : { modelsDir: opts.modelsDir }),
          ...(opts.labels === undefined ? {} : { labels: opts.labels }),
          ...(opts.calibration === undefined ? {} : { calibration: opts.calibration }),
          ...(opts.cvFolds === undefined ? {} : { cvFolds: opts.cvFolds }),
        };
        const effective = { ...config, ml };
        const specs = modelSpecsOf(effective);
        for (const spec of specs)
          if (
            !MODEL_KINDS.includes(spec.model) ||
            !TARGETS.includes(spec.target) ||
            !supportsTarget(spec.model, spec.target)
          )
            throw new CmlError(ErrorCodes.USAGE, `Cannot train ${spec.model}:${spec.target}`, {
              hint: 'Models: random_forest:price, random_forest:price_change, random_forest:trend, svm:trend, logistic_regression:trend, gradient_boosting:trend, ma_rsi_rule:trend.',
            });
        const bars = await barsFrom(files, opts.symbol?.toUpperCase(), opts.timeUnit);
        const bar = progressBar('train');
        let trained;
        try {
          trained = trainModels({
            bars,
            modelsDir: modelsDirOf(effective),
            specs,
            settings: trainSettingsOf(effective),
            onProgress: (p) => bar.update(p.done, p.total),
          });
        } finally {
          bar.stop();
        }
        console.log(`${bars.length} bars from ${files.length} file(s); ${trained.length} model(s) saved:`);
        for (const { artifact, path } of trained) console.log(describeArtifact(artifact, path));
      },
    );
}
