import type { PortfolioState } from '../../projections/portfolio/index.ts';
import { evolveDecision, type DecisionState } from './decision-state.ts';

/**
 * Brings the tracked orders up to what the portfolio (settled up to the signal's event time)
 * knows: the engine's own fold of crypto.orders may lag the ledger, and the portfolio is what the
 * decision must agree with. Then drops closed orders whose cooldown has passed at `time`.
 */
export function reconcileWithPortfolio(
  state: DecisionState,
  portfolio: PortfolioState,
  time: number,
  cooldownMs: number,
): DecisionState {
  let next = state;
  for (const tracked of state.orders.values()) {
    const settled = portfolio.orders.get(tracked.orderId);
    // Same status: a repeat, which changes nothing (the order's id was counted when it was tracked).
    if (settled !== undefined && settled.status !== tracked.status) next = evolveDecision(next, settled);
  }
  let expired: string[] | undefined;
  for (const o of next.orders.values())
    if (o.closedAt !== null && o.closedAt <= time - cooldownMs) (expired ??= []).push(o.orderId);
  if (expired === undefined) return next;
  const orders = new Map(next.orders);
  for (const id of expired) orders.delete(id);
  return { ...next, orders };
}
