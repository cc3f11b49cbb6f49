import { describe, expect, it } from 'vitest';
import type { MarketData, OrderEvent } from '../../../src/contracts/index.ts';
import { stepExchange, type ExchangeInput } from '../../../streams/exchange/exchange-decide.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  evolveExchange,
  initialExchangeState,
  type ExchangeState,
} from '../../../streams/exchange/exchange-state.ts';
import { pendingOrder } from '../../support/messages.ts';

const T0 = Date.UTC(2024, 0, 1);
const at = (minute: number): number => T0 + minute * 60_000;
const bar = (minute: number, open: number, high: number, low: number, close = open): ExchangeInput => ({
  kind: 'bar',
  bar: {
    symbol: 'AAAUSDT',
    timestamp: at(minute),
    open,
    high,
    low,
    price: close,
    volume: 1,
    price_change_pct: 0,
  } satisfies MarketData,
});
let n = 0;
const order = (
  minute: number,
  action: 'BUY' | 'SELL',
  quantity: number,
  price: number,
  levels: [stop: number, take: number] = [0, 0],
  extra: Partial<OrderEvent> = {},
): ExchangeInput => ({
  kind: 'order',
  event: pendingOrder({
    order_id: `ORD-20240101-${String(++n).padStart(3, '0')}`,
    symbol: 'AAAUSDT',
    timestamp: at(minute),
    action,
    quantity,
    price,
    total_value: quantity * price,
    risk_management: { stop_loss: levels[0], take_profit: levels[1], stop_loss_pct: -2, take_profit_pct: 5 },
    ...extra,
  }),
});

/** A scripted market in which every kind of exit and cancel happens once; figures computed by hand. */
const script = (): ExchangeInput[] => {
  n = 0;
  return [
    order(0, 'BUY', 10, 100, [98, 105]), // 001
    bar(1, 100, 101, 99.5), // 001 fills at 100: pays 1000 + 1.00 fee
    bar(2, 100.5, 106, 100), // 001 take-profit at 105: +1050 - 1.05; pnl 47.95
    order(2, 'BUY', 20, 105, [102.9, 110.25]), // 002
    bar(3, 104, 104.5, 101), // 002 fills at 104 (2080 + 2.08), stop at 102.9 in the same bar (2058 - 2.058); pnl -26.138
    order(3, 'BUY', 50, 100, [95, 110]), // 003
    bar(4, 100, 100.5, 99), // 003 fills at 100: 5000 + 5.00
    order(4, 'BUY', 60, 100, [98, 105]), // 004: at the next open, 101: 6060 + 6.06 needed, 5016.812 there
    order(4, 'SELL', 50, 101), // 005 closes 003
    bar(5, 101, 102, 100.5), // 004 cancelled INSUFFICIENT_CASH; 005 fills at 101: 003 closed +5050 - 5.05, pnl 39.95
    order(5, 'BUY', 10, 95, [93, 99.75], { order_type: 'LIMIT', expires_at: at(7) }), // 006
    bar(6, 101, 101.5, 100), // 006 not crossed
    bar(7, 100, 100.4, 99.8), // 006 expired
    order(7, 'SELL', 1, 100), // 007: nothing to sell
    bar(8, 100, 100.5, 99.9), // 007 cancelled NO_POSITION
    order(8, 'BUY', 1, 100, [98, 102]), // 008
    bar(9, 100, 103, 97), // 008 fills at 100 (100 + 0.10); stop and take both touched: the stop, 98 (-0.098); pnl -2.198
    order(9, 'BUY', 10, 99, [97, 104], { order_type: 'LIMIT' }), // 009
    bar(10, 100, 100.2, 98.5), // 009 fills at its limit 99 (990 + 0.99), stays open
  ];
};

const run = (
  inputs: ExchangeInput[],
  state = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS),
): { state: ExchangeState; emitted: OrderEvent[] } => {
  const emitted: OrderEvent[] = [];
  for (const input of inputs) {
    const step = stepExchange(state, input, DEFAULT_EXCHANGE_SETTINGS);
    state = step.state;
    emitted.push(...step.emitted);
  }
  return { state, emitted };
};

describe('the virtual exchange on a scripted market', () => {
  const { state, emitted } = run(script());
  const eventsOf = (id: string): OrderEvent[] => emitted.filter((e) => e.order_id === `ORD-20240101-${id}`);

  it('fills, takes profit, stops out, sells, cancels for cash, expires and refuses a SELL with nothing to sell', () => {
    expect(
      eventsOf('001').map((e) => [
        e.status,
        e.status === 'CLOSED' ? e.exit_price : e.fill_price,
        e.close_reason,
      ]),
    ).toEqual([
      ['FILLED', 100, null],
      ['CLOSED', 105, 'TAKE_PROFIT'],
    ]);
    expect(eventsOf('002').map((e) => [e.status, e.close_reason, e.exit_price])).toEqual([
      ['FILLED', null, null],
      ['CLOSED', 'STOP_LOSS', 102.9],
    ]);
    expect(eventsOf('003').at(-1)).toMatchObject({
      status: 'CLOSED',
      close_reason: 'SELL_SIGNAL',
      exit_price: 101,
      exit_fee: 5.05,
      realized_pnl: 39.95,
    });
    expect(eventsOf('004')).toMatchObject([
      {
        status: 'CANCELLED',
        cancel_reason: 'INSUFFICIENT_CASH',
        cancel_detail: 'needs 6066.06 USDT, 5016.81 available',
      },
    ]);
    expect(eventsOf('005')).toMatchObject([
      { status: 'FILLED', fill_price: 101, closes_order_id: 'ORD-20240101-003' },
    ]);
    expect(eventsOf('006')).toMatchObject([
      { status: 'CANCELLED', cancel_reason: 'EXPIRED', event_time: at(7) },
    ]);
    expect(eventsOf('007')).toMatchObject([{ status: 'CANCELLED', cancel_reason: 'NO_POSITION' }]);
    expect(eventsOf('008').map((e) => [e.status, e.close_reason, e.exit_price, e.realized_pnl])).toEqual([
      ['FILLED', null, null, null],
      ['CLOSED', 'STOP_LOSS', 98, -2.198],
    ]);
    expect(eventsOf('009')).toMatchObject([{ status: 'FILLED', fill_price: 99, fill_fee: 0.99 }]);
  });

  it('ends with the cash, positions and PnL computed by hand', () => {
    const closes = emitted.filter((e) => e.status === 'CLOSED');
    expect(closes.map((e) => e.realized_pnl)).toEqual([47.95, -26.138, 39.95, -2.198]);
    // 10,000 + realized PnL 59.564 - the open position's cost 990 and fee 0.99.
    expect(state.cash).toBeCloseTo(9_068.574, 9);
    expect([...state.positions.values()]).toEqual([
      {
        orderId: 'ORD-20240101-009',
        symbol: 'AAAUSDT',
        quantity: 10,
        entryPrice: 99,
        entryFee: 0.99,
        openedAt: at(10),
        stopLoss: 97,
        takeProfit: 104,
      },
    ]);
    expect(state.pending).toEqual([]);
  });

  it('treats its own events read back from the log as no-ops', () => {
    let replayed = state;
    for (const event of emitted) replayed = evolveExchange(replayed, event).state;
    expect(replayed).toBe(state);
  });

  it('rebuilds the same state by folding the order log (orders and its own events) alone', () => {
    const log = script().flatMap((input) => (input.kind === 'order' ? [input.event] : []));
    let rebuilt = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS);
    // The log has each PENDING before the events the exchange appended for it.
    for (const event of [...log, ...emitted].sort(
      (a, b) => (a.event_time ?? a.timestamp) - (b.event_time ?? b.timestamp) || a.sequence - b.sequence,
    )) {
      rebuilt = evolveExchange(rebuilt, event).state;
    }
    expect(rebuilt.cash).toBeCloseTo(state.cash, 9);
    expect(rebuilt.positions).toEqual(state.positions);
    expect(rebuilt.pending).toEqual(state.pending);
  });

  it('gives the same result whichever of an order and a bar with the same timestamp comes first', () => {
    const inputs = script();
    const swapped = [...inputs];
    for (let i = 0; i + 1 < swapped.length; i++) {
      const [a, b] = [swapped[i] as ExchangeInput, swapped[i + 1] as ExchangeInput];
      const time = (x: ExchangeInput): number => (x.kind === 'bar' ? x.bar.timestamp : x.event.timestamp);
      if (a.kind === 'bar' && b.kind === 'order' && time(a) === time(b))
        [swapped[i], swapped[i + 1]] = [b, a];
    }
    expect(swapped).not.toEqual(inputs);
    expect(run(swapped).emitted).toEqual(emitted);
  });
});
