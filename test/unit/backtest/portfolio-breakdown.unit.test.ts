import { describe, expect, it } from 'vitest';
import type { MarketData, MlSignal } from '../../../src/contracts/index.ts';
import { equityPerTime } from '../../../src/backtest/equity-per-time.ts';
import { equitySeries } from '../../../src/backtest/equity-series.ts';
import { tradeTape, type SignalTape } from '../../../src/backtest/lockstep-engine.ts';
import { portfolioBreakdown } from '../../../src/backtest/portfolio-breakdown.ts';
import { DEFAULT_DECISION_SETTINGS } from '../../../streams/decision/index.ts';
import { DEFAULT_EXCHANGE_SETTINGS } from '../../../streams/exchange/exchange-state.ts';
import { marketDataAt, signalAt, T0 } from '../../support/messages.ts';

const BAR = 300_000;
const bar = (n: number, symbol: string, price: number): MarketData =>
  marketDataAt(T0 + n * BAR, symbol, { price, open: price, high: price, low: price, price_change_pct: 0 });
const buy = (n: number, symbol: string, price: number): MlSignal =>
  signalAt(T0 + n * BAR, {
    symbol,
    current_price: price,
    predicted_value: price * 1.03,
    expected_change_pct: 3,
    confidence: 0.9,
    features: { ma_7: price, ma_25: price, rsi_14: 50, volatility_7d: 1, volume_change_pct: 0 },
  });

/**
 * Two symbols on one account: BTC bought at 100 and closed at take-profit (105); a 0.0016 asset
 * bought and still open at the end, marked at 0.00166.
 */
function run() {
  const btc = [100, 100, 102, 105, 104];
  const pepe = [0.0016, 0.0016, 0.00162, 0.00165, 0.00166];
  const steps = btc.map((_, n) => ({
    time: T0 + n * BAR,
    bars: [bar(n, 'BTCUSDT', btc[n] as number), bar(n, 'PEPEUSDT', pepe[n] as number)],
    signals: n === 0 ? [buy(0, 'BTCUSDT', 100), buy(0, 'PEPEUSDT', 0.0016)] : [],
  }));
  const tape: SignalTape = {
    steps,
    counts: { bars: steps.length * 2, signals: 2, deadLetteredBars: 0, rejectedSignals: 0 },
  };
  const traded = tradeTape(tape, {
    decision: { ...DEFAULT_DECISION_SETTINGS, volatilityScaling: false, positionSizePct: 20 },
    exchange: DEFAULT_EXCHANGE_SETTINGS,
  });
  const bars = steps.flatMap((s) => s.bars);
  const series = equitySeries(bars, traded.orders, DEFAULT_EXCHANGE_SETTINGS.initialCash);
  const { final } = series;
  const samples = equityPerTime(series.samples);
  const breakdown = portfolioBreakdown({
    final,
    trades: traded.trades,
    orders: traded.orders,
    closes: new Map([
      ['BTCUSDT', { first: 100, last: 104 }],
      ['PEPEUSDT', { first: 0.0016, last: 0.00166 }],
    ]),
  });
  return { traded, breakdown, samples };
}

describe('the figures of a portfolio backtest', () => {
  it('list the position still open with its unrealized PnL, net of its entry fee', () => {
    const { breakdown, traded } = run();
    expect(traded.trades.map((t) => [t.symbol, t.reason])).toEqual([['BTCUSDT', 'TAKE_PROFIT']]);
    expect(breakdown.open).toHaveLength(1);
    const open = breakdown.open[0];
    expect(open?.symbol).toBe('PEPEUSDT');
    expect(open?.markPrice).toBe(0.00166);
    expect(open?.entryFee).toBeGreaterThan(0);
    const quantity = open?.quantity ?? 0;
    expect(open?.unrealizedPnl).toBeCloseTo(
      quantity * (0.00166 - (open?.entryPrice ?? 0)) - (open?.entryFee ?? 0),
      9,
    );
  });

  it('reconcile: realized + unrealized PnL, net of every fee, add up to final minus initial equity', () => {
    const { breakdown, samples } = run();
    const r = breakdown.reconciliation;
    expect(r.realizedPnl).not.toBe(0);
    expect(r.unrealizedPnl).not.toBe(0);
    expect(r.fees).toBeGreaterThan(0);
    expect(r.finalEquity).toBe(samples.at(-1)?.equity);
    expect(r.initialEquity + r.realizedPnl + r.unrealizedPnl).toBeCloseTo(r.finalEquity, 6);
    expect(Math.abs(r.gap)).toBeLessThan(1e-6);
  });

  it('give each symbol its trades, PnL, fees and buy and hold, and the equal-weighted buy and hold', () => {
    const { breakdown, traded } = run();
    const [btc, pepe] = breakdown.symbols;
    expect(btc).toMatchObject({ symbol: 'BTCUSDT', trades: 1, winRatePct: 100, openPositions: 0 });
    expect(btc?.buyAndHoldReturnPct).toBeCloseTo(4, 9);
    expect(pepe).toMatchObject({ symbol: 'PEPEUSDT', trades: 0, openPositions: 1 });
    expect(pepe?.buyAndHoldReturnPct).toBeCloseTo(3.75, 9);
    expect(breakdown.equalWeightBuyAndHoldPct).toBeCloseTo(3.875, 9);
    // Every fee lands on one symbol: the symbols' fees are the account's.
    expect((btc?.fees ?? 0) + (pepe?.fees ?? 0)).toBeCloseTo(breakdown.reconciliation.fees, 9);
    expect(btc?.realizedPnl).toBeCloseTo(traded.trades[0]?.realizedPnl ?? NaN, 9);
  });

  it('sample the equity once per bar time when several symbols share it', () => {
    const { samples } = run();
    expect(samples.map((s) => s.time)).toEqual([0, 1, 2, 3, 4].map((n) => T0 + n * BAR));
  });
});
