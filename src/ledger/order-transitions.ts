import type { OrderEvent, OrderStatus } from '../contracts/index.ts';

/** The per-order event sequence of each status: (order_id, sequence) identifies an event. */
export const SEQUENCE_OF: Readonly<Record<OrderStatus, number>> = {
  PENDING: 0,
  FILLED: 1,
  CANCELLED: 1,
  CLOSED: 2,
};

/** PENDING -> FILLED -> CLOSED, PENDING -> CANCELLED; nothing else. */
const NEXT: Readonly<Record<OrderStatus | 'NEW', readonly OrderStatus[]>> = {
  NEW: ['PENDING'],
  PENDING: ['FILLED', 'CANCELLED'],
  FILLED: ['CLOSED'],
  CANCELLED: [],
  CLOSED: [],
};

export type TransitionResult =
  | { readonly kind: 'applied'; readonly order: OrderEvent }
  /** The same event again (same order id and sequence): a no-op, never a second fill. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * The order state machine, pure: the order's current snapshot (undefined before its first event)
 * and an event give the new snapshot, a duplicate, or a rejection with the reason.
 */
export function evolveOrder(current: OrderEvent | undefined, event: OrderEvent): TransitionResult {
  if (current !== undefined && current.order_id !== event.order_id) {
    return { kind: 'rejected', reason: `event of ${event.order_id} applied to ${current.order_id}` };
  }
  if (event.sequence !== SEQUENCE_OF[event.status]) {
    return {
      kind: 'rejected',
      reason: `${event.status} must have sequence ${SEQUENCE_OF[event.status]}, not ${event.sequence}`,
    };
  }
  if (current !== undefined && event.sequence < current.sequence) {
    // A late repeat of a step the order already passed is harmless; anything else contradicts it.
    return isEarlierStep(event.status, current.status)
      ? { kind: 'duplicate' }
      : { kind: 'rejected', reason: `${event.status} cannot follow ${current.status}` };
  }
  if (current !== undefined && event.sequence === current.sequence) {
    return event.status === current.status
      ? { kind: 'duplicate' }
      : {
          kind: 'rejected',
          reason: `${event.status} conflicts with ${current.status} at sequence ${event.sequence}`,
        };
  }
  const from = current?.status ?? 'NEW';
  if (!NEXT[from].includes(event.status)) {
    return {
      kind: 'rejected',
      reason: `${from === 'NEW' ? 'an unknown order' : from} cannot become ${event.status}`,
    };
  }
  return { kind: 'applied', order: event };
}

/** Whether `earlier` is a status the order passed through on its way to `now` (a late repeat). */
function isEarlierStep(earlier: OrderStatus, now: OrderStatus): boolean {
  if (earlier === 'PENDING') return true;
  return earlier === 'FILLED' && now === 'CLOSED';
}
