import type { OrderEvent, OrderStatus } from '../contracts/index.ts';
import { evolveOrder } from '../ledger/order-transitions.ts';

export type CancelDecision =
  | { readonly kind: 'cancel'; readonly event: OrderEvent }
  | { readonly kind: 'refused'; readonly status: OrderStatus; readonly reason: string };

const round = (value: number): number => Number(value.toFixed(8));
const eventTime = (order: OrderEvent, now: number): number =>
  Math.max(now, order.event_time ?? order.timestamp);

/**
 * A manual cancel, pure: the order's latest snapshot and the time give the CANCELLED event to
 * append, or a refusal with the order's status; the order state machine decides (only PENDING
 * may become CANCELLED, and a repeat is refused too, since nothing would change).
 */
export function decideCancel(order: OrderEvent, now: number): CancelDecision {
  const event: OrderEvent = {
    ...order,
    status: 'CANCELLED',
    sequence: 1,
    event_time: eventTime(order, now),
    cancel_reason: 'MANUAL',
    cancel_detail: 'cancelled through the API',
  };
  const result = evolveOrder(order, event);
  return result.kind === 'applied'
    ? { kind: 'cancel', event }
    : {
        kind: 'refused',
        status: order.status,
        reason: result.kind === 'duplicate' ? `${order.status} already` : result.reason,
      };
}

/** A manual close of a filled BUY at a price, with the exit fee and the round trip's PnL net of both fees. */
export function closeEvent(order: OrderEvent, price: number, feeRate: number, now: number): OrderEvent {
  const entry = order.fill_price ?? order.price;
  const exitFee = round(order.quantity * price * feeRate);
  return {
    ...order,
    status: 'CLOSED',
    sequence: 2,
    event_time: eventTime(order, now),
    exit_price: price,
    exit_fee: exitFee,
    close_reason: 'MANUAL',
    realized_pnl: round(order.quantity * (price - entry) - (order.fill_fee ?? 0) - exitFee),
  };
}

export interface AccountReset {
  readonly events: OrderEvent[];
  readonly cancelled: string[];
  readonly closed: string[];
}

/**
 * The paper-account reset, pure and event-sourced: every PENDING order gets a CANCELLED event
 * (MANUAL) and every open position (a FILLED BUY) a CLOSED event (MANUAL) at its symbol's mark
 * price, with the exchange's fee, so cash, positions and the double-entry ledger stay what a fold
 * of the log says. Afterwards the account holds cash only, and the history stays in the log.
 * Restoring the initial cash is not in scope: there is no order event that moves money without a
 * trade, so cash after a reset is the initial capital plus the realized PnL.
 *
 * @param marks the last price of each symbol; a position without one closes at its fill price.
 */
export function decideReset(
  open: readonly OrderEvent[],
  marks: ReadonlyMap<string, number>,
  feeRate: number,
  now: number,
): AccountReset {
  const reset: AccountReset = { events: [], cancelled: [], closed: [] };
  for (const order of open) {
    if (order.status === 'PENDING') {
      const decision = decideCancel(order, now);
      if (decision.kind === 'cancel') {
        reset.events.push(decision.event);
        reset.cancelled.push(order.order_id);
      }
    } else if (order.status === 'FILLED' && order.action === 'BUY') {
      const event = closeEvent(
        order,
        marks.get(order.symbol) ?? order.fill_price ?? order.price,
        feeRate,
        now,
      );
      if (evolveOrder(order, event).kind === 'applied') {
        reset.events.push(event);
        reset.closed.push(order.order_id);
      }
    }
  }
  return reset;
}
