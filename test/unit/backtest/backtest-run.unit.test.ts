import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { runBacktest } from '../../../src/backtest/run-backtest.ts';
import { silentLogger } from '../../support/runtimes.ts';

const FIXTURE = new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url);

describe('a backtest of real BTCUSDT candles', () => {
  it(
    'writes the report, and its trades reconcile exactly with the ledger projection (cash, fees, PnL)',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cml-backtest-'));
      // The first 3,000 bars: models trained on 1,500, the rest traded; looser rules, so it trades.
      const file = join(dir, 'BTCUSDT-5m.csv');
      writeFileSync(file, readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3_001).join('\n'));
      const config = loadConfig({
        env: {
          CML_DATA_DIR: dir,
          ML_BAND_PCT: '0.4',
          ML_MODELS: 'random_forest:price_change,logistic_regression:trend',
          ML_TREES: '15',
          // Raw confidences: the test is about reconciliation, and calibrated ones stay below the rules here.
          ML_CALIBRATION: 'none',
          DECISION_BUY_THRESHOLD_PCT: '0.3',
          DECISION_MIN_CONFIDENCE: '0.3',
          DECISION_HIGH_CONFIDENCE: '0.5',
        },
      });
      const result = await runBacktest({
        config,
        logger: silentLogger,
        files: [file],
        outDir: join(dir, 'run'),
        trainShare: 0.5,
      });
      const { metrics, trades } = result.report;
      expect(metrics.trades).toBeGreaterThan(0);
      expect(trades.length).toBe(metrics.trades);

      // The trade list against the ledger projection.
      const pnl = trades.reduce((sum, t) => sum + t.realizedPnl, 0);
      expect(pnl).toBeCloseTo(result.projection.realizedPnl, 8);
      // Fees: every fill and exit fee in the order log, as the projection and the report count them.
      const fees = result.orders.reduce(
        (sum, e) =>
          sum +
          (e.status === 'FILLED' && e.action === 'BUY' ? (e.fill_fee ?? 0) : 0) +
          (e.status === 'CLOSED' ? (e.exit_fee ?? 0) : 0),
        0,
      );
      expect(result.projection.fees).toBeCloseTo(fees, 8);
      expect(metrics.feesPaid).toBeCloseTo(fees, 8);
      // Cash: the deposit, less what open positions cost, plus what closed trades returned.
      const open = result.orders.filter(
        (e) =>
          e.status === 'FILLED' &&
          e.action === 'BUY' &&
          !result.orders.some((c) => c.status === 'CLOSED' && c.order_id === e.order_id),
      );
      const openCost = open.reduce((sum, e) => sum + e.quantity * (e.fill_price ?? 0) + (e.fill_fee ?? 0), 0);
      expect(result.projection.cash).toBeCloseTo(10_000 + pnl - openCost, 6);
      // The final equity of the report's curve is the projection's cash when nothing is open.
      if (open.length === 0) expect(metrics.finalEquity).toBeCloseTo(result.projection.cash, 6);

      const html = readFileSync(result.htmlPath, 'utf8');
      expect(html).toContain('LightweightCharts.createChart');
      expect(html).toContain(trades[0]?.orderId ?? 'missing');
      const json = JSON.parse(readFileSync(result.jsonPath, 'utf8')) as { metrics: { trades: number } };
      expect(json.metrics.trades).toBe(metrics.trades);
    },
  );
});
