import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  jobsOf,
  kafkaSweepRunner,
  startSweepWorker,
  SweepCodec,
  toRowRecord,
  fromRowRecord,
} from '../../../src/backtest/sweep/distributed/index.ts';
import { expandGrid, parseGridAxis, planSweep, runSweep } from '../../../src/backtest/sweep/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { openEmbeddedRuntime } from '../../../src/runtime/index.ts';
import { silentLogger } from '../../support/runtimes.ts';

const FIXTURE = new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url);
const ENV = { ML_MODELS: 'ma_rsi_rule:trend', DECISION_COOLDOWN_MS: '0' };
const GRID = [parseGridAxis('stopLossPct=-1,-3'), parseGridAxis('takeProfitPct=2,4,6')];

describe('sweep jobs and results', () => {
  const config = loadConfig({ env: ENV });
  const plan = planSweep(config, [config.ml.models], expandGrid(GRID));
  const sweep = { file: 'f.csv', trainShare: 0.5, outOfSampleShare: 0.3 };

  it('cut the rows into jobs in order, each named after the sweep and its first row', () => {
    const jobs = jobsOf('s1', sweep, plan.rows, 4, 1_000);
    expect(jobs.map((j) => [j.job_id, j.rows.map((r) => r.id)])).toEqual([
      ['s1/1', [1, 2, 3, 4]],
      ['s1/5', [5, 6]],
    ]);
    expect(jobs[0]?.rows[1]).toEqual({
      id: 2,
      models: ['ma_rsi_rule:trend'],
      values: { stopLossPct: -1, takeProfitPct: 4 },
    });
    expect(jobs[0]?.symbol).toBeNull();
  });

  it('go through Avro and the registry unchanged, an infinite profit factor included', async () => {
    const runtime = openEmbeddedRuntime(
      loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-codec-')) } }),
    );
    try {
      const codec = await SweepCodec.create(runtime.registry, { jobs: 'j', results: 'r' });
      const [job] = jobsOf('s1', sweep, plan.rows, 6, 1_000);
      expect(await codec.decodeJob(codec.encodeJob(job as never))).toEqual(job);
      const metrics = {
        from: 1,
        to: 2,
        bars: 3,
        initialEquity: 10_000,
        finalEquity: 10_100.5,
        totalReturnPct: 1.005,
        annualizedReturnPct: 12.3,
        buyAndHoldReturnPct: -0.4,
        sharpe: 1.2,
        sortino: 2.5,
        maxDrawdownPct: 0.7,
        winRatePct: 100,
        profitFactor: Number.POSITIVE_INFINITY,
        exposurePct: 12.5,
        trades: 2,
        feesPaid: 3.25,
        realizedPnl: 100.5,
      };
      const row = {
        id: 7,
        inSample: metrics,
        outOfSample: { ...metrics, sharpe: -0.1 },
        full: metrics,
        orderEvents: 10,
      };
      const result = {
        sweep_id: 's1',
        job_id: 's1/7',
        worker: 'w',
        finished_at: 5,
        rows: [toRowRecord(row)],
      };
      const decoded = await codec.decodeResult(codec.encodeResult(result));
      expect(decoded).toEqual(result);
      expect(fromRowRecord(decoded.rows[0] as never)).toEqual(row);
    } finally {
      await runtime.close();
    }
  });
});

describe('a sweep through the jobs topic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cml-sweep-jobs-'));
  const file = join(dir, 'BTCUSDT-5m.csv');
  writeFileSync(file, readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3_001).join('\n'));
  const config = loadConfig({ env: { ...ENV, CML_DATA_DIR: dir } });
  const options = { config, file, trainShare: 0.5, outOfSampleShare: 0.3, combinations: expandGrid(GRID) };

  it('gives the local rows when a worker of the group trades the jobs', { timeout: 120_000 }, async () => {
    const local = await runSweep({ ...options, workers: 0, outDir: join(dir, 'local') });
    const runtime = openEmbeddedRuntime(config);
    const topics = { jobs: 'worked.jobs', results: 'worked.results' };
    const worker = await startSweepWorker({ config, runtime, logger: silentLogger, topics, group: 'w' });
    try {
      const distributed = await runSweep({
        ...options,
        workers: 0,
        remote: kafkaSweepRunner({ runtime, topics, rowsPerJob: 2 }),
        outDir: join(dir, 'jobs'),
      });
      expect(distributed.report.rows).toEqual(local.report.rows);
    } finally {
      await worker.stop();
      await runtime.close();
    }
  });

  it('keeps one result per job when jobs are answered twice', { timeout: 120_000 }, async () => {
    const local = await runSweep({ ...options, workers: 0, outDir: join(dir, 'local-2') });
    const runtime = openEmbeddedRuntime({ ...config, dataDir: join(dir, 'twice') });
    const topics = { jobs: 'twice.jobs', results: 'twice.results' };
    const codec = await SweepCodec.create(runtime.registry, topics);
    let reported = 0;
    try {
      const distributed = await runSweep({
        ...options,
        workers: 0,
        // No worker: each job answered twice by hand, with the local figures, as soon as it is written.
        remote: kafkaSweepRunner({
          runtime,
          topics,
          rowsPerJob: 2,
          onJobsWritten: (sweepId) => {
            const answers = [1, 3, 5].flatMap((first) => {
              const rows = local.report.rows.filter((r) => r.id === first || r.id === first + 1);
              const result = {
                sweep_id: sweepId,
                job_id: `${sweepId}/${first}`,
                worker: 'test',
                finished_at: 1,
                rows: rows.map(toRowRecord),
              };
              return [result, result].map((r) => ({
                key: r.job_id,
                value: codec.encodeResult(r),
                timestamp: 1,
              }));
            });
            void runtime.log.append([{ topic: topics.results, records: answers }]);
          },
        }),
        outDir: join(dir, 'twice-out'),
        onProgress: (stage, done) => {
          if (stage === 'sweep' && done > 0) reported++;
        },
      });
      expect(distributed.report.rows).toEqual(local.report.rows);
      expect(reported).toBe(6);
    } finally {
      await runtime.close();
    }
  });
});
