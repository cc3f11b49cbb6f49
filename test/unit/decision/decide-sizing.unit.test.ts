import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import { decide } from '../../../streams/decision/decide.ts';
import type { DecisionSettings } from '../../../streams/decision/decision-settings.ts';
import { initialDecisionState } from '../../../streams/decision/decision-state.ts';
import { sizePosition } from '../../../streams/decision/position-sizing.ts';
import { SETTINGS, at, cashOnly, decideAll, filled, onlyOrder, settle, signal } from './decision-fixtures.ts';

const size = (input: Partial<Parameters<typeof sizePosition>[0]>, settings: Partial<DecisionSettings> = {}) =>
  sizePosition(
    { equity: 10_000, availableCash: 10_000, price: 100, volatilityPct: 1, ...input },
    { ...SETTINGS, ...settings },
  );

describe('position sizing, by hand', () => {
  it.each([
    {
      name: '10 % of 10,000 at 100: 10 coins',
      input: {},
      settings: {},
      then: { quantity: 10, totalValue: 1_000, positionSizePct: 10, limitedBy: 'TARGET' },
    },
    {
      name: 'capped by the max position (5 %)',
      input: {},
      settings: { maxPositionPct: 5 },
      then: { quantity: 5, totalValue: 500, positionSizePct: 5, limitedBy: 'MAX_POSITION' },
    },
    {
      // 300 / 1.001 = 299.7002997 USDT -> 2.997002997 coins -> 2.997002 at the 1e-6 step.
      name: 'capped by cash less the fee, rounded down to the step',
      input: { availableCash: 300 },
      settings: {},
      then: { quantity: 2.997002, totalValue: 2.997002 * 100, limitedBy: 'CASH' },
    },
    {
      // 1,000 USDT / 30,000 = 0.0333333... -> 0.033333.
      name: 'rounded down to the quantity step at a high price',
      input: { price: 30_000 },
      settings: {},
      then: { quantity: 0.033333, totalValue: 0.033333 * 30_000, limitedBy: 'TARGET' },
    },
    {
      name: 'a coarse step (0.5) rounds 10.99 down to 10.5',
      input: { price: 91 },
      settings: { quantityStep: 0.5 },
      then: { quantity: 10.5, totalValue: 10.5 * 91, limitedBy: 'TARGET' },
    },
    {
      name: 'volatility-scaled: 1 % volatility against a 0.5 % target halves the size',
      input: { volatilityPct: 1 },
      settings: { volatilityScaling: true },
      then: { quantity: 5, totalValue: 500, positionSizePct: 5, limitedBy: 'TARGET' },
    },
    {
      name: 'volatility-scaled: 0.25 % volatility doubles it',
      input: { volatilityPct: 0.25 },
      settings: { volatilityScaling: true },
      then: { quantity: 20, totalValue: 2_000, limitedBy: 'TARGET' },
    },
    {
      name: 'volatility-scaled: 0.1 % would make 50 %, the max position caps it at 25 %',
      input: { volatilityPct: 0.1 },
      settings: { volatilityScaling: true },
      then: { quantity: 25, totalValue: 2_500, limitedBy: 'MAX_POSITION' },
    },
    {
      name: 'volatility-scaled with no volatility measured: the plain fraction',
      input: { volatilityPct: 0 },
      settings: { volatilityScaling: true },
      then: { quantity: 10, limitedBy: 'TARGET' },
    },
  ])('$name', ({ input, settings, then }) => {
    expect(size(input, settings)).toMatchObject({ kind: 'sized', ...then });
  });

  it('says which limit made an order too small', () => {
    expect(size({ availableCash: 5 })).toMatchObject({ kind: 'too-small', limitedBy: 'CASH' });
    expect(size({}, { positionSizePct: 0.05 })).toMatchObject({
      kind: 'too-small',
      limitedBy: 'TARGET',
      value: 5,
    });
  });

  it('never spends more than the cash with the fee, as the exchange rounds it', () => {
    // 4481.502701320001 at 0.0123: found by the property test, the exchange's fee rounded to
    // 8 decimals made the exact-fit order 2.4e-9 USDT too dear, and it was cancelled.
    for (const cash of [0.01, 10.01, 99.999, 1_000.0001, 3_333.33, 4_481.502701320001]) {
      for (const price of [0.000123, 0.0123, 0.5, 99.99, 27_123.45]) {
        const sized = size(
          { availableCash: cash, price },
          { positionSizePct: 100, maxPositionPct: 100, minOrderValue: 0 },
        );
        if (sized.kind !== 'sized') continue;
        expect(sized.totalValue * (1 + SETTINGS.feeRate)).toBeLessThanOrEqual(cash);
        const exchangeFee = Number((sized.totalValue * SETTINGS.feeRate).toFixed(8));
        expect(sized.totalValue + exchangeFee).toBeLessThanOrEqual(cash + 1e-9);
      }
    }
  });
});

describe('decide: the order it sizes', () => {
  it('fills every field from the signal and the portfolio', () => {
    const order = onlyOrder(
      decide(initialDecisionState(), signal({ confidence: 0.91 }), cashOnly(), SETTINGS),
    );
    expect(order).toEqual({
      order_id: 'ORD-20240102-001',
      symbol: 'BTCUSDT',
      timestamp: at(1),
      action: 'BUY',
      order_type: 'MARKET',
      quantity: 10,
      price: 100,
      total_value: 1_000,
      status: 'PENDING',
      strategy: 'ml_signal_strategy',
      trigger_signal: { model: 'random_forest', confidence: 0.91, expected_change_pct: 2 },
      risk_management: { stop_loss: 98, take_profit: 105, stop_loss_pct: -2, take_profit_pct: 5 },
      metadata: { portfolio_balance_usdt: 10_000, position_size_pct: 10, created_by: 'decision-engine' },
      sequence: 0,
      event_time: null,
      fill_price: null,
      fill_fee: null,
      exit_price: null,
      exit_fee: null,
      close_reason: null,
      realized_pnl: null,
      cancel_reason: null,
      cancel_detail: null,
      expires_at: null,
      closes_order_id: null,
    } satisfies OrderEvent);
  });

  it.each([
    { price: 100, stopLossPct: -2, takeProfitPct: 5, stop: 98, take: 105 },
    { price: 68_000.5, stopLossPct: -2, takeProfitPct: 5, stop: 66_640.49, take: 71_400.525 },
    { price: 100, stopLossPct: -3, takeProfitPct: 10, stop: 97, take: 110 },
  ])(
    'stop-loss and take-profit at $price with $stopLossPct / $takeProfitPct %',
    ({ price, stopLossPct, takeProfitPct, stop, take }) => {
      const order = onlyOrder(
        decide(initialDecisionState(), signal({ current_price: price }), cashOnly(), {
          ...SETTINGS,
          stopLossPct,
          takeProfitPct,
        }),
      );
      expect(order.risk_management.stop_loss).toBeCloseTo(stop, 9);
      expect(order.risk_management.take_profit).toBeCloseTo(take, 9);
      expect(order.risk_management).toMatchObject({
        stop_loss_pct: stopLossPct,
        take_profit_pct: takeProfitPct,
      });
    },
  );

  it('sizes on equity with positions at their marks, and records it', () => {
    // 97 ETH bought at 100, marked at 110: cash 300, equity 300 + 10,670 = 10,970.
    const buy: OrderEvent = {
      ...onlyOrder(decide(initialDecisionState(), signal({ symbol: 'ETHUSDT' }), cashOnly(), SETTINGS)),
      quantity: 97,
      total_value: 9_700,
    };
    const portfolio = settle(cashOnly(), buy, filled(buy, 100, at(2)), {
      mark: 'ETHUSDT',
      price: 110,
      time: at(3),
    });
    const order = onlyOrder(
      decide(initialDecisionState(), signal({ timestamp: at(4) }), portfolio, SETTINGS),
    );
    // 10 % of 10,970 is 1,097, more than the cash: 300 / 1.001 -> 2.997002 coins.
    expect(order.quantity).toBe(2.997002);
    expect(order.metadata.portfolio_balance_usdt).toBeCloseTo(10_970, 9);
    expect(order.metadata.position_size_pct).toBeCloseTo((299.7002 / 10_970) * 100, 9);
  });

  it('does not promise the same cash twice: PENDING BUYs are set aside', () => {
    const settings = { ...SETTINGS, positionSizePct: 60, maxPositionPct: 100 };
    const { decisions } = decideAll(
      initialDecisionState(),
      [signal(), signal({ symbol: 'ETHUSDT' }), signal({ symbol: 'SOLUSDT' })],
      cashOnly(),
      settings,
    );
    const [btc, eth] = decisions.map((d) => d.orders[0]);
    expect(btc?.total_value).toBe(6_000);
    // 10,000 - 6,000 * 1.001 = 3,994 left; / 1.001 -> 3,990.00999 USDT -> 39.900099 coins.
    expect(eth?.quantity).toBe(39.900099);
    expect(decisions[2]?.reasons.map((r) => r.reason)).toEqual(['INSUFFICIENT_CASH']);
  });

  it('ORDER_TOO_SMALL when the rules allow less than the minimum order', () => {
    const decision = decide(initialDecisionState(), signal(), cashOnly(50), SETTINGS);
    expect(decision.reasons.map((r) => r.reason)).toEqual(['ORDER_TOO_SMALL']);
  });
});
