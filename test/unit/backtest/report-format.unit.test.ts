import { describe, expect, it } from 'vitest';
import { confidenceTiers } from '../../../src/backtest/confidence-tiers.ts';
import { formatPrice } from '../../../src/backtest/price-format.ts';
import type { ClosedTrade } from '../../../projections/portfolio/index.ts';
import { pendingOrder } from '../../support/messages.ts';

describe('prices in the report', () => {
  it('keep the precision of a small-priced asset', () => {
    expect(formatPrice(0.0016)).toBe('0.00160000');
    expect(formatPrice(0.00001234)).toBe('0.00001234');
    expect(formatPrice(1.2345678)).toBe('1.2346');
    expect(formatPrice(16726.1)).toBe('16,726.10');
  });
});

describe('confidence tiers', () => {
  const trade = (orderId: string, realizedPnl: number): ClosedTrade => ({
    orderId,
    symbol: 'BTCUSDT',
    quantity: 1,
    entryTime: 0,
    entryPrice: 100,
    exitTime: 1,
    exitPrice: 100,
    fees: 0,
    realizedPnl,
    reason: 'TAKE_PROFIT',
  });
  const order = (orderId: string, confidence: number) =>
    pendingOrder({
      order_id: orderId,
      trigger_signal: { model: 'random_forest', confidence, expected_change_pct: 2 },
    });

  it("count signals, their hit rate and trades per tier of the spec, with the trades' mean return", () => {
    const signal = (confidence: number, right: boolean | undefined) => ({ confidence, right });
    const tiers = confidenceTiers({
      signals: [
        signal(0.95, true),
        signal(0.8, false),
        signal(0.7, true),
        signal(0.6, undefined),
        signal(0.59, false),
        signal(0.1, true),
      ],
      orders: [order('A', 0.9), order('B', 0.85), order('C', 0.65)],
      trades: [trade('A', 5), trade('B', -1), trade('C', -3)],
      highConfidence: 0.8,
      minConfidence: 0.6,
    });
    expect(tiers.map(({ meanReturn: _, ...t }) => t)).toEqual([
      {
        label: '≥ 0.8',
        signals: 2,
        judged: 2,
        right: 1,
        trades: 2,
        meanReturnPct: 2,
        verdict: 'not earned: only 1 of 2 right (50%), too few to tell',
      },
      {
        label: '0.6 – 0.8',
        signals: 2,
        judged: 1,
        right: 1,
        trades: 1,
        meanReturnPct: -3,
        verdict: 'not earned: only 1 of 1 right (100%), too few to tell',
      },
      {
        label: '< 0.6',
        signals: 2,
        judged: 2,
        right: 1,
        trades: 0,
        meanReturnPct: 0,
        verdict: 'ignored by the rules',
      },
    ]);
    expect(tiers[0]?.meanReturn).toMatchObject({ n: 2, mean: 2 });
    expect(tiers[0]?.meanReturn.low).toBeLessThanOrEqual(tiers[0]?.meanReturn.high ?? Number.NaN);
  });
});
