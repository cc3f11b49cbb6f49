import { describe, expect, it } from 'vitest';
import { closeEvent, decideCancel, decideReset } from '../../../src/api/order-commands.ts';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import { pendingOrder, T0 } from '../../support/messages.ts';

const filled = (overrides: Partial<OrderEvent> = {}): OrderEvent =>
  pendingOrder({
    status: 'FILLED',
    sequence: 1,
    event_time: T0 + 60_000,
    fill_price: 100,
    fill_fee: 0.1,
    quantity: 1,
    price: 100,
    total_value: 100,
    ...overrides,
  });

describe('manual cancel and account reset, pure', () => {
  it('given a PENDING order, when cancelled, then a CANCELLED event (MANUAL) at the later of now and its time', () => {
    const order = pendingOrder();
    expect(decideCancel(order, T0 + 5)).toEqual({
      kind: 'cancel',
      event: {
        ...order,
        status: 'CANCELLED',
        sequence: 1,
        event_time: T0 + 5,
        cancel_reason: 'MANUAL',
        cancel_detail: 'cancelled through the API',
      },
    });
    // A clock behind the order never puts the cancel before it.
    expect(decideCancel(order, T0 - 1_000)).toMatchObject({ kind: 'cancel', event: { event_time: T0 } });
  });

  it('given anything but PENDING, when cancelled, then refused with its status', () => {
    expect(decideCancel(filled(), T0)).toMatchObject({
      kind: 'refused',
      status: 'FILLED',
      reason: 'CANCELLED conflicts with FILLED at sequence 1',
    });
    const cancelled = {
      ...pendingOrder(),
      status: 'CANCELLED' as const,
      sequence: 1,
      event_time: T0,
      cancel_reason: 'EXPIRED' as const,
    };
    expect(decideCancel(cancelled, T0)).toMatchObject({
      kind: 'refused',
      status: 'CANCELLED',
      reason: 'CANCELLED already',
    });
  });

  it('closes at a price with the exit fee and PnL net of both fees', () => {
    // 1 x (110 - 100) - 0.1 entry fee - 0.11 exit fee
    expect(closeEvent(filled(), 110, 0.001, T0 + 120_000)).toMatchObject({
      status: 'CLOSED',
      sequence: 2,
      event_time: T0 + 120_000,
      exit_price: 110,
      exit_fee: 0.11,
      close_reason: 'MANUAL',
      realized_pnl: 9.79,
    });
  });

  it('given open orders and marks, when reset, then PENDING cancelled, filled BUYs closed at their mark (fill price without one), filled SELLs left', () => {
    const open = [
      pendingOrder({ order_id: 'ORD-20240101-001' }),
      filled({ order_id: 'ORD-20240101-002', symbol: 'ETHUSDT' }),
      filled({ order_id: 'ORD-20240101-003', symbol: 'SOLUSDT' }),
      filled({ order_id: 'ORD-20240101-004', action: 'SELL' }),
    ];
    const reset = decideReset(open, new Map([['ETHUSDT', 90]]), 0.001, T0 + 300_000);
    expect(reset.cancelled).toEqual(['ORD-20240101-001']);
    expect(reset.closed).toEqual(['ORD-20240101-002', 'ORD-20240101-003']);
    expect(reset.events.map((e) => [e.order_id, e.status, e.exit_price, e.realized_pnl])).toEqual([
      ['ORD-20240101-001', 'CANCELLED', null, null],
      ['ORD-20240101-002', 'CLOSED', 90, -10.19],
      ['ORD-20240101-003', 'CLOSED', 100, -0.2],
    ]);
  });
});
