/**
 * How long the trainer service's default retrain takes, and what it costs the thread the
 * processors run on: the default models of `npm start` (five models and the MA/RSI rule, default
 * settings) fitted on a few thousand bars of the bundled 5 m file, once in the calling thread and
 * once in a worker thread, as the trainer does it, with the longest event-loop stall measured
 * meanwhile. Writes bench/results/retrain.md.
 *
 *   npm run bench:retrain
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_MODEL_SPECS, DEFAULT_TRAIN_SETTINGS, fitModels, readBarsFile } from '../src/ml/index.ts';
import { startTsWorker } from '../src/runtime/ts-worker.ts';
import type { TrainerWorkerReply } from '../streams/trainer/trainer-worker.ts';

const FIXTURE = 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv';
const SIZES = [2_000, 4_000, 8_000];
const specs = [...DEFAULT_MODEL_SPECS, { model: 'ma_rsi_rule', target: 'trend' } as const];
const all = readBarsFile(FIXTURE, 'BTCUSDT').bars;

const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  console.log(line);
};

/** Runs `work`, returning its wall seconds and the longest event-loop stall (ms) while it ran. */
async function measured(work: () => Promise<unknown>): Promise<{ seconds: number; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // The monitor's timer must be running before synchronous work starts, or it sees no stall.
  await new Promise((done) => setTimeout(done, 50));
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  // Let the monitor's timer run once after the work so a stall at its very end is counted.
  await new Promise((done) => setTimeout(done, 20));
  delay.disable();
  return { seconds, stallMs: delay.max / 1e6 };
}

out('# Retrain: the trainer service');
out();
out(
  `${FIXTURE.split('/').at(-1)}, ${specs.map((s) => `${s.model}:${s.target}`).join(', ')}; default settings (${DEFAULT_TRAIN_SETTINGS.classificationForest.nEstimators} trees, depth ${DEFAULT_TRAIN_SETTINGS.classificationForest.maxDepth}); ${cpus().length} cores, load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
out();
out(
  '| bars | in the calling thread: s | longest stall of its event loop: ms | in a worker thread: s | longest stall: ms |',
);
out('|---:|---:|---:|---:|---:|');
for (const size of SIZES) {
  const bars = all.slice(all.length - size);
  const inThread = await measured(() => Promise.resolve(fitModels({ bars, specs })));
  const inWorker = await measured(
    () =>
      new Promise<TrainerWorkerReply>((resolve, reject) => {
        const worker = startTsWorker(new URL('../streams/trainer/trainer-worker.ts', import.meta.url), {
          bars,
          specs,
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  out(
    `| ${size.toLocaleString('en-US')} | ${inThread.seconds.toFixed(2)} | ${inThread.stallMs.toFixed(0)} | ${inWorker.seconds.toFixed(2)} | ${inWorker.stallMs.toFixed(0)} |`,
  );
}
out();
out(
  'The worker thread includes its start (loading the code through tsx) and posting the bars and artifacts between threads.',
);
writeFileSync('bench/results/retrain.md', `${lines.join('\n')}\n`);
