/**
 * The ML stage side by side: our histogram random forest, ml-random-forest and scikit-learn's
 * RandomForest on the same features and the same walk-forward split of the shared BTCUSDT 5 m
 * file (training time, per-prediction latency p50/p99, out-of-sample scores), where
 * ml-random-forest spends its time (a CPU profile), the default training run, and the signals
 * processor's throughput with each model; then calibration (Brier, ECE, raw / isotonic / Platt),
 * confidence tiers and baselines over purged walk-forward folds, ours beside scikit-learn's
 * CalibratedClassifierCV on the same folds. Writes bench/results/ml.md.
 *
 *   npm run bench:ml [-- --skip-ml-random-forest] [-- --skip-sklearn] [-- --skip-calibration]
 *
 * scikit-learn runs in bench/ml/.venv, created by bench/ml/setup.sh (pip, from PyPI) on first use.
 */
import { runPythonPeer } from './python-peer.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { MARKET_DATA } from '../src/contracts/index.ts';
import { streamClock } from '../src/messaging/index.ts';
import {
  DEFAULT_MODEL_SPECS,
  DEFAULT_TRAIN_SETTINGS,
  FLAT,
  FastRandomForest,
  MlRandomForest,
  TREND_CLASSES,
  classificationMetrics,
  alwaysHold,
  bootstrapMean,
  brierScore,
  calibratedPredictions,
  expectedCalibrationError,
  latestArtifacts,
  prepareData,
  purgedFolds,
  randomAtRate,
  scoreSignals,
  scoreTiers,
  walkForwardSplit,
  type JudgedSignal,
  type LabeledRow,
  type Labels,
  type MeanInterval,
  r2Score,
  readArtifact,
  readBarsFile,
  trainModels,
  type ForestParams,
} from '../src/ml/index.ts';
import { createLogger } from '../src/observability/logger.ts';
import { openEmbeddedRuntime } from '../src/runtime/index.ts';
import { prepareRuntime } from '../src/runtime/index.ts';
import { AvroSerde } from '../src/serde/index.ts';
import { createSignalEngine, startSignalsProcessor } from '../streams/signals/index.ts';

const FILE = 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv';
const skipMl = process.argv.includes('--skip-ml-random-forest');
const skipSklearn = process.argv.includes('--skip-sklearn');
const skipCalibration = process.argv.includes('--skip-calibration');
const CV_FOLDS = 5;
const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  console.log(line);
};
const f = (v: number, d = 3): string => v.toFixed(d);
const pct = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

const startLoad = loadavg()[0] ?? 0;
const { bars } = readBarsFile(FILE);
const data = prepareData(bars, DEFAULT_TRAIN_SETTINGS);
const X = data.train.map((r) => r.features.inputs);
const Xt = data.test.map((r) => r.features.inputs);
const yReg = data.train.map((r) => r.changePct);
const yCls = data.train.map((r) => r.trend);
const actualChange = data.test.map((r) => r.changePct);
const actualTrend = data.test.map((r) => r.trend);
const features = X[0]?.length ?? 0;

interface Side {
  engine: string;
  config: string;
  task: 'regression' | 'classification';
  fitSeconds: number;
  p50: number;
  p99: number;
  score: number;
  extra: string;
}
const sides: Side[] = [];

const scoreRegression = (predicted: number[]): { score: number; extra: string } => ({
  score: r2Score(actualChange, predicted),
  extra: `MAE ${f(actualChange.reduce((s, a, i) => s + Math.abs(a - (predicted[i] as number)), 0) / actualChange.length)} pp`,
});
const scoreClassification = (predicted: number[]): { score: number; extra: string } => {
  const m = classificationMetrics(TREND_CLASSES, actualTrend, predicted);
  const up = m.perClass[2];
  const down = m.perClass[0];
  return {
    score: m.accuracy,
    extra: `up P/R ${f(up?.precision ?? 0, 2)}/${f(up?.recall ?? 0, 2)}, down P/R ${f(down?.precision ?? 0, 2)}/${f(down?.recall ?? 0, 2)}`,
  };
};

/** Our two forest engines, timed the same way. */
function runOurs(
  engine: 'fast' | 'ml-random-forest',
  config: string,
  paramsOf: { regression: ForestParams; classification: ForestParams },
): void {
  for (const task of ['regression', 'classification'] as const) {
    const params = paramsOf[task];
    const classes = task === 'regression' ? 0 : 3;
    const y = task === 'regression' ? yReg : yCls;
    const started = process.hrtime.bigint();
    const forest =
      engine === 'fast'
        ? FastRandomForest.train(X, y, classes, params)
        : MlRandomForest.train(X, y, classes, params);
    const fitSeconds = seconds(started);
    const predict = (x: Float64Array): number => {
      if (classes === 0) {
        const m = forest.members(x);
        return m.reduce((a, b) => a + b, 0) / m.length;
      }
      const { votes } = forest.classify(x);
      return votes.indexOf(Math.max(...votes));
    };
    const predictions = Xt.map(predict);
    const latency = Xt.slice(0, 1000).map((x) => {
      const t = process.hrtime.bigint();
      predict(x);
      return Number(process.hrtime.bigint() - t) / 1e3;
    });
    const scored = task === 'regression' ? scoreRegression(predictions) : scoreClassification(predictions);
    sides.push({ engine, config, task, fitSeconds, p50: pct(latency, 50), p99: pct(latency, 99), ...scored });
    console.error(`${engine} ${config} ${task}: ${f(fitSeconds, 2)} s`);
  }
}

/** Forest settings in both vocabularies: ours and scikit-learn's. */
const maxFeaturesCls = Math.round(Math.sqrt(features)) / features;
const configs = {
  reference: {
    about:
      '50 trees, max depth 10, otherwise scikit-learn defaults (all features per split for regression, sqrt for classification, full bootstrap, leaves of 1)',
    regression: { nEstimators: 50, maxDepth: 10, minSamplesLeaf: 1, maxFeatures: 1, maxSamples: 1, seed: 7 },
    classification: {
      nEstimators: 50,
      maxDepth: 10,
      minSamplesLeaf: 1,
      maxFeatures: maxFeaturesCls,
      maxSamples: 1,
      seed: 7,
    },
  },
  default: {
    about:
      'the training defaults: 100 trees, depth 10, leaves of at least 20, a third of the features per split, bootstraps of half the rows',
    regression: DEFAULT_TRAIN_SETTINGS.regressionForest,
    classification: DEFAULT_TRAIN_SETTINGS.classificationForest,
  },
} as const;
const sklearnParams = (p: ForestParams, classification: boolean): Record<string, unknown> => ({
  n_estimators: p.nEstimators,
  max_depth: p.maxDepth,
  min_samples_leaf: p.minSamplesLeaf,
  max_features: classification && p.maxFeatures === maxFeaturesCls ? 'sqrt' : p.maxFeatures,
  max_samples: p.maxSamples === 1 ? null : p.maxSamples,
  n_jobs: 1,
});

out('# ML stage: forests side by side, training, calibration and tiers, signals throughput');
out();
out(
  `Command: \`npm run bench:ml\` on Node ${process.version}, ${process.platform}, this project's 2-core machine. Data: \`${FILE}\` ` +
    `(${bars.length} bars), ${features} features, horizon ${DEFAULT_TRAIN_SETTINGS.horizonBars} bars, walk-forward split: ` +
    `${data.train.length} training rows, ${data.test.length} test rows (the latest 25%, after an embargo of the horizon).`,
);
out();

// 1. Where ml-random-forest spends its time.
if (!skipMl) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const n = 2000;
  const started = process.hrtime.bigint();
  MlRandomForest.train(X.slice(0, n), yReg.slice(0, n), 0, {
    ...configs.reference.regression,
    nEstimators: 5,
  });
  const took = seconds(started);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const node = byId.get(id);
    const frame = node?.callFrame;
    const key =
      frame === undefined
        ? '?'
        : `${frame.functionName || '(anonymous)'} (${frame.url.split('/').slice(-2).join('/')})`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0));
    total += deltas[i] ?? 0;
  });
  out('## Where ml-random-forest spends its time');
  out();
  out(
    `A CPU profile of ml-random-forest training 5 regression trees (depth 10, all ${features} features) on ${n} rows: ${f(took, 2)} s. Self time by function:`,
  );
  out();
  out('| function | self time |');
  out('|---|---|');
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 6))
    out(`| \`${key}\` | ${f((t / total) * 100, 1)}% |`);
  out();
  const scaling: string[] = [];
  for (const rows of [500, 1000, 2000]) {
    const t = process.hrtime.bigint();
    MlRandomForest.train(X.slice(0, rows), yReg.slice(0, rows), 0, {
      ...configs.reference.regression,
      nEstimators: 3,
    });
    scaling.push(`${rows} rows ${f(seconds(t), 2)} s`);
  }
  out(
    `Training time for 3 trees grows with the square of the rows: ${scaling.join(', ')}. ml-cart's \`bestSplit\` sorts each ` +
      "feature, then for every candidate threshold (every distinct value, for a continuous target) splits the node's samples " +
      'into new arrays and recomputes the squared error of both sides: O(n) work per candidate, O(n²) per feature and node. ' +
      'V8 inlines that search into `bestSplit` and `train`, which is why both lead the profile; the arrays allocated for ' +
      'every candidate keep the garbage collector busy.',
  );
  out();
}

// 2. The forests side by side.
for (const [name, config] of Object.entries(configs)) runOurs('fast', name, config);
// ml-random-forest needs ~25 s per regression tree on these 7,949 rows (quadratic split search):
// it trains 10 trees of the reference configuration, next to ours with the same 10 trees.
const tenTrees = {
  regression: { ...configs.reference.regression, nEstimators: 10 },
  classification: { ...configs.reference.classification, nEstimators: 10 },
};
if (!skipMl) {
  runOurs('fast', 'reference, 10 trees', tenTrees);
  runOurs('ml-random-forest', 'reference, 10 trees', tenTrees);
}

let sklearnVersion = '';
if (!skipSklearn) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ml-'));
  const header = [...Array.from({ length: features }, (_, i) => `f${i}`), 'y_reg', 'y_cls'].join(',');
  const csv = (rows: typeof data.train): string =>
    [header, ...rows.map((r) => [...Array.from(r.features.inputs), r.changePct, r.trend].join(','))].join(
      '\n',
    );
  writeFileSync(join(dir, 'train.csv'), csv(data.train));
  writeFileSync(join(dir, 'test.csv'), csv(data.test));
  const sk = [
    ...Object.entries(configs),
    ...(skipMl ? [] : [['reference, 10 trees', tenTrees] as const]),
  ].map(([name, c]) => ({
    name,
    regression: sklearnParams(c.regression, false),
    classification: sklearnParams(c.classification, true),
  }));
  writeFileSync(join(dir, 'configs.json'), JSON.stringify(sk));
  const result = runPythonPeer<{
    sklearn: string;
    runs: Array<{
      config: string;
      task: 'regression' | 'classification';
      fitSeconds: number;
      latencyUs: number[];
      batchPredictUsPerRow: number;
      predictions: number[];
    }>;
  }>('ml', 'sklearn_forest.py', [dir, join(dir, 'configs.json')]);
  sklearnVersion = result.sklearn;
  for (const run of result.runs) {
    const scored =
      run.task === 'regression' ? scoreRegression(run.predictions) : scoreClassification(run.predictions);
    sides.push({
      engine: 'scikit-learn',
      config: run.config,
      task: run.task,
      fitSeconds: run.fitSeconds,
      p50: pct(run.latencyUs, 50),
      p99: pct(run.latencyUs, 99),
      ...scored,
      extra: `${scored.extra}; batch ${f(run.batchPredictUsPerRow, 1)} µs/row`,
    });
  }
}

out('## Random forests side by side (same features, same split)');
out();
for (const [name, config] of Object.entries(configs)) out(`- \`${name}\`: ${config.about}.`);
if (!skipMl)
  out(
    '- `reference, 10 trees`: the reference with 10 trees, for ml-random-forest, which needs about 25 s per regression tree here.',
  );
out();
out(
  'Score: out-of-sample R² of the 4 h percent change (regression), accuracy of the up/flat/down class (classification). Latency: one row at a time, µs.',
);
out();
out('| engine | config | task | training s | predict p50 µs | predict p99 µs | score | detail |');
out('|---|---|---|---|---|---|---|---|');
const order = (s: Side): string =>
  `${s.config}/${s.task}/${s.engine === 'fast' ? 0 : s.engine === 'scikit-learn' ? 1 : 2}`;
for (const s of [...sides].sort((a, b) => order(a).localeCompare(order(b)))) {
  out(
    `| ${s.engine} | ${s.config} | ${s.task} | ${f(s.fitSeconds, 2)} | ${f(s.p50, 1)} | ${f(s.p99, 1)} | ${f(s.score)} | ${s.extra} |`,
  );
}
out();
if (sklearnVersion !== '')
  out(`scikit-learn ${sklearnVersion}, \`n_jobs=1\` (one core, like ours), \`random_state=7\`.`);
out();

// 3. The default training run.
const modelsDir = mkdtempSync(join(tmpdir(), 'bench-ml-models-'));
const trainStart = process.hrtime.bigint();
const trainCpu = process.cpuUsage();
const trained = trainModels({ bars, modelsDir });
const trainSeconds = seconds(trainStart);
const trainCpuSeconds = ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(trainCpu));
out('## Default training run');
out();
out(
  `\`trainDefaultModels\` on the whole file (${trained.length} models, features computed once, each model fitted, ` +
    `calibrated and validated: calibration compared, tiers, baselines, permutation importance): ${f(trainSeconds, 2)} s in all ` +
    `(${f(trainCpuSeconds, 2)} s of CPU).`,
);
out();
out(
  '| model | training s | R² (reported) | MAE (reported) | signal accuracy | always HOLD | BUY / SELL | Brier raw → served | ECE raw → served | tiers ≥ 0.8 / 0.6–0.8 (BUY+SELL signals, right) |',
);
out('|---|---|---|---|---|---|---|---|---|---|');
for (const { artifact } of trained) {
  const r2 = artifact.target === 'price' ? artifact.metrics.r2Price : artifact.metrics.r2;
  const mae =
    artifact.target === 'price'
      ? `${f(artifact.metrics.mae, 1)} USDT`
      : `${f(artifact.metrics.maeChangePct)} pp`;
  const v = artifact.validation;
  const raw = v?.comparison.find((c) => c.method === 'raw');
  const served = v?.comparison.find((c) => c.method === artifact.calibration?.method) ?? raw;
  const perClass = artifact.metrics.signal.perClass;
  const tiers = (v?.tiers ?? [])
    .slice(0, 2)
    .map((t) => `${t.signals}, ${t.right}`)
    .join(' / ');
  out(
    `| ${artifact.version} | ${f(artifact.training.seconds, 2)} | ${f(r2)} | ${mae} | ${f(artifact.metrics.signal.accuracy)} | ${f(artifact.baselines.lastPrice.signal.accuracy)} | ` +
      `${perClass[2]?.predicted ?? 0} / ${perClass[0]?.predicted ?? 0} | ${f(raw?.brier ?? Number.NaN, 4)} → ${f(served?.brier ?? Number.NaN, 4)} | ` +
      `${f(raw?.ece ?? Number.NaN, 4)} → ${f(served?.ece ?? Number.NaN, 4)} | ${tiers} |`,
  );
}
out();

// 3b. Calibration, tiers and baselines over purged walk-forward folds, ours and scikit-learn's.
if (!skipCalibration) calibrationSection();

// 4. Signals processor throughput.
const artifacts = [...latestArtifacts(modelsDir).values()].map((s) => readArtifact(s.path));
out('## Signals processor throughput');
out();
out(
  `The pure engine in-process over all ${bars.length} bars (features, prediction, MlSignal), one model at a time, then all together; then the runner on the embedded log (decode, validate, engine, encode, append with the offsets).`,
);
out();
out('| models | bars/s | signals |');
out('|---|---|---|');
for (const set of [...artifacts.map((a) => [a]), artifacts]) {
  const engine = createSignalEngine(set);
  let signals = 0;
  const t = process.hrtime.bigint();
  for (const bar of bars) signals += engine.onBar(bar).length;
  const s = seconds(t);
  out(
    `| ${set.length === 1 ? (set[0]?.version ?? '') : `all ${set.length}`} | ${f(bars.length / s, 0)} | ${signals} |`,
  );
}
const config = loadConfig({
  env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-ml-log-')), LOG_LEVEL: 'silent' },
});
const runtime = openEmbeddedRuntime(config);
await prepareRuntime(runtime, config);
const serde = await AvroSerde.create(runtime.registry);
for (let i = 0; i < bars.length; i += 5000)
  await runtime.log.append([
    {
      topic: MARKET_DATA,
      records: bars
        .slice(i, i + 5000)
        .map((bar) => ({ key: bar.symbol, value: serde.encode(MARKET_DATA, bar), timestamp: bar.timestamp })),
    },
  ]);
const runStart = process.hrtime.bigint();
const processor = await startSignalsProcessor({
  log: runtime.log,
  serde,
  logger: createLogger('silent'),
  clock: streamClock(),
  modelsDir,
  snapshotDir: mkdtempSync(join(tmpdir(), 'bench-ml-windows-')),
});
while (processor.stats().bars < bars.length) await new Promise((resolve) => setTimeout(resolve, 20));
const runSeconds = seconds(runStart);
const stats = processor.stats();
await processor.stop();
await runtime.close();
out(
  `| runner on the embedded log, all ${artifacts.length} | ${f(bars.length / runSeconds, 0)} | ${stats.signals} |`,
);
out();

out(
  `Load average (1 min) at the start ${f(startLoad, 2)}, at the end ${f(loadavg()[0] ?? 0, 2)} on 2 cores: other jobs on the ` +
    'machine make absolute seconds noisy; rows measured one after the other compare better.',
);
writeFileSync('bench/results/ml.md', `${lines.join('\n')}\n`);
console.error('wrote bench/results/ml.md');

/** Mean ± sd of a score over folds. */
function spreadText(values: readonly number[], digits = 4): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const sd =
    finite.length > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1)) : 0;
  return `${f(mean, digits)} ± ${f(sd, digits)}`;
}

function intervalText(r: MeanInterval): string {
  if (r.n === 0) return 'no BUY';
  return Number.isFinite(r.low)
    ? `${f(r.mean, 2)} [${f(r.low, 2)}, ${f(r.high, 2)}] (${r.n})`
    : `${f(r.mean, 2)} (${r.n})`;
}

function rightOf(s: readonly JudgedSignal[]): number[] {
  return s.map((x) => (x.trend === x.actual ? 1 : 0));
}

function tiersText(signals: readonly JudgedSignal[]): string {
  return scoreTiers(
    signals
      .filter((s) => s.trend !== FLAT)
      .map((s) => ({ confidence: s.confidence, right: s.trend === s.actual })),
  )
    .map((t) => (t.signals === 0 ? '0' : `${t.signals}: ${f(t.hitRate * 100, 0)}%`))
    .join(' / ');
}

interface CalibrationRun {
  labels: Labels;
  model: string;
  engine: 'ours' | 'scikit-learn' | "ours, scikit-learn's folds";
  /** Per method, the test signals of every fold. */
  folds: Array<Partial<Record<'raw' | 'isotonic' | 'platt', JudgedSignal[]>>>;
  baselines?: Array<Record<'alwaysHold' | 'maRsiRule' | 'random', JudgedSignal[]>>;
}

function calibrationSection(): void {
  const runs: CalibrationRun[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'bench-ml-cal-'));
  let foldsJson = '';
  let rowsCsv = '';
  let foldRows: ReturnType<typeof purgedFolds> = [];
  for (const labels of ['band', 'barrier'] as const) {
    const settings = { ...DEFAULT_TRAIN_SETTINGS, labels };
    const prepared = prepareData(bars, settings);
    foldRows = purgedFolds(prepared.rows, {
      folds: CV_FOLDS,
      embargoMs: settings.horizonBars * prepared.definition.intervalMs,
    });
    if (labels === 'band') {
      const index = new Map(prepared.rows.map((r, i) => [r.features.timestamp, i]));
      const at = (rows: readonly LabeledRow[]): number[] =>
        rows.map((r) => index.get(r.features.timestamp) as number);
      foldsJson = JSON.stringify(
        foldRows.map((fold) => {
          const split = walkForwardSplit(fold.train, settings.calibrationShare);
          return { fit: at(split.train), calibration: at(split.test), test: at(fold.test) };
        }),
      );
      const header = [...Array.from({ length: features }, (_, i) => `f${i}`), 'band', 'barrier'].join(',');
      rowsCsv = [
        header,
        ...prepared.rows.map((r) =>
          [...Array.from(r.features.inputs), r.bandTrend, r.barrierTrend].join(','),
        ),
      ].join('\n');
    }
    for (const spec of DEFAULT_MODEL_SPECS) {
      if (labels === 'barrier' && spec.target !== 'trend') continue;
      const started = process.hrtime.bigint();
      const run: CalibrationRun = {
        labels,
        model: `${spec.model}:${spec.target}`,
        engine: 'ours',
        folds: [],
        baselines: [],
      };
      for (const fold of foldRows) {
        const predictions = calibratedPredictions(spec, fold.train, fold.test, settings);
        run.folds.push(predictions);
        const rule = calibratedPredictions(
          { model: 'ma_rsi_rule', target: spec.target },
          fold.train,
          fold.test,
          settings,
        );
        const outcomes = predictions.raw.map((s) => ({ actual: s.actual, tradeReturnPct: s.tradeReturnPct }));
        const shares = [0, 1, 2].map(
          (k) =>
            fold.train.filter((r) => (spec.target === 'trend' ? r.trend : r.bandTrend) === k).length /
            fold.train.length,
        );
        run.baselines?.push({
          alwaysHold: alwaysHold(outcomes, shares[FLAT] as number),
          maRsiRule: rule.raw,
          random: randomAtRate(outcomes, scoreSignals(predictions.isotonic), shares),
        });
      }
      runs.push(run);
      console.error(`calibration ${labels} ${run.model}: ${f(seconds(started), 1)} s`);
    }
  }
  let sklearnVersion = '';
  let skipped: string[] = [];
  if (!skipSklearn) {
    writeFileSync(join(folder, 'rows.csv'), rowsCsv);
    writeFileSync(join(folder, 'folds.json'), foldsJson);
    const started = process.hrtime.bigint();
    const result = runPythonPeer<{
      sklearn: string;
      runs: Array<{
        labels: Labels;
        fold: number;
        model: string;
        raw?: [number[], number[]];
        isotonic: [number[], number[]];
        sigmoid: [number[], number[]];
      }>;
      skipped: Array<{ labels: Labels; fold: number; model: string }>;
    }>('ml', 'sklearn_calibrated.py', [folder]);
    console.error(`scikit-learn calibrated: ${f(seconds(started), 1)} s`);
    sklearnVersion = result.sklearn;
    skipped = result.skipped.map((x) => `${x.labels} ${x.model} fold ${x.fold + 1}`);
    for (const labels of ['band', 'barrier'] as const) {
      const prepared = prepareData(bars, { ...DEFAULT_TRAIN_SETTINGS, labels });
      const folds = purgedFolds(prepared.rows, {
        folds: CV_FOLDS,
        embargoMs: DEFAULT_TRAIN_SETTINGS.horizonBars * prepared.definition.intervalMs,
      });
      for (const model of ['random_forest', 'logistic_regression', 'svm']) {
        const run: CalibrationRun = { labels, model: `${model}:trend`, engine: 'scikit-learn', folds: [] };
        const ours = runs.find((x) => x.engine === 'ours' && x.labels === labels && x.model === run.model);
        const same: CalibrationRun = { ...run, engine: "ours, scikit-learn's folds", folds: [] };
        for (const [k, fold] of folds.entries()) {
          const r = result.runs.find((x) => x.labels === labels && x.fold === k && x.model === model);
          if (r === undefined) continue;
          const mine = ours?.folds[k];
          if (mine !== undefined) same.folds.push(mine);
          const judge = (pair: [number[], number[]] | undefined): JudgedSignal[] | undefined =>
            pair === undefined
              ? undefined
              : fold.test.map((row, i) => ({
                  trend: pair[0][i] as number,
                  confidence: pair[1][i] as number,
                  actual: row.trend,
                  tradeReturnPct: row.tradeReturnPct,
                }));
          const raw = judge(r.raw);
          run.folds.push({
            ...(raw === undefined ? {} : { raw }),
            isotonic: judge(r.isotonic) ?? [],
            platt: judge(r.sigmoid) ?? [],
          });
        }
        runs.push(run);
        if (same.folds.length < CV_FOLDS) runs.push(same);
      }
    }
  }

  out(`## Calibration, confidence tiers and baselines (${CV_FOLDS} purged walk-forward folds)`);
  out();
  out(
    `All labelled rows cut into ${CV_FOLDS + 1} time blocks; fold k tests block k + 1 with a model fitted on the rows before it, ` +
      `training rows whose ${DEFAULT_TRAIN_SETTINGS.horizonBars}-bar label reaches into the block purged. In each fold the latest 20% of the ` +
      'training rows (purged the same way) are held out for calibration and the model is fitted on the rest, with balanced classes. ' +
      "Ours: top-label calibration (the chosen class's raw confidence mapped to the probability of being right, per class). " +
      'scikit-learn: the same rows, `class_weight="balanced"`, `CalibratedClassifierCV(FrozenEstimator(model), method=isotonic|sigmoid)` ' +
      'fitted on the calibration rows (one-vs-rest per class, normalized; the class is the argmax, the confidence its probability). ' +
      'Brier and ECE (10 bins) of the confidence as the probability that the signal is right, on every test row, mean ± sd over the folds. ' +
      'Labels: `band` (±1.5% at 48 bars) and `barrier` (take-profit +5% before stop-loss −2% within 48 bars, from the high and low of each bar).',
  );
  out();
  out(
    '| labels | model | engine | folds | Brier raw | Brier isotonic | Brier Platt | ECE raw | ECE isotonic | ECE Platt |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  const score = (run: CalibrationRun, method: 'raw' | 'isotonic' | 'platt', which: 'brier' | 'ece'): string =>
    spreadText(
      run.folds.map((fold) => {
        const s = fold[method];
        if (s === undefined) return Number.NaN;
        const conf = s.map((x) => x.confidence);
        return which === 'brier' ? brierScore(conf, rightOf(s)) : expectedCalibrationError(conf, rightOf(s));
      }),
    );
  for (const run of runs)
    out(
      `| ${run.labels} | ${run.model} | ${run.engine} | ${run.folds.length} | ${score(run, 'raw', 'brier')} | ${score(run, 'isotonic', 'brier')} | ${score(run, 'platt', 'brier')} | ` +
        `${score(run, 'raw', 'ece')} | ${score(run, 'isotonic', 'ece')} | ${score(run, 'platt', 'ece')} |`,
    );
  out();
  out(
    'Tiers, all folds pooled, isotonic: BUY and SELL signals with a confidence ≥ 0.8 / 0.6–0.8 / < 0.6, and the share of them that were right ' +
      '(a tier is earned when that share reaches its lower bound on at least 20 signals).',
  );
  out();
  out('| labels | model | engine | BUY / SELL signals | tiers ≥ 0.8 / 0.6–0.8 / < 0.6 | earned |');
  out('|---|---|---|---|---|---|');
  for (const run of runs) {
    const pooled = run.folds.flatMap((fold) => fold.isotonic ?? []);
    const tiers = scoreTiers(
      pooled
        .filter((s) => s.trend !== FLAT)
        .map((s) => ({ confidence: s.confidence, right: s.trend === s.actual })),
    );
    const earned = tiers.filter((t) => t.verdict.startsWith('earned')).map((t) => t.label);
    const buys = pooled.filter((s) => s.trend === 2).length;
    const sells = pooled.filter((s) => s.trend === 0).length;
    out(
      `| ${run.labels} | ${run.model} | ${run.engine} | ${buys} / ${sells} | ${tiersText(pooled)} | ${earned.length === 0 ? 'none' : earned.join(', ')} |`,
    );
  }
  out();
  out(
    'Against baselines on the same test rows (ours, isotonic). Accuracy: mean ± sd over the folds. BUY trade: a long entered at the ' +
      "signal bar's close and left at −2% / +5% or after 48 bars, before fees, all folds pooled: mean % [95% circular block bootstrap interval] (trades). " +
      'Random: BUY and SELL at random as often as the model, in each fold.',
  );
  out();
  out(
    '| labels | model | accuracy | BUY precision | BUY trade | always HOLD accuracy | MA/RSI rule accuracy | rule BUY trade | random accuracy | random BUY trade |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const run of runs) {
    if (run.baselines === undefined) continue;
    const model = run.folds.map((fold) => scoreSignals(fold.isotonic ?? []));
    const pooledBuys = (signals: JudgedSignal[][]): MeanInterval =>
      bootstrapMean(
        signals
          .flat()
          .filter((s) => s.trend === 2)
          .map((s) => s.tradeReturnPct),
      );
    const base = (k: 'alwaysHold' | 'maRsiRule' | 'random') => run.baselines?.map((b) => b[k]) ?? [];
    out(
      `| ${run.labels} | ${run.model} | ${spreadText(
        model.map((m) => m.accuracy),
        3,
      )} | ${spreadText(
        model.filter((m) => m.buys > 0).map((m) => m.buyPrecision),
        3,
      )} | ` +
        `${intervalText(pooledBuys(run.folds.map((fold) => fold.isotonic ?? [])))} | ${spreadText(
          base('alwaysHold').map((s) => scoreSignals(s).accuracy),
          3,
        )} | ` +
        `${spreadText(
          base('maRsiRule').map((s) => scoreSignals(s).accuracy),
          3,
        )} | ${intervalText(pooledBuys(base('maRsiRule')))} | ` +
        `${spreadText(
          base('random').map((s) => scoreSignals(s).accuracy),
          3,
        )} | ${intervalText(pooledBuys(base('random')))} |`,
    );
  }
  out();
  if (sklearnVersion !== '')
    out(
      `scikit-learn ${sklearnVersion}; LinearSVC has no uncalibrated probability (raw: –).` +
        (skipped.length === 0
          ? ''
          : ` Left out where scikit-learn refuses to fit or calibrate (one class only in the fitting rows, or a class absent from the calibration rows; ours falls back to the pooled map): ${skipped.join(', ')}.`),
    );
  out();
}
