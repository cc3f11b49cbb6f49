/**
 * A sweep's throughput in bar-combinations per second (bars traded x rows / seconds of the sweep
 * phase: tapes built, rows traded, measured): the MA/RSI rule on the bundled 5 m file, three grids
 * (1,000 and 4,000 decision settings on one signal tape; 900 rows over 9 pairs of the rule's
 * thresholds, 9 tapes), each run as `cml sweep` runs it by default, in one thread, and in this
 * thread with a worker thread per other core. One untimed sweep first warms the code up; then
 * the three ways take turns, 3 runs each, median shown. Also the CPU time the process used (all
 * threads), so the figure can be read on a busy machine.
 * Writes bench/results/sweep.md.
 *
 *   npm run bench:sweep
 */
import { median, medianBy } from './median.ts';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultWorkers,
  expandGrid,
  parseGridAxis,
  runSweep,
  type SweepOptions,
} from '../src/backtest/sweep/index.ts';
import { loadConfig } from '../src/config/index.ts';

const SHARED = '../shared/data/btcusdt-5m-2023-01-02_2023-02-09.csv';
const FIXTURE = 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv';
const FILE = existsSync(SHARED) ? SHARED : FIXTURE;
const STOPS = 'stopLossPct=-0.5,-1,-1.5,-2,-2.5,-3,-3.5,-4,-5,-6';
const TARGETS = 'takeProfitPct=1,2,3,4,5,6,7,8,9,10';
const GRIDS: readonly { readonly name: string; readonly grid: readonly string[] }[] = [
  { name: 'A', grid: [STOPS, TARGETS, 'buyThresholdPct=0.5,1.5', 'positionSizePct=5,10,15,20,25'] },
  {
    name: 'B',
    grid: [STOPS, TARGETS, 'buyThresholdPct=0.5,1,1.5,2', 'positionSizePct=5,10,15,20,25,30,35,40,45,50'],
  },
  { name: 'C', grid: [STOPS, TARGETS, 'buyRsiBelow=60,70,80', 'sellRsiAbove=70,80,90'] },
];
const RUNS = 3;
const WAYS = [
  { way: 'default', workers: defaultWorkers() },
  { way: 'one thread', workers: 0 },
  { way: 'with workers', workers: Math.max(1, defaultWorkers()), workersFrom: 0 },
] as const;

const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  console.log(line);
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'cml-bench-sweep-'));
const config = loadConfig({ env: { CML_DATA_DIR: dir, ML_MODELS: 'ma_rsi_rule:trend' } });
let runCount = 0;
const sweep = async (grid: readonly string[], extra: Pick<SweepOptions, 'workers' | 'workersFrom'>) => {
  const cpu = process.cpuUsage();
  const { report } = await runSweep({
    config,
    file: FILE,
    trainShare: 0.5,
    outOfSampleShare: 0.3,
    combinations: expandGrid(grid.map(parseGridAxis)),
    outDir: join(dir, `sweep-${runCount++}`),
    ...extra,
  });
  const used = process.cpuUsage(cpu);
  return { report, cpuSeconds: (used.user + used.system) / 1e6 };
};

out('# Sweep throughput');
out();
out(
  `${FILE.split('/').at(-1)}, the MA/RSI rule, trained on the first half, the second half traded (5,500 bars a row); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${new Date().toISOString().slice(0, 16)} UTC. Grids:`,
);
out();
for (const { name, grid } of GRIDS)
  out(
    `- ${name}: ${grid.map((g) => `\`--grid ${g}\``).join(' ')} (${expandGrid(grid.map(parseGridAxis)).length} rows)`,
  );
out();
await sweep(GRIDS[0]?.grid ?? [], { workers: 0 });
out(
  `Ways: **default** is \`cml sweep\` as it runs without \`--workers\` (${defaultWorkers()} worker thread(s) beside this one, started only for a sweep of at least 8M bar-combinations); **one thread** is \`--workers 0\`; **with workers** starts the worker threads whatever the size. A first untimed sweep warms the code up; the ways then take turns, ${RUNS} runs each.`,
);
out();
out(
  '| grid | rows | tapes | way | ran on | sweep seconds (median) | bar-combinations/s (median) | all runs (M/s) | CPU seconds (all threads, median) | bar-combinations per CPU-second |',
);
out('|---|---:|---:|---|---|---:|---:|---|---:|---:|');
for (const { name, grid } of GRIDS) {
  const runs = new Map<string, Awaited<ReturnType<typeof sweep>>[]>();
  for (let k = 0; k < RUNS; k++)
    for (const way of WAYS) {
      const { way: label, ...extra } = way;
      runs.set(label, [...(runs.get(label) ?? []), await sweep(grid, extra)]);
    }
  for (const { way } of WAYS) {
    const taken = runs.get(way) ?? [];
    const { report } = medianBy(taken, (t) => t.report.run.barCombinationsPerSecond);
    const cpuSeconds = median(taken.map((t) => t.cpuSeconds));
    out(
      `| ${name} | ${report.combinations} | ${report.tapes} | ${way} | ${report.run.where} | ${report.run.sweepSeconds.toFixed(2)} | ${fmt(report.run.barCombinationsPerSecond)} | ${taken.map((t) => (t.report.run.barCombinationsPerSecond / 1e6).toFixed(2)).join(', ')} | ${cpuSeconds.toFixed(1)} | ${fmt((report.run.barsTraded * report.combinations) / cpuSeconds)} |`,
    );
  }
}
out();
out(
  `Load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}. CPU seconds include training and the report.`,
);
writeFileSync('bench/results/sweep.md', `${lines.join('\n')}\n`);
