/**
 * The ML stage side by side: our histogram random forest, ml-random-forest and scikit-learn's
 * RandomForest on the same features and the same walk-forward split of the shared BTCUSDT 5 m
 * file (training time, per-prediction latency p50/p99, out-of-sample scores), where
 * ml-random-forest spends its time (a CPU profile), the default training run, and the signals
 * processor's throughput with each model. Writes bench/results/ml.md.
 *
 *   npm run bench:ml [-- --skip-ml-random-forest] [-- --skip-sklearn]
 *
 * scikit-learn runs in bench/ml/.venv, created by bench/ml/setup.sh (pip, from PyPI) on first use.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { MARKET_DATA } from '../src/contracts/index.ts';
import { streamClock } from '../src/messaging/index.ts';
import {
  DEFAULT_TRAIN_SETTINGS,
  FastRandomForest,
  MlRandomForest,
  TREND_CLASSES,
  classificationMetrics,
  latestArtifacts,
  prepareData,
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

out('# ML stage: forests side by side, training, signals throughput');
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
  execFileSync('bash', ['bench/ml/setup.sh'], { stdio: 'inherit' });
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
  const result = JSON.parse(
    execFileSync(
      'bench/ml/.venv/bin/python',
      ['bench/ml/sklearn_forest.py', dir, join(dir, 'configs.json')],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    ),
  ) as {
    sklearn: string;
    runs: Array<{
      config: string;
      task: 'regression' | 'classification';
      fitSeconds: number;
      latencyUs: number[];
      batchPredictUsPerRow: number;
      predictions: number[];
    }>;
  };
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
const trained = trainModels({ bars, modelsDir });
const trainSeconds = seconds(trainStart);
out('## Default training run');
out();
out(
  `\`trainDefaultModels\` on the whole file (${trained.length} models, features computed once): ${f(trainSeconds, 2)} s in all.`,
);
out();
out('| model | training s | R² (reported) | MAE (reported) | signal accuracy | always HOLD |');
out('|---|---|---|---|---|---|');
for (const { artifact } of trained) {
  const r2 = artifact.target === 'price' ? artifact.metrics.r2Price : artifact.metrics.r2;
  const mae =
    artifact.target === 'price'
      ? `${f(artifact.metrics.mae, 1)} USDT`
      : `${f(artifact.metrics.maeChangePct)} pp`;
  out(
    `| ${artifact.version} | ${f(artifact.training.seconds, 2)} | ${f(r2)} | ${mae} | ${f(artifact.metrics.signal.accuracy)} | ${f(artifact.baselines.lastPrice.signal.accuracy)} |`,
  );
}
out();

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
