import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/run-backtest.ts';
import {
  expandGrid,
  parseGridAxis,
  prepareSweep,
  replayEnvOf,
  RowEvaluator,
  runSweep,
  startWorkerPool,
  type RowResult,
  type SweepResult,
} from '../../../src/backtest/sweep/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { silentLogger } from '../../support/runtimes.ts';

const FIXTURE = new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url);
/** The rule, with no cooldown so that more trades fall in each period. */
const ENV = { ML_MODELS: 'ma_rsi_rule:trend', DECISION_COOLDOWN_MS: '0' };
const GRID = [parseGridAxis('stopLossPct=-1,-3'), parseGridAxis('takeProfitPct=2,6')];

/** The environment a printed replay command sets (the words before `npm`). */
const envOfCommand = (command: string): Record<string, string> =>
  Object.fromEntries(
    command
      .slice(0, command.indexOf(' npm '))
      .split(' ')
      .map((pair) => pair.split('=') as [string, string]),
  );

describe('a sweep over real BTCUSDT candles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cml-sweep-'));
  // The first 3,000 bars: trained on 1,500, 1,500 traded, the latest 30 % of them out of sample.
  const file = join(dir, 'BTCUSDT-5m.csv');
  writeFileSync(file, readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3_001).join('\n'));
  const config = loadConfig({ env: { ...ENV, CML_DATA_DIR: dir } });
  const options = {
    config,
    file,
    trainShare: 0.5,
    outOfSampleShare: 0.3,
    combinations: expandGrid(GRID),
  };
  const backtestOf = (env: Record<string, string>, out: string) =>
    runBacktest({
      config: loadConfig({ env: { ...ENV, ...env, CML_DATA_DIR: dir } }),
      logger: silentLogger,
      files: [file],
      outDir: join(dir, out),
      trainShare: 0.5,
    });
  let inThread: SweepResult;

  beforeAll(async () => {
    inThread = await runSweep({ ...options, workers: 0, outDir: join(dir, 'in-thread') });
  }, 120_000);

  it(
    'of 2 settings x 2 values gives, row for row, the figures of 4 separate backtests',
    { timeout: 300_000 },
    async () => {
      const { rows } = inThread.report;
      expect(rows.map((r) => r.values)).toEqual(expandGrid(GRID));
      for (const row of rows) {
        const backtest = await backtestOf(replayEnvOf(row), `backtest-${row.id}`);
        expect(row.full).toEqual(backtest.report.metrics);
        expect(row.orderEvents).toBe(backtest.orders.length);
      }
      // The settings reach the trades: four different outcomes.
      expect(new Set(rows.map((r) => r.full.finalEquity)).size).toBe(4);
    },
  );

  it('trades a row as the printed backtest command does, trade for trade', { timeout: 120_000 }, async () => {
    const row = inThread.report.rows[1];
    if (row === undefined) throw new Error('no row');
    const backtest = await backtestOf(envOfCommand(row.command), 'replay');
    const prepared = prepareSweep(options);
    const trades = new RowEvaluator(prepared.context).trades(prepared.plan.rows[1] as never);
    expect(trades.length).toBeGreaterThan(5);
    expect(trades).toEqual(backtest.report.trades);
  });

  it('chooses in sample and measures the choice on the later bars', () => {
    const { report } = inThread;
    const { inSample, outOfSample } = report.periods;
    expect(inSample.bars).toBe(Math.round(1_500 * 0.7));
    expect(inSample.bars + outOfSample.bars).toBe(1_500);
    expect(outOfSample.from).toBeGreaterThan(inSample.to);
    for (const row of report.rows) {
      expect(row.inSample.bars + row.outOfSample.bars).toBe(row.full.bars);
      expect(row.inSample.trades + row.outOfSample.trades).toBe(row.full.trades);
      expect(row.inSample.feesPaid + row.outOfSample.feesPaid).toBeCloseTo(row.full.feesPaid, 9);
      // The out-of-sample run goes on from the in-sample equity: the returns compound to the whole.
      const compounded = (1 + row.inSample.totalReturnPct / 100) * (1 + row.outOfSample.totalReturnPct / 100);
      expect(compounded).toBeCloseTo(1 + row.full.totalReturnPct / 100, 12);
    }
    const best = Math.max(...report.rows.map((r) => r.inSample.totalReturnPct));
    expect(report.chosen.inSample.totalReturnPct).toBe(best);
    expect(report.combinations).toBe(4);
  });

  it('gives the same rows on worker threads as in one thread', { timeout: 120_000 }, async () => {
    const threaded = await runSweep({ ...options, workers: 2, workersFrom: 0, outDir: join(dir, 'threads') });
    expect(threaded.report.rows).toEqual(inThread.report.rows);
    expect(threaded.report.run.workers).toBe(2);
    // The workers alone, one row per batch, this thread trading none.
    const { plan, context } = prepareSweep(options);
    const pool = startWorkerPool(2, { batchSize: 1, tradeHere: false });
    const results: RowResult[] = [];
    try {
      await pool.withContext(context).run(plan.rows, (result) => results.push(result));
    } finally {
      await pool.close();
    }
    const expected = inThread.report.rows.map(({ id, inSample, outOfSample, full, orderEvents }) => ({
      id,
      inSample,
      outOfSample,
      full,
      orderEvents,
    }));
    expect(results.sort((a, b) => a.id - b.id)).toEqual(expected);
    // This thread and the workers, two runs on one runner: an answer left over from the first
    // run (this thread traded its rows first) is not taken for the second's.
    const shared = startWorkerPool(2, { batchSize: 1 });
    try {
      const runner = shared.withContext(context);
      for (const rows of [plan.rows.slice(0, 2), plan.rows]) {
        const got: RowResult[] = [];
        await runner.run(rows, (result) => got.push(result));
        expect(got.sort((a, b) => a.id - b.id)).toEqual(
          expected.filter((r) => rows.some((row) => row.id === r.id)),
        );
      }
    } finally {
      await shared.close();
    }
  });

  it('fails the run, naming the cause, when a row cannot be traded, in a worker or in this thread', async () => {
    const { plan, context } = prepareSweep(options);
    const broken = { ...context, artifacts: {} };
    for (const tradeHere of [false, true]) {
      const pool = startWorkerPool(1, { tradeHere });
      try {
        await expect(pool.withContext(broken).run(plan.rows, () => undefined)).rejects.toThrow(
          tradeHere ? /no artifacts for tape/ : /a sweep worker failed: .*no artifacts for tape/,
        );
      } finally {
        await pool.close();
      }
    }
  });

  it('leaves the worker threads unstarted when the sweep is shorter than their start', async () => {
    const short = await runSweep({ ...options, workers: 2, outDir: join(dir, 'short') });
    expect(short.report.run.workers).toBe(0);
    expect(short.report.run.where).toBe(
      'one thread (too short a sweep for worker threads to repay their start)',
    );
    expect(short.report.rows).toEqual(inThread.report.rows);
  });

  it('writes the results table and a report with the heatmap and the count of combinations tried', () => {
    const html = readFileSync(inThread.htmlPath, 'utf8');
    const heatmaps = html.match(/<table class="heatmap">[\s\S]*?<\/table>/g) ?? [];
    expect(heatmaps).toHaveLength(2);
    // 2 x 2 cells with a value and a colour each, under a header of the x values.
    expect(heatmaps[0]?.match(/<td style="background:rgba/g)).toHaveLength(4);
    expect(heatmaps[0]).toContain('<th>takeProfitPct \\ stopLossPct</th>');
    expect(html).toContain('<b>4 combinations</b>');
    expect(html).toContain(inThread.report.chosen.command);
    expect(html).toMatch(/[\d,]+ bar-combinations\/s/);
    const csv = readFileSync(inThread.csvPath, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toMatch(/^id,models,stopLossPct,takeProfitPct,is_totalReturnPct,/);
    const json = JSON.parse(readFileSync(inThread.jsonPath, 'utf8')) as {
      rows: unknown[];
      combinations: number;
    };
    expect(json.rows).toHaveLength(4);
    expect(json.combinations).toBe(4);
  });
});
