/**
 * A sweep's throughput in bar-combinations per second (bars traded x rows / seconds of the sweep
 * phase: tapes built, rows traded, measured): the MA/RSI rule on the bundled 5 m file, a grid of
 * 1,000 decision settings, on worker threads (one per core) and in one thread. Also the CPU time
 * the process used (all threads), so the figure can be read on a busy machine.
 * Writes bench/results/sweep.md.
 *
 *   npm run bench:sweep
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWorkers, expandGrid, parseGridAxis, runSweep } from '../src/backtest/sweep/index.ts';
import { loadConfig } from '../src/config/index.ts';

const SHARED = '../shared/data/btcusdt-5m-2023-01-02_2023-02-09.csv';
const FIXTURE = 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv';
const FILE = existsSync(SHARED) ? SHARED : FIXTURE;
const GRID = [
  'stopLossPct=-0.5,-1,-1.5,-2,-2.5,-3,-3.5,-4,-5,-6',
  'takeProfitPct=1,2,3,4,5,6,7,8,9,10',
  'buyThresholdPct=0.5,1.5',
  'positionSizePct=5,10,15,20,25',
];

const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  console.log(line);
};

const dir = mkdtempSync(join(tmpdir(), 'cml-bench-sweep-'));
const config = loadConfig({ env: { CML_DATA_DIR: dir, ML_MODELS: 'ma_rsi_rule:trend' } });
const combinations = expandGrid(GRID.map(parseGridAxis));

out('# Sweep throughput');
out();
out(
  `${FILE.split('/').at(-1)}, the MA/RSI rule, ${combinations.length} combinations (${GRID.map((g) => `--grid ${g}`).join(' ')}), trained on the first half, the second half traded; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${new Date().toISOString().slice(0, 16)} UTC.`,
);
out();
out(
  '| run | rows | bars traded per row | sweep seconds | bar-combinations/s | CPU seconds (all threads) | bar-combinations per CPU-second |',
);
out('|---|---|---|---|---|---|---|');
for (const workers of [defaultWorkers(), 0]) {
  const cpu = process.cpuUsage();
  const { report } = await runSweep({
    config,
    file: FILE,
    trainShare: 0.5,
    outOfSampleShare: 0.3,
    combinations,
    workers,
    outDir: join(dir, `sweep-${workers}`),
  });
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const { run } = report;
  out(
    `| ${workers > 0 ? `${workers} worker threads` : 'one thread'} | ${report.combinations} | ${run.barsTraded} | ${run.sweepSeconds.toFixed(2)} | ${run.barCombinationsPerSecond.toLocaleString('en-US')} | ${cpuSeconds.toFixed(1)} | ${Math.round((run.barsTraded * report.combinations) / cpuSeconds).toLocaleString('en-US')} |`,
  );
}
out();
out(
  `Load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}. CPU seconds include training and the report.`,
);
writeFileSync('bench/results/sweep.md', `${lines.join('\n')}\n`);
