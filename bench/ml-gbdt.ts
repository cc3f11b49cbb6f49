/**
 * Our gradient boosted trees beside LightGBM on the same features, labels, folds and settings:
 * the trend target (band labels) of the default training settings over the purged walk-forward
 * folds bench/ml.ts uses for calibration; per fold and mean ± sd, training seconds, predictions per
 * second, accuracy, log loss, Brier, macro-F1 and up/down precision and recall. Writes
 * bench/results/gbdt.md.
 *
 *   npm run bench:gbdt [-- --skip-lightgbm]
 *
 * LightGBM runs in bench/ml/.venv, created by bench/ml/setup.sh (pip, from PyPI) on first use.
 */
import { runPythonPeer } from './python-peer.ts';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_BOOSTING_PARAMS,
  DEFAULT_TRAIN_SETTINGS,
  GradientBoostedTrees,
  TREND_CLASSES,
  classificationMetrics,
  prepareData,
  purgedFolds,
  readBarsFile,
  type BoostingParams,
  type LabeledRow,
} from '../src/ml/index.ts';
import { rowWeights } from '../src/ml/models/logistic-regression.ts';

const NAME = 'btcusdt-5m-2023-01-02_2023-02-09.csv';
const FILE = existsSync(`../shared/data/${NAME}`) ? `../shared/data/${NAME}` : `test/fixtures/${NAME}`;
const FOLDS = 5;
const skipLightgbm = process.argv.includes('--skip-lightgbm');
const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  console.log(line);
};
const f = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
const pct = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const meanSd = (values: number[]): { mean: number; sd: number } => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd };
};

/** The two settings compared: the same hyper-parameters in both vocabularies. */
const base: BoostingParams = { ...DEFAULT_BOOSTING_PARAMS };
const lightgbmParams = (p: BoostingParams): Record<string, unknown> => ({
  objective: 'multiclass',
  num_class: 3,
  learning_rate: p.learningRate,
  num_leaves: p.maxLeaves,
  max_depth: p.maxDepth,
  min_data_in_leaf: p.minSamplesLeaf,
  min_sum_hessian_in_leaf: p.minHessianLeaf,
  lambda_l2: p.lambda,
  max_bin: p.maxBins ?? 255,
  bagging_fraction: p.subsample,
  bagging_freq: p.subsample < 1 ? 1 : 0,
  feature_fraction: 1,
  num_threads: 1,
  deterministic: true,
  seed: p.seed,
  verbose: -1,
});
const configs = [
  { name: 'plain', about: 'unweighted rows', params: { ...base, classWeight: 'none' as const } },
  {
    name: 'balanced',
    about: 'rows weighted n / (3 × rows of their class), as the project trains its classifiers',
    params: { ...base, classWeight: 'balanced' as const },
  },
];

interface Scores {
  accuracy: number;
  logLoss: number;
  brier: number;
  macroF1: number;
  upP: number;
  upR: number;
  downP: number;
  downR: number;
}

/** Scores of class probabilities (rows of 3) against the actual classes. */
function score(probabilities: ArrayLike<number>[], actual: number[]): Scores {
  const predicted = probabilities.map((p) => {
    let best = 0;
    for (let k = 1; k < 3; k++) if ((p[k] as number) > (p[best] as number)) best = k;
    return best;
  });
  const m = classificationMetrics(TREND_CLASSES, actual, predicted);
  let logLoss = 0;
  let brier = 0;
  probabilities.forEach((p, i) => {
    const y = actual[i] as number;
    logLoss -= Math.log(Math.max(1e-15, p[y] as number));
    for (let k = 0; k < 3; k++) brier += ((p[k] as number) - (k === y ? 1 : 0)) ** 2;
  });
  const f1 = m.perClass.map((c) =>
    c.precision + c.recall > 0 ? (2 * c.precision * c.recall) / (c.precision + c.recall) : 0,
  );
  const up = m.perClass[2];
  const down = m.perClass[0];
  return {
    accuracy: m.accuracy,
    logLoss: logLoss / actual.length,
    brier: brier / actual.length,
    macroF1: f1.reduce((a, b) => a + b, 0) / 3,
    upP: up?.precision ?? 0,
    upR: up?.recall ?? 0,
    downP: down?.precision ?? 0,
    downR: down?.recall ?? 0,
  };
}

interface Run extends Scores {
  engine: 'ours' | 'LightGBM' | 'class prior';
  config: string;
  fold: number;
  fitSeconds: number;
  predictionsPerSecond: number;
  latencyP50: number;
  trees: number;
  leaves: number;
  probabilities: ArrayLike<number>[];
}

const startLoad = loadavg();
const { bars } = readBarsFile(FILE);
const settings = DEFAULT_TRAIN_SETTINGS;
const prepared = prepareData(bars, settings);
const folds = purgedFolds(prepared.rows, {
  folds: FOLDS,
  embargoMs: settings.horizonBars * prepared.definition.intervalMs,
});
const inputs = (rows: readonly LabeledRow[]): Float64Array[] => rows.map((r) => r.features.inputs);
const features = prepared.rows[0]?.features.inputs.length ?? 0;
const runs: Run[] = [];

// V8 compiles the hot loops on first use: one untimed fit before the timed ones.
{
  const fold = folds[0];
  if (fold !== undefined)
    GradientBoostedTrees.train(
      inputs(fold.train),
      fold.train.map((r) => r.trend),
      3,
      { ...base, rounds: 20 },
    );
}

for (const [k, fold] of folds.entries()) {
  const X = inputs(fold.train);
  const y = fold.train.map((r) => r.trend);
  const Xt = inputs(fold.test);
  const actual = fold.test.map((r) => r.trend);
  const prior = [0, 1, 2].map((c) => y.filter((v) => v === c).length / y.length);
  runs.push({
    engine: 'class prior',
    config: '–',
    fold: k,
    fitSeconds: Number.NaN,
    predictionsPerSecond: Number.NaN,
    latencyP50: Number.NaN,
    trees: 0,
    leaves: 0,
    probabilities: Xt.map(() => prior),
    ...score(
      Xt.map(() => prior),
      actual,
    ),
  });
  for (const config of configs) {
    const started = process.hrtime.bigint();
    const model = GradientBoostedTrees.train(X, y, 3, config.params);
    const fitSeconds = seconds(started);
    let probabilities: Float64Array[] = [];
    let best = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const t = process.hrtime.bigint();
      probabilities = Xt.map((x) => model.classify(x));
      best = Math.min(best, seconds(t));
    }
    const latency = Xt.slice(0, 300).map((x) => {
      const t = process.hrtime.bigint();
      model.classify(x);
      return Number(process.hrtime.bigint() - t) / 1e3;
    });
    const json = model.toJSON();
    runs.push({
      engine: 'ours',
      config: config.name,
      fold: k,
      fitSeconds,
      predictionsPerSecond: Xt.length / best,
      latencyP50: pct(latency, 50),
      trees: model.size,
      leaves: json.trees.reduce((s, t) => s + t.feature.filter((v) => v < 0).length, 0),
      probabilities,
      ...score(probabilities, actual),
    });
    console.error(`ours ${config.name} fold ${k + 1}: ${f(fitSeconds, 2)} s`);
  }
}

let lightgbmVersion = '';
if (!skipLightgbm) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gbdt-'));
  const header = [...Array.from({ length: features }, (_, i) => `f${i}`), 'y', 'w'].join(',');
  for (const [k, fold] of folds.entries()) {
    const weights = rowWeights(
      fold.train.map((r) => r.trend),
      'balanced',
    );
    const csv = (rows: readonly LabeledRow[], w?: Float64Array): string =>
      [
        header,
        ...rows.map((r, i) => [...Array.from(r.features.inputs), r.trend, w?.[i] ?? 1].join(',')),
      ].join('\n');
    writeFileSync(join(dir, `fold${k}-train.csv`), csv(fold.train, weights));
    writeFileSync(join(dir, `fold${k}-test.csv`), csv(fold.test));
  }
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      folds: folds.length,
      configs: configs.map((c) => ({
        name: c.name,
        rounds: c.params.rounds,
        weighted: c.params.classWeight === 'balanced',
        params: lightgbmParams(c.params),
      })),
    }),
  );
  const started = process.hrtime.bigint();
  const result = runPythonPeer<{
    lightgbm: string;
    runs: Array<{
      fold: number;
      config: string;
      fitSeconds: number;
      predictSeconds: number;
      latencyUs: number[];
      trees: number;
      leaves: number;
      probabilities: number[][];
    }>;
  }>('ml', 'lightgbm_gbdt.py', [dir]);
  console.error(`LightGBM: ${f(seconds(started), 1)} s`);
  lightgbmVersion = result.lightgbm;
  for (const run of result.runs) {
    const fold = folds[run.fold];
    if (fold === undefined) continue;
    runs.push({
      engine: 'LightGBM',
      config: run.config,
      fold: run.fold,
      fitSeconds: run.fitSeconds,
      predictionsPerSecond: fold.test.length / run.predictSeconds,
      latencyP50: pct(run.latencyUs, 50),
      trees: run.trees,
      leaves: run.leaves,
      probabilities: run.probabilities,
      ...score(
        run.probabilities,
        fold.test.map((r) => r.trend),
      ),
    });
  }
}
const endLoad = loadavg();

out('# Gradient boosted trees: ours beside LightGBM');
out();
out(
  `Command: \`npm run bench:gbdt\` on Node ${process.version}, ${process.platform}, ${cpus().length} cores ` +
    `(${cpus()[0]?.model ?? '?'}): load average ${startLoad.map((v) => f(v, 2)).join(' / ')} ` +
    `(1 / 5 / 15 min) at the start, ${endLoad.map((v) => f(v, 2)).join(' / ')} at the end. ` +
    `Data: \`${FILE}\` (${bars.length} bars), the project's ${features} features, the \`trend\` target with the default ` +
    `\`${settings.labels}\` labels (±${settings.bandPct}% at ${settings.horizonBars} bars), ${prepared.rows.length} labelled rows.`,
);
out();
out(
  `Folds: the ${FOLDS} purged walk-forward folds of bench/ml.ts (the rows cut into ${FOLDS + 1} time blocks, fold k tests block ` +
    `k + 1 on the rows before it, training rows whose label reaches into the block purged). Each model is fitted on all of a ` +
    'fold\'s training rows (no calibration hold-out here) and scored on its test block. "class prior" predicts the training ' +
    "rows' class shares for every row: the score to beat.",
);
out();
const p = base;
out(
  `Settings, both engines: ${p.rounds} rounds (one tree per class per round), learning rate ${p.learningRate}, at most ` +
    `${p.maxLeaves} leaves grown best-first, depth ≤ ${p.maxDepth}, ≥ ${p.minSamplesLeaf} rows and ≥ ${p.minHessianLeaf} hessian ` +
    `per leaf, L2 ${p.lambda}, ${p.maxBins ?? 255} bins per feature at most, no row or feature subsampling, initial scores the log ` +
    'class shares, one thread. LightGBM: `objective=multiclass`, `num_threads=1`, `deterministic=true`, its other ' +
    'parameters at their defaults (so its own binning, `min_data_in_bin=3`, and its choice of row- or column-wise histograms). ' +
    `Configs: ${configs.map((c) => `\`${c.name}\` (${c.about})`).join(', ')}; the weights are passed to LightGBM as row weights.`,
);
out();
out(
  "Training time includes binning the features (LightGBM's Dataset is built inside `train`); ours is measured after one untimed " +
    'warm-up fit (V8 compiles the loops on first use). Predictions per second: all test rows of the fold one after the other, ' +
    'best of 3 passes (ours: `classify` row by row; LightGBM: one `predict` call on the whole block). p50 µs: one row at a ' +
    "time (LightGBM's includes Python's call overhead). Log loss and Brier: multi-class, on the probabilities (Brier summed " +
    'over the 3 classes). Macro-F1 over down / flat / up.',
);
out();

const configNames = ['–', ...configs.map((c) => c.name)];
const engines = ['class prior', 'ours', 'LightGBM'] as const;
const ordered = (list: Run[]): Run[] =>
  [...list].sort(
    (a, b) =>
      configNames.indexOf(a.config) - configNames.indexOf(b.config) ||
      a.fold - b.fold ||
      engines.indexOf(a.engine) - engines.indexOf(b.engine),
  );

out('## Mean ± sd over the folds');
out();
out(
  '| config | engine | training s | predictions/s | p50 µs | accuracy | log loss | Brier | macro-F1 | up P / R | down P / R |',
);
out('|---|---|---|---|---|---|---|---|---|---|---|');
const ms = (values: number[], d = 3): string => {
  if (values.every((v) => !Number.isFinite(v))) return '–';
  const { mean, sd } = meanSd(values);
  return `${f(mean, d)} ± ${f(sd, d)}`;
};
const big = (values: number[]): string => {
  if (values.every((v) => !Number.isFinite(v))) return '–';
  const { mean, sd } = meanSd(values);
  return `${Math.round(mean).toLocaleString('en')} ± ${Math.round(sd).toLocaleString('en')}`;
};
for (const config of configNames)
  for (const engine of engines) {
    const group = runs.filter((r) => r.config === config && r.engine === engine);
    if (group.length === 0) continue;
    const col = (k: keyof Scores | 'fitSeconds' | 'latencyP50'): number[] => group.map((r) => r[k]);
    out(
      `| ${config} | ${engine} | ${ms(col('fitSeconds'), 2)} | ${big(group.map((r) => r.predictionsPerSecond))} | ${ms(col('latencyP50'), 1)} | ` +
        `${ms(col('accuracy'))} | ${ms(col('logLoss'))} | ${ms(col('brier'))} | ${ms(col('macroF1'))} | ` +
        `${f(meanSd(col('upP')).mean, 2)} / ${f(meanSd(col('upR')).mean, 2)} | ${f(meanSd(col('downP')).mean, 2)} / ${f(meanSd(col('downR')).mean, 2)} |`,
    );
  }
out();

if (!skipLightgbm) {
  out('## Ours / LightGBM');
  out();
  out(
    'Ratios of the means over the folds, and in brackets the lowest and highest ratio of a single fold (training time, ' +
      'log loss and Brier: below 1 is better for ours; predictions/s and accuracy: above 1). ' +
      'Agreement: the share of test rows where both pick the same class; |Δp|: the mean absolute difference of their ' +
      'probabilities, over all rows and classes, mean over the folds.',
  );
  out();
  out(
    '| config | training time | predictions/s | log loss | Brier | accuracy | same class | mean abs Δp | trees (ours / LightGBM) | leaves (ours / LightGBM) |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const config of configs) {
    const ours = runs.filter((r) => r.config === config.name && r.engine === 'ours');
    const theirs = runs.filter((r) => r.config === config.name && r.engine === 'LightGBM');
    const ratio = (k: 'fitSeconds' | 'predictionsPerSecond' | 'logLoss' | 'brier' | 'accuracy'): string => {
      const perFold = ours.flatMap((a) => {
        const b = theirs.find((r) => r.fold === a.fold);
        return b === undefined ? [] : [a[k] / b[k]];
      });
      const ofMeans = meanSd(ours.map((r) => r[k])).mean / meanSd(theirs.map((r) => r[k])).mean;
      return `${f(ofMeans, 2)} [${f(Math.min(...perFold), 2)}, ${f(Math.max(...perFold), 2)}]`;
    };
    const same: number[] = [];
    const delta: number[] = [];
    for (const a of ours) {
      const b = theirs.find((r) => r.fold === a.fold);
      if (b === undefined) continue;
      let agree = 0;
      let diff = 0;
      a.probabilities.forEach((pa, i) => {
        const pb = b.probabilities[i] as ArrayLike<number>;
        const argmax = (q: ArrayLike<number>): number => {
          let best = 0;
          for (let k = 1; k < 3; k++) if ((q[k] as number) > (q[best] as number)) best = k;
          return best;
        };
        if (argmax(pa) === argmax(pb)) agree++;
        for (let k = 0; k < 3; k++) diff += Math.abs((pa[k] as number) - (pb[k] as number));
      });
      same.push(agree / a.probabilities.length);
      delta.push(diff / (3 * a.probabilities.length));
    }
    const sum = (list: Run[], k: 'trees' | 'leaves'): number => list.reduce((s, r) => s + r[k], 0);
    out(
      `| ${config.name} | ${ratio('fitSeconds')} | ${ratio('predictionsPerSecond')} | ${ratio('logLoss')} | ${ratio('brier')} | ${ratio('accuracy')} | ` +
        `${f(meanSd(same).mean)} | ${f(meanSd(delta).mean, 4)} | ${sum(ours, 'trees')} / ${sum(theirs, 'trees')} | ${sum(ours, 'leaves')} / ${sum(theirs, 'leaves')} |`,
    );
  }
  out();
}

out('## Per fold');
out();
out(
  '| config | fold | train / test rows | engine | training s | predictions/s | accuracy | log loss | Brier | macro-F1 | up P / R | down P / R |',
);
out('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of ordered(runs)) {
  const fold = folds[r.fold];
  out(
    `| ${r.config} | ${r.fold + 1} | ${fold?.train.length ?? 0} / ${fold?.test.length ?? 0} | ${r.engine} | ${f(r.fitSeconds, 2)} | ` +
      `${Number.isFinite(r.predictionsPerSecond) ? Math.round(r.predictionsPerSecond).toLocaleString('en') : '–'} | ${f(r.accuracy)} | ` +
      `${f(r.logLoss)} | ${f(r.brier)} | ${f(r.macroF1)} | ${f(r.upP, 2)} / ${f(r.upR, 2)} | ${f(r.downP, 2)} / ${f(r.downR, 2)} |`,
  );
}
out();
if (lightgbmVersion !== '') out(`LightGBM ${lightgbmVersion} (PyPI wheel), in bench/ml/.venv.`);
out();

writeFileSync('bench/results/gbdt.md', `${lines.join('\n')}\n`);
