import { createHash } from 'node:crypto';
import type { PortfolioState } from './portfolio-fold.ts';

const cents = (value: number): string => value.toFixed(8);

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
    balances: [...state.balances].map(([account, amount]) => [account, cents(amount)]).sort(),
    lots: [...state.lots].map(([id, lot]) => [id, lot.symbol, cents(lot.quantity), cents(lot.cost)]).sort(),
    orders: [...state.orders].map(([id, order]) => [id, order.status, order.sequence]).sort(),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
