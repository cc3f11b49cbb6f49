import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from '../../../projections/portfolio/index.ts';
import { backtestMetrics } from '../../../src/backtest/backtest-metrics.ts';

const HOUR = 3_600_000;
const trade = (realizedPnl: number): ClosedTrade => ({
  orderId: 'ORD-20240101-001',
  symbol: 'BTCUSDT',
  quantity: 1,
  entryTime: 0,
  entryPrice: 100,
  exitTime: HOUR,
  exitPrice: 100,
  fees: 0.2,
  realizedPnl,
  reason: 'TAKE_PROFIT',
});

describe('backtest metrics', () => {
  it('computes returns, drawdown, win rate, profit factor and exposure by hand', () => {
    const equity = [100, 110, 99, 121];
    const samples = equity.map((e, n) => ({ time: n * HOUR, equity: e, cash: e, exposed: n % 2 === 0 }));
    const m = backtestMetrics({
      samples,
      trades: [trade(30), trade(-10), trade(5)],
      fees: 1.5,
      initialEquity: 100,
      firstClose: 50,
      lastClose: 40,
    });
    expect(m.totalReturnPct).toBeCloseTo(21, 10);
    expect(m.buyAndHoldReturnPct).toBeCloseTo(-20, 10);
    // Peak 110, trough 99: 10 %.
    expect(m.maxDrawdownPct).toBeCloseTo(10, 10);
    expect(m.winRatePct).toBeCloseTo((2 / 3) * 100, 10);
    expect(m.profitFactor).toBeCloseTo(3.5, 10);
    expect(m.exposurePct).toBe(50);
    expect(m.trades).toBe(3);
    expect(m.realizedPnl).toBe(25);
    // Per-bar returns 0, 0.1, -0.1, 0.2222...; hourly bars: 8,760 a year.
    const r = [0, 0.1, 99 / 110 - 1, 121 / 99 - 1];
    const mean = r.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    const down = Math.sqrt(r.reduce((a, b) => a + Math.min(0, b) ** 2, 0) / 4);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(8_760), 8);
    expect(m.sortino).toBeCloseTo((mean / down) * Math.sqrt(8_760), 8);
    expect(m.annualizedReturnPct).toBeCloseTo((1.21 ** (8_760 / 3) - 1) * 100, 0);
  });
});
