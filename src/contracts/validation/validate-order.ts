import { type OrderEvent, OrderActionValues } from '../generated/avro-types.ts';
import { RuleCheck, SYMBOL_PATTERN } from './rules.ts';
import type { Violation } from './violation.ts';

export const ORDER_ID_PATTERN = /^ORD-\d{8}-\d{3,}$/;

/** total_value may differ from quantity * price by rounding: half a cent, or 1e-9 relative on large values. */
export const totalValueTolerance = (expected: number): number => Math.max(0.005, Math.abs(expected) * 1e-9);

/** The spec's rules for crypto.orders, plus the fields each status must carry. */
export function validateOrder(order: OrderEvent): Violation[] {
  const check = new RuleCheck();
  check.matches('order_id', order.order_id, ORDER_ID_PATTERN, 'ORD-YYYYMMDD-NNN');
  check.matches('symbol', order.symbol, SYMBOL_PATTERN, 'a USDT pair such as BTCUSDT');
  check.oneOf('action', order.action, OrderActionValues);
  check.positive('quantity', order.quantity);
  check.positive('price', order.price);
  if (check.finite('total_value', order.total_value)) {
    const expected = order.quantity * order.price;
    check.that(
      Math.abs(order.total_value - expected) <= totalValueTolerance(expected),
      'total_value',
      order.total_value,
      () => `must equal quantity * price = ${expected} (tolerance ${totalValueTolerance(expected)})`,
    );
  }
  const risk = order.risk_management;
  if (order.action === 'BUY') {
    check.that(
      risk.stop_loss < order.price,
      'risk_management.stop_loss',
      risk.stop_loss,
      () => `must be < price (${order.price}) for a BUY`,
    );
    check.that(
      risk.take_profit > order.price,
      'risk_management.take_profit',
      risk.take_profit,
      () => `must be > price (${order.price}) for a BUY`,
    );
  }
  check.between('trigger_signal.confidence', order.trigger_signal.confidence, 0, 1);
  check.that(
    Number.isInteger(order.sequence) && order.sequence >= 0,
    'sequence',
    order.sequence,
    'must be a non-negative integer',
  );
  requireStatusFields(order, check);
  checkOutcomeNumbers(order, check);
  return check.violations;
}

/**
 * A fill's or a close's numbers, where an event carries them, must be numbers a ledger can add:
 * one NaN fill price would turn the portfolio's cash into NaN for good.
 */
function checkOutcomeNumbers(order: OrderEvent, check: RuleCheck): void {
  for (const field of ['fill_price', 'exit_price'] as const) {
    const value = order[field];
    if (value !== null) check.positive(field, value);
  }
  for (const field of ['fill_fee', 'exit_fee'] as const) {
    const value = order[field];
    if (value !== null) check.nonNegative(field, value);
  }
  if (order.realized_pnl !== null) check.finite('realized_pnl', order.realized_pnl);
}

/** The fields each status must carry besides the PENDING order's. */
const STATUS_FIELDS: Readonly<Record<OrderEvent['status'], readonly (keyof OrderEvent)[]>> = {
  PENDING: [],
  FILLED: ['event_time', 'fill_price', 'fill_fee'],
  CLOSED: ['event_time', 'fill_price', 'exit_price', 'close_reason', 'realized_pnl'],
  CANCELLED: ['event_time', 'cancel_reason'],
};

function requireStatusFields(order: OrderEvent, check: RuleCheck): void {
  for (const field of STATUS_FIELDS[order.status] ?? [])
    if (order[field] === null) check.that(false, field, null, `is required when status is ${order.status}`);
}
