import { createHash } from 'node:crypto';
import type { PortfolioState } from './portfolio-fold.ts';

const cents = (value: number): string => value.toFixed(8);

/**
 * The order `Array.prototype.sort()` gives (by each item's string form, stably), with each string
 * formed once instead of at every comparison.
 */
function sortedByString<T>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ key: String(item), item }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}

/**
 * A hash of what the order log alone determines: cash, account balances, open lots, totals and
 * every order's last status. Marks (mark prices, equity, peak) are left out: they depend on when
 * a bar was folded relative to the orders, while everything hashed must be the same bit for bit
 * for a live run and a rebuild of its log.
 */
export function portfolioStateHash(state: PortfolioState): string {
  const canonical = {
    cash: cents(state.cash),
    realizedPnl: cents(state.realizedPnl),
    fees: cents(state.fees),
    balances: sortedByString([...state.balances].map(([account, amount]) => [account, cents(amount)])),
    lots: sortedByString(
      [...state.lots].map(([id, lot]) => [id, lot.symbol, cents(lot.quantity), cents(lot.cost)]),
    ),
    orders: sortedByString([...state.orders].map(([id, order]) => [id, order.status, order.sequence])),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
