import type { Key, RootDatabase } from 'lmdb';
import type { OrderEvent, OrderStatus } from '../../src/contracts/index.ts';

/**
 * The orders' latest snapshots, for listing: `['latest', orderId]` holds each order's latest event
 * and `['status', status, orderId]` indexes them by status. Both are updated in the projection's
 * write transaction, with the order-history rows they are derived from.
 */
export interface OrderQuery {
  readonly status?: OrderStatus;
  readonly symbol?: string;
  /** Order id after which the page starts (exclusive); ids sort as they are issued. */
  readonly after?: string;
  readonly limit: number;
}

export interface OrderPage {
  readonly orders: OrderEvent[];
  /** Order id to pass as `after` for the next page; undefined on the last page. */
  readonly next?: string;
}

type Db = RootDatabase<unknown, Key[]>;

/** Records an applied event as its order's latest snapshot; call inside a write transaction. */
export function indexOrderEvent(db: Db, event: OrderEvent): void {
  const previous = db.get(['latest', event.order_id]) as OrderEvent | undefined;
  if (previous !== undefined) void db.remove(['status', previous.status, previous.order_id]);
  void db.put(['latest', event.order_id], event);
  void db.put(['status', event.status, event.order_id], null);
}

/**
 * One page of orders in id order. A status filter walks its index; a symbol filter is applied
 * while walking, so a rare symbol may read many entries for one page.
 */
export function listOrders(db: Db, query: OrderQuery): OrderPage {
  const after = query.after === undefined ? '' : `${query.after}\u0000`;
  const ids =
    query.status === undefined
      ? db.getKeys({ start: ['latest', after], end: ['latest\u0000'] }).map((key) => key[1] as string)
      : db
          .getKeys({ start: ['status', query.status, after], end: ['status', `${query.status}\u0000`] })
          .map((key) => key[2] as string);
  const orders: OrderEvent[] = [];
  for (const id of ids) {
    const event = db.get(['latest', id]) as OrderEvent | undefined;
    if (event === undefined || (query.symbol !== undefined && event.symbol !== query.symbol)) continue;
    if (orders.length === query.limit) return { orders, next: orders.at(-1)?.order_id };
    orders.push(event);
  }
  return { orders };
}

/** The latest `limit` orders' snapshots, newest id first (ids sort as they are issued). */
export function listRecentOrders(db: Db, limit: number): OrderEvent[] {
  return [...db.getRange({ start: ['latest\u0000'], end: ['latest'], reverse: true, limit })].map(
    ({ value }) => value as OrderEvent,
  );
}

/** Builds the index from the order-history rows, for a store written before the index existed. */
export function backfillOrderIndex(db: Db): void {
  db.transactionSync(() => {
    for (const { value } of db.getRange({ start: ['order'], end: ['order\u0000'] }))
      indexOrderEvent(db, value as OrderEvent);
  });
}
