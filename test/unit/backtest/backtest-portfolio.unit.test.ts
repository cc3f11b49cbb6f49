import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest, type BacktestOptions } from '../../../src/backtest/run-backtest.ts';
import { loadConfig, type Config } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';
import { backtestCommand } from '../../../src/cli/commands/backtest.ts';
import { silentLogger } from '../../support/runtimes.ts';

const FIXTURE = new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url);

/**
 * A folder of two 5-minute files over the same period: the first 3,000 BTCUSDT bars, and an asset
 * near 0.0016 USDT whose bars are BTC's moves played backwards (so the two differ).
 */
function twoSymbols(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cml-portfolio-'));
  const lines = readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3_001);
  const data = join(dir, 'klines');
  mkdirSync(data);
  writeFileSync(join(data, 'BTCUSDT-5m.csv'), lines.join('\n'));
  const rows = lines.slice(1).map((line) => line.split(','));
  const closes = rows.map((r) => Number(r[4]));
  let price = 0.0016;
  const small = rows.map((r, i) => {
    const j = rows.length - 1 - i;
    const change = j > 0 ? (closes[j] as number) / (closes[j - 1] as number) - 1 : 0;
    const open = price;
    price *= 1 + change * 1.5;
    const high = Math.max(open, price) * 1.0005;
    const low = Math.min(open, price) * 0.9995;
    return [r[0], open, high, low, price, r[5]]
      .map((v) => (typeof v === 'number' ? v.toFixed(8) : v))
      .join(',');
  });
  writeFileSync(join(data, 'PEPEUSDT-5m.csv'), [lines[0], ...small].join('\n'));
  return dir;
}

function looseConfig(dir: string, models = 'random_forest:price_change,logistic_regression:trend'): Config {
  return loadConfig({
    env: {
      CML_DATA_DIR: dir,
      ML_BAND_PCT: '0.4',
      ML_MODELS: models,
      ML_TREES: '15',
      DECISION_BUY_THRESHOLD_PCT: '0.3',
      DECISION_MIN_CONFIDENCE: '0.3',
      DECISION_HIGH_CONFIDENCE: '0.5',
    },
  });
}

const options = (dir: string, overrides: Partial<BacktestOptions> = {}): BacktestOptions => ({
  config: looseConfig(dir),
  logger: silentLogger,
  files: [join(dir, 'klines')],
  outDir: join(dir, 'run'),
  trainShare: 0.5,
  ...overrides,
});

describe('a portfolio backtest over several symbols', () => {
  it(
    'trades them on one account, the same orders on both engines, with per-symbol figures that add up',
    { timeout: 240_000 },
    async () => {
      const dir = twoSymbols();
      const lockstep = await runBacktest(options(dir, { outDir: join(dir, 'lockstep') }));
      const pipeline = await runBacktest(options(dir, { outDir: join(dir, 'pipeline'), engine: 'pipeline' }));
      const report = lockstep.report;
      expect(report.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'PEPEUSDT']);
      for (const figures of report.symbols) expect(figures.trades + figures.openPositions).toBeGreaterThan(0);
      // Positions still open at the end are listed, marked at their symbol's last close.
      expect(report.open.length).toBeGreaterThan(0);
      for (const position of report.open)
        expect(position.markPrice).toBe(report.symbols.find((s) => s.symbol === position.symbol)?.lastClose);
      expect(pipeline.orders).toEqual(lockstep.orders);
      // The signals too: the tiers and windows count the same BUY/SELL signals on both engines.
      expect(pipeline.report.tiers).toEqual(report.tiers);
      expect(pipeline.report.windows.map((w) => w.signals)).toEqual(report.windows.map((w) => w.signals));
      expect(report.tiers.reduce((s, t) => s + t.signals, 0)).toBe(report.windows[0]?.signals);

      // One account: the symbols' figures are the account's.
      const sum = (f: (s: (typeof report.symbols)[number]) => number): number =>
        report.symbols.reduce((s, x) => s + f(x), 0);
      expect(sum((s) => s.trades)).toBe(report.metrics.trades);
      expect(sum((s) => s.realizedPnl)).toBeCloseTo(report.reconciliation.realizedPnl, 8);
      expect(sum((s) => s.fees)).toBeCloseTo(report.reconciliation.fees, 8);
      expect(report.metrics.buyAndHoldReturnPct).toBeCloseTo(sum((s) => s.buyAndHoldReturnPct) / 2, 9);
      const r = report.reconciliation;
      expect(r.initialEquity + r.realizedPnl + r.unrealizedPnl).toBeCloseTo(r.finalEquity, 6);
      expect(r.finalEquity).toBeCloseTo(report.metrics.finalEquity, 9);

      // One model trained on the earliest half of both symbols' bars.
      const [window] = report.windows;
      expect(report.windows).toHaveLength(1);
      expect(window?.trainedOn).toBe(3_000);
      expect(report.samples).toHaveLength(1_500);
      expect(new Set(report.samples.map((s) => s.time)).size).toBe(report.samples.length);

      const html = readFileSync(lockstep.htmlPath, 'utf8');
      expect(html).toMatch(/<td>0\.00\d{6}<\/td>/);
      expect(html).toContain('How the PnL adds up');
      expect(html).toContain('minBarSpacing');
      expect(html).toContain(`Open positions at the end (${report.open.length})`);
      for (const position of report.open) expect(html).toContain(position.orderId);
    },
  );

  it('is refused before any training when a file has no symbol', async () => {
    const dir = twoSymbols();
    writeFileSync(join(dir, 'klines', 'history.csv'), readFileSync(join(dir, 'klines', 'BTCUSDT-5m.csv')));
    const error = await runBacktest(options(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmlError);
    expect((error as CmlError).code).toBe('CML_USAGE');
    expect((error as CmlError).hint).toContain('--symbol');
    expect(existsSync(join(dir, 'run', 'data', 'models'))).toBe(false);
  });
});

describe('walk-forward retraining', () => {
  it(
    'trains each model version only on bars before those it trades, and swaps it in at its window',
    { timeout: 240_000 },
    async () => {
      const dir = twoSymbols();
      const result = await runBacktest(
        options(dir, { walkForward: { trainWindow: { bars: 1_000 }, retrainEvery: { ms: 86_400_000 } } }),
      );
      const { windows, trades } = result.report;
      expect(windows.length).toBeGreaterThan(3);
      const versions = new Set<string>();
      for (const [k, w] of windows.entries()) {
        expect(w.trainTo).toBeLessThanOrEqual(w.from);
        expect(w.from - w.trainFrom).toBe(1_000 * 300_000);
        expect(w.models).toHaveLength(2);
        for (const model of w.models) {
          expect(model.version).toMatch(new RegExp(`\\.v${k + 1}$`));
          versions.add(model.version);
          // Scored on the window's own bars: a day of 5-minute bars of both symbols (the last window
          // ends with the data, where the last horizon's labels are missing).
          if (k < windows.length - 1) expect(model.traded?.rows).toBe(2 * 288);
          else expect(model.traded?.rows).toBeGreaterThan(0);
          expect(model.traded?.holdAccuracy).toBeGreaterThan(0);
        }
      }
      expect(versions.size).toBe(windows.length * 2);
      // The models on disk: each trained on data ending before its window.
      const modelsDir = join(dir, 'run', 'data', 'models');
      for (const [k, w] of windows.entries()) {
        const artifact = JSON.parse(
          readFileSync(join(modelsDir, `logistic_regression-trend-h48.v${k + 1}.json`), 'utf8'),
        ) as { training: { dataFrom: number; dataTo: number } };
        expect(artifact.training.dataTo).toBeLessThan(w.from);
        expect(artifact.training.dataFrom).toBeGreaterThanOrEqual(w.trainFrom);
      }
      expect(windows.reduce((s, w) => s + w.trades, 0)).toBe(trades.length);
      expect(trades.length).toBeGreaterThan(0);
    },
  );

  it('is refused on the pipeline engine, with a hint', async () => {
    const dir = twoSymbols();
    const error = await runBacktest(
      options(dir, {
        engine: 'pipeline',
        walkForward: { trainWindow: { bars: 1_000 }, retrainEvery: { bars: 200 } },
      }),
    ).catch((e: unknown) => e);
    expect((error as CmlError).code).toBe('CML_USAGE');
    expect((error as CmlError).hint).toContain('--engine pipeline');
  });
});

describe('cml backtest', () => {
  it(
    'trades the models --models names, the rule beside them unless --no-rule, and says it replaced a previous run',
    { timeout: 240_000 },
    async () => {
      const dir = twoSymbols();
      const config = looseConfig(dir);
      const out = join(dir, 'cli');
      const logged: string[] = [];
      const log = console.log;
      console.log = (line: string) => logged.push(line);
      const run = async (...args: string[]): Promise<{ strategy: string }> => {
        await backtestCommand(() => ({ config, logger: silentLogger })).parseAsync(
          [join(dir, 'klines', 'BTCUSDT-5m.csv'), '--out', out, ...args],
          { from: 'user' },
        );
        return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { strategy: string };
      };
      try {
        expect((await run('--models', 'logistic_regression:trend', '--no-rule')).strategy).toBe(
          'logistic_regression:trend',
        );
        expect(logged.join('\n')).not.toContain('replaced');
        expect((await run('--models', 'logistic_regression:trend')).strategy).toBe(
          'logistic_regression:trend, ma_rsi_rule:trend',
        );
        expect(logged.join('\n')).toContain(`replaced the previous run in ${out}`);
        expect((await run('--models', 'ma_rsi_rule:trend,svm:trend', '--rule')).strategy).toBe(
          'ma_rsi_rule:trend, svm:trend',
        );
      } finally {
        console.log = log;
      }
    },
  );
});
