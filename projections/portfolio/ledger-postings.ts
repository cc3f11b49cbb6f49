import type { OrderEvent } from '../../src/contracts/index.ts';

/** Accounts of the double-entry ledger; a position account holds the symbol at cost. */
export type Account = 'cash' | 'capital' | 'fees' | 'realized_pnl' | `position:${string}`;

/** One balanced posting: its lines sum to zero (debits positive, credits negative). */
export interface Posting {
  readonly time: number;
  readonly orderId: string;
  readonly description: string;
  readonly lines: ReadonlyArray<{ readonly account: Account; readonly amount: number }>;
}

export const depositPosting = (time: number, amount: number): Posting => ({
  time,
  orderId: '',
  description: 'initial paper capital',
  lines: [
    { account: 'cash', amount },
    { account: 'capital', amount: -amount },
  ],
});

/**
 * The ledger lines of an order event. A BUY fill moves cash into the position at cost and into
 * fees; a close moves the position out at cost, the proceeds into cash, the exit fee into fees,
 * and the difference into realized PnL. A SELL's own fill posts nothing: the CLOSED events of the
 * positions it closes carry its proceeds and fees. PENDING and CANCELLED move no money.
 */
export function postingsOf(event: OrderEvent): Posting[] {
  const time = event.event_time ?? event.timestamp;
  if (event.status === 'FILLED' && event.action === 'BUY') {
    const cost = event.quantity * (event.fill_price ?? event.price);
    const fee = event.fill_fee ?? 0;
    return [
      {
        time,
        orderId: event.order_id,
        description: `buy ${event.quantity} ${event.symbol} at ${event.fill_price}`,
        lines: [
          { account: `position:${event.symbol}`, amount: cost },
          { account: 'fees', amount: fee },
          { account: 'cash', amount: -(cost + fee) },
        ],
      },
    ];
  }
  if (event.status === 'CLOSED') {
    const cost = event.quantity * (event.fill_price ?? event.price);
    const proceeds = event.quantity * (event.exit_price ?? 0);
    const fee = event.exit_fee ?? 0;
    return [
      {
        time,
        orderId: event.order_id,
        description: `close ${event.quantity} ${event.symbol} at ${event.exit_price} (${event.close_reason})`,
        lines: [
          { account: 'cash', amount: proceeds - fee },
          { account: 'fees', amount: fee },
          { account: `position:${event.symbol}`, amount: -cost },
          { account: 'realized_pnl', amount: cost - proceeds },
        ],
      },
    ];
  }
  return [];
}
