import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import { decide } from '../../../streams/decision/decide.ts';
import { evolveDecision, initialDecisionState } from '../../../streams/decision/decision-state.ts';
import {
  MINUTE,
  SETTINGS,
  at,
  cancelled,
  cashOnly,
  closed,
  decideAll,
  filled,
  onlyOrder,
  settle,
  signal,
} from './decision-fixtures.ts';

const reasonOf = (decision: { reasons: readonly { reason: string }[] }): string | undefined =>
  decision.reasons[0]?.reason;

/** Given: the engine bought BTCUSDT at minute 1; returns its order and the state after it. */
function boughtOnce() {
  const first = decide(initialDecisionState(), signal(), cashOnly(), SETTINGS);
  return { order: onlyOrder(first), state: first.state };
}

describe('decide: one position per symbol', () => {
  it('a PENDING BUY blocks a second BUY of the symbol, not of another symbol', () => {
    const { state } = boughtOnce();
    const again = decide(state, signal({ timestamp: at(2) }), cashOnly(), SETTINGS);
    expect(reasonOf(again)).toBe('ORDER_PENDING');
    const other = decide(state, signal({ symbol: 'ETHUSDT', timestamp: at(2) }), cashOnly(), SETTINGS);
    expect(onlyOrder(other).symbol).toBe('ETHUSDT');
  });

  it('an open position blocks a BUY; its BUY filled in the ledger, whatever the engine folded yet', () => {
    const { order, state } = boughtOnce();
    const portfolio = settle(cashOnly(), order, filled(order, 100, at(2)));
    expect(reasonOf(decide(state, signal({ timestamp: at(3) }), portfolio, SETTINGS))).toBe('POSITION_OPEN');
    // A restarted engine that knows nothing sees the open position in the portfolio too.
    expect(reasonOf(decide(initialDecisionState(), signal({ timestamp: at(3) }), portfolio, SETTINGS))).toBe(
      'POSITION_OPEN',
    );
  });

  it('a BUY the exchange cancelled no longer blocks, whether the ledger or the fold says so', () => {
    const { order, state } = boughtOnce();
    const cancel = cancelled(order, at(2));
    const viaLedger = decide(
      state,
      signal({ timestamp: at(3) }),
      settle(cashOnly(), order, cancel),
      SETTINGS,
    );
    expect(onlyOrder(viaLedger).order_id).toBe('ORD-20240102-002');
    const viaFold = decide(evolveDecision(state, cancel), signal({ timestamp: at(3) }), cashOnly(), SETTINGS);
    expect(onlyOrder(viaFold).action).toBe('BUY');
  });

  it('allows a second position when maxPositionsPerSymbol is 2, and no third', () => {
    const settings = { ...SETTINGS, maxPositionsPerSymbol: 2 };
    const { order, state } = boughtOnce();
    const portfolio = settle(cashOnly(), order, filled(order, 100, at(2)));
    const second = decide(state, signal({ timestamp: at(3) }), portfolio, settings);
    expect(onlyOrder(second).action).toBe('BUY');
    expect(reasonOf(decide(second.state, signal({ timestamp: at(4) }), portfolio, settings))).toBe(
      'ORDER_PENDING',
    );
  });
});

describe('decide: SELL closes the position', () => {
  const sell = (minutes: number) =>
    signal({ signal: 'SELL', expected_change_pct: -2, current_price: 103, timestamp: at(minutes) });

  it('emits a SELL MARKET order for the whole open quantity at the signal price', () => {
    const { order, state } = boughtOnce();
    const portfolio = settle(cashOnly(), order, filled(order, 100, at(2)));
    const exit = onlyOrder(decide(state, sell(3), portfolio, SETTINGS));
    expect(exit).toMatchObject({
      order_id: 'ORD-20240102-002',
      action: 'SELL',
      order_type: 'MARKET',
      status: 'PENDING',
      symbol: 'BTCUSDT',
      quantity: order.quantity,
      price: 103,
      timestamp: at(3),
    });
    expect(exit.total_value).toBe(order.quantity * 103);
  });

  it('has nothing to sell without a position, and does not sell twice while the first SELL is PENDING', () => {
    expect(reasonOf(decide(initialDecisionState(), sell(3), cashOnly(), SETTINGS))).toBe('NO_POSITION');
    const { order, state } = boughtOnce();
    const portfolio = settle(cashOnly(), order, filled(order, 100, at(2)));
    const { decisions } = decideAll(state, [sell(3), sell(4)], portfolio);
    expect(decisions.map((d) => (d.orders.length > 0 ? 'ORDER' : reasonOf(d)))).toEqual([
      'ORDER',
      'ORDER_PENDING',
    ]);
  });

  it('regression: lots closed to a float residue of the holding leave nothing to sell', () => {
    // Found by the property test: two SOL lots stopped out left a 7e-12 SOL holding in the
    // projection, and the engine sent a SELL of it that the exchange cancelled (NO_POSITION).
    const sol = (id: string, quantity: number): OrderEvent => ({
      ...onlyOrder(decide(initialDecisionState(), signal({ symbol: 'SOLUSDT' }), cashOnly(), SETTINGS)),
      order_id: id,
      price: 0.0123,
      quantity,
      total_value: quantity * 0.0123,
    });
    const [a, b] = [sol('ORD-20240102-001', 48780.487804), sol('ORD-20240102-002', 48777.560975)];
    const [fa, fb] = [filled(a, 0.0123, at(2)), filled(b, 0.0123, at(3))];
    const portfolio = settle(
      cashOnly(),
      a,
      fa,
      b,
      fb,
      closed(fa, 0.012054, at(4)),
      closed(fb, 0.012054, at(4)),
    );
    const exit = signal({ symbol: 'SOLUSDT', signal: 'SELL', expected_change_pct: -2, timestamp: at(5) });
    expect(reasonOf(decide(initialDecisionState(), exit, portfolio, SETTINGS))).toBe('NO_POSITION');
  });

  it('is not stopped by the circuit breaker: exits stay open', () => {
    const { order, state } = boughtOnce();
    // 50 % of equity fell by 40 %: 20 % below the peak.
    const big = { ...order, quantity: 50, total_value: 5_000 };
    const portfolio = settle(cashOnly(), big, filled(big, 100, at(2)), {
      mark: 'BTCUSDT',
      price: 60,
      time: at(2),
    });
    expect(onlyOrder(decide(state, sell(3), portfolio, SETTINGS)).action).toBe('SELL');
    expect(
      reasonOf(decide(state, signal({ symbol: 'ETHUSDT', timestamp: at(3) }), portfolio, SETTINGS)),
    ).toBe('CIRCUIT_BREAKER');
  });
});

describe('decide: cooldown after a close', () => {
  function closedAt(minutes: number) {
    const { order, state } = boughtOnce();
    const fill = filled(order, 100, at(2));
    const close = closed(fill, 98, at(minutes));
    return { state, close, portfolio: settle(cashOnly(), order, fill, close) };
  }

  it.each([
    { after: 1, then: 'COOLDOWN' },
    { after: 14.99, then: 'COOLDOWN' },
    { after: 15, then: 'ORDER' },
    { after: 60, then: 'ORDER' },
  ])('a BUY $after min after a stop-loss (cooldown 15 min): $then', ({ after, then }) => {
    const { state, portfolio } = closedAt(10);
    const decision = decide(state, signal({ timestamp: at(10 + after) }), portfolio, SETTINGS);
    expect(decision.orders.length === 1 ? 'ORDER' : reasonOf(decision)).toBe(then);
  });

  it('knows the close from its own fold of the log as well as from the ledger', () => {
    const { state, close } = closedAt(10);
    const folded = evolveDecision(evolveDecision(state, filled(close, 100, at(2))), close);
    // An empty ledger read: only the engine's fold knows of the close.
    expect(reasonOf(decide(folded, signal({ timestamp: at(12) }), cashOnly(), SETTINGS))).toBe('COOLDOWN');
  });

  it('ignores a close later than the signal (the fold ran ahead), and forgets a close once its cooldown passed', () => {
    const { state, close } = closedAt(10);
    const folded = evolveDecision(evolveDecision(state, filled(close, 100, at(2))), close);
    expect(onlyOrder(decide(folded, signal({ timestamp: at(9) }), cashOnly(), SETTINGS)).action).toBe('BUY');
    const later = decide(folded, signal({ timestamp: at(10) + 15 * MINUTE }), cashOnly(), SETTINGS);
    expect([...later.state.orders.values()].map((o) => [o.orderId, o.status])).toEqual([
      ['ORD-20240102-002', 'PENDING'],
    ]);
  });
});

describe('decide: circuit breaker on drawdown', () => {
  it.each([
    { mark: 81, drawdown: 9.5, then: 'ORDER' },
    { mark: 80, drawdown: 10, then: 'ORDER' },
    { mark: 79, drawdown: 10.5, then: 'CIRCUIT_BREAKER' },
  ])('equity $drawdown % below its peak (limit 10 %): $then', ({ mark, then }) => {
    // Half the equity in ETH at 100; ETH marked at `mark`.
    const buy: OrderEvent = {
      ...onlyOrder(decide(initialDecisionState(), signal({ symbol: 'ETHUSDT' }), cashOnly(), SETTINGS)),
      quantity: 50,
      total_value: 5_000,
    };
    const portfolio = settle(cashOnly(), buy, filled(buy, 100, at(2)), {
      mark: 'ETHUSDT',
      price: mark,
      time: at(3),
    });
    const decision = decide(initialDecisionState(), signal({ timestamp: at(4) }), portfolio, SETTINGS);
    expect(decision.orders.length === 1 ? 'ORDER' : reasonOf(decision)).toBe(then);
  });

  it('measures from the highest equity the ledger has seen, not from the initial cash', () => {
    const buy: OrderEvent = {
      ...onlyOrder(decide(initialDecisionState(), signal({ symbol: 'ETHUSDT' }), cashOnly(), SETTINGS)),
      quantity: 50,
      total_value: 5_000,
    };
    // Up to 140 (equity 12,000), back to 114 (10,700): above the initial cash, but 10.8 % below the peak.
    const portfolio = settle(
      cashOnly(),
      buy,
      filled(buy, 100, at(2)),
      { mark: 'ETHUSDT', price: 140, time: at(3) },
      { mark: 'ETHUSDT', price: 114, time: at(4) },
    );
    const decision = decide(initialDecisionState(), signal({ timestamp: at(5) }), portfolio, SETTINGS);
    expect(reasonOf(decision)).toBe('CIRCUIT_BREAKER');
    expect(decision.reasons[0]?.detail).toBe('equity 10700.00 is 10.83% below its peak 12000.00');
  });
});
