import { describe, expect, it } from 'vitest';
import { backtestMetrics } from '../../../src/backtest/backtest-metrics.ts';
import { renderBacktestHtml, type BacktestReport } from '../../../src/backtest/backtest-report-html.ts';
import type { ClosedTrade } from '../../../projections/portfolio/index.ts';

const HOUR = 3_600_000;
const samples = [10_000, 10_010, 10_020].map((equity, n) => ({
  time: n * HOUR,
  equity,
  cash: equity,
  exposed: false,
}));

function report(trades: ClosedTrade[]): BacktestReport {
  const metrics = backtestMetrics({
    samples,
    trades,
    fees: 0,
    initialEquity: 10_000,
    firstClose: 1,
    lastClose: 1,
  });
  return {
    title: 'Backtest PEPEUSDT',
    symbol: 'PEPEUSDT',
    strategy: 'ma_rsi_rule:trend',
    metrics,
    trades,
    samples,
    symbols: [
      {
        symbol: 'PEPEUSDT',
        trades: trades.length,
        winRatePct: 100,
        realizedPnl: 20,
        unrealizedPnl: 0,
        fees: 0,
        openPositions: 0,
        firstClose: 0.0016,
        lastClose: 0.00171,
        buyAndHoldReturnPct: 6.875,
      },
    ],
    open: [],
    reconciliation: {
      initialEquity: 10_000,
      finalEquity: 10_020,
      realizedPnl: 20,
      unrealizedPnl: 0,
      fees: 0,
      gap: 0,
    },
    windows: [
      {
        trainFrom: -10 * HOUR,
        trainTo: 0,
        from: 0,
        to: 3 * HOUR,
        trainedOn: 120,
        models: [
          {
            version: 'ma_rsi_rule.v1',
            holdout: { accuracy: 0.85, r2: -0.2, holdAccuracy: 0.9, rows: 30 },
            traded: { accuracy: 0.75, r2: -0.4, holdAccuracy: 0.8, rows: 3 },
          },
        ],
        signals: 12,
        trades: trades.length,
        realizedPnl: 20,
      },
    ],
    tiers: [
      {
        label: '≥ 0.8',
        signals: 3,
        judged: 3,
        right: 1,
        trades: trades.length,
        meanReturnPct: 1,
        meanReturn: { n: trades.length, mean: 1, low: 0.5, high: 1.5 },
        verdict: 'not earned: only 1 of 3 right (33%), too few to tell',
      },
      {
        label: '0.6 – 0.8',
        signals: 4,
        judged: 4,
        right: 0,
        trades: 0,
        meanReturnPct: 0,
        meanReturn: { n: 0, mean: Number.NaN, low: Number.NaN, high: Number.NaN },
        verdict: 'not earned: only 0 of 4 right (0%), too few to tell',
      },
      {
        label: '< 0.6',
        signals: 5,
        judged: 5,
        right: 2,
        trades: 0,
        meanReturnPct: 0,
        meanReturn: { n: 0, mean: Number.NaN, low: Number.NaN, high: Number.NaN },
        verdict: 'ignored by the rules',
      },
    ],
    run: { engine: 'lockstep' },
  };
}

describe('the backtest report page', () => {
  it('shows the prices of a small-priced asset with their precision', () => {
    const trade: ClosedTrade = {
      orderId: 'ORD-20230113-001',
      symbol: 'PEPEUSDT',
      quantity: 600_000,
      entryTime: 0,
      entryPrice: 0.0016,
      exitTime: HOUR,
      exitPrice: 0.00163333,
      fees: 1.9,
      realizedPnl: 20,
      reason: 'TAKE_PROFIT',
    };
    const html = renderBacktestHtml(report([trade]));
    expect(html).toContain('<td>0.00160000</td>');
    expect(html).toContain('<td>0.00163333</td>');
    expect(html).toContain('<td>0.00171000</td>');
    expect(html).not.toContain('No trade.');
    // Each model's accuracy beside always-HOLD's on the same bars.
    expect(html).toContain('85.0 % <span class="note">(HOLD 90.0 %)</span>');
    expect(html).toContain('75.0 % <span class="note">(HOLD 80.0 %)</span>');
  });

  it('says why nothing traded, with the signals it had and what to loosen', () => {
    const html = renderBacktestHtml(report([]));
    expect(html).toContain('No trade.');
    expect(html).toContain('12 BUY/SELL signals');
    expect(html).toContain('DECISION_MIN_CONFIDENCE');
    expect(html).toContain('Win rate<b>–</b>');
  });

  it('opens the charts on the whole period, however many bars it holds', () => {
    expect(renderBacktestHtml(report([]))).toMatch(/minBarSpacing: 0\.001[\s\S]*fitContent\(\)/);
  });
});
