import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import type { ExchangeInput } from '../../../streams/exchange/exchange-decide.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  evolveExchange,
  initialExchangeState,
} from '../../../streams/exchange/exchange-state.ts';
import { at, run, script } from '../../support/exchange-script.ts';

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
