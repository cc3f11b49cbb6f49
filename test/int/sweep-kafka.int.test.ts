import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { expandGrid, parseGridAxis, runSweep } from '../../src/backtest/sweep/index.ts';
import { kafkaSweepRunner } from '../../src/backtest/sweep/distributed/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openRuntime } from '../../src/runtime/index.ts';
import { silentLogger, uniqueName } from '../support/runtimes.ts';

const FIXTURE = new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url);
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ENV = { ML_MODELS: 'ma_rsi_rule:trend', DECISION_COOLDOWN_MS: '0' };
const GRID = [parseGridAxis('stopLossPct=-0.5,-1,-2,-3'), parseGridAxis('takeProfitPct=1,2,4,6')];

interface Worker {
  readonly child: ChildProcess;
  /** Jobs it logged as done (their results may not be committed yet). */
  readonly done: string[];
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

/** A `cml sweep-worker` process; Node runs the CLI itself, so a SIGKILL reaches the worker. */
function startWorker(
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  onJob: (worker: Worker) => void,
): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--runtime', 'kafka', 'sweep-worker', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    },
  );
  const done: string[] = [];
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const worker: Worker = { child, done, exited };
  let buffered = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const job = /"job":"([^"]+)".*"msg":"sweep job done"/.exec(line);
      if (job !== null) {
        done.push(job[1] as string);
        onJob(worker);
      }
    }
  });
  return worker;
}

describe('a sweep spread over worker processes through Kafka', () => {
  it(
    "gives the local sweep's rows, row for row, with a worker SIGKILLed mid-job",
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cml-sweep-kafka-'));
      const file = join(dir, 'BTCUSDT-5m.csv');
      writeFileSync(file, readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3_001).join('\n'));
      const options = {
        file,
        trainShare: 0.5,
        outOfSampleShare: 0.3,
        combinations: expandGrid(GRID),
      };
      const local = await runSweep({
        ...options,
        config: loadConfig({ env: { ...ENV, CML_DATA_DIR: dir } }),
        workers: 0,
        outDir: join(dir, 'local'),
      });

      const kafkaEnv = {
        ...ENV,
        CML_DATA_DIR: dir,
        KAFKA_BROKERS: inject('kafkaBrokers'),
        SCHEMA_REGISTRY_URL: inject('registryUrl'),
        // A killed member leaves the group after 6 s (the broker's minimum), so its jobs move soon.
        KAFKA_SESSION_TIMEOUT_MS: '6000',
      };
      const name = uniqueName('sweep');
      const topics = { jobs: `${name}.jobs`, results: `${name}.results` };
      const args = [
        '--group',
        `${name}.workers`,
        '--jobs-topic',
        topics.jobs,
        '--results-topic',
        topics.results,
      ];
      const env = { ...process.env, ...kafkaEnv, LOG_LEVEL: 'info' };
      let killed: Worker | undefined;
      const workers = [0, 1].map(() =>
        startWorker(env, args, (worker) => {
          // The first worker to finish a job is killed at once: the rest of its batch is not committed.
          if (killed === undefined) {
            killed = worker;
            worker.child.kill('SIGKILL');
          }
        }),
      );
      const config = loadConfig({ env: { ...kafkaEnv, CML_RUNTIME: 'kafka' } });
      const runtime = await openRuntime(config, silentLogger);
      try {
        const distributed = await runSweep({
          ...options,
          config,
          workers: 0,
          remote: kafkaSweepRunner({ runtime, topics, rowsPerJob: 2 }),
          outDir: join(dir, 'kafka'),
        });
        expect(distributed.report.rows).toEqual(local.report.rows);
        expect(killed).toBeDefined();
        expect(await killed?.exited).toBe('SIGKILL');
        const survivor = workers.find((w) => w !== killed);
        expect(survivor?.done.length).toBeGreaterThan(0);
        const redone = (killed?.done ?? []).filter((job) => survivor?.done.includes(job));
        console.log(
          `sweep on Kafka: 16 rows in 8 jobs; the killed worker logged ${killed?.done.length} job(s) done, the survivor ${survivor?.done.length}, ${redone.length} redone after the kill; rows equal to the local sweep`,
        );
      } finally {
        for (const worker of workers) worker.child.kill('SIGTERM');
        await Promise.all(workers.map((w) => w.exited));
        await runtime.close();
      }
    },
  );
});
