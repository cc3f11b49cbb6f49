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
    if (settled !== undefined) next = evolveDecision(next, settled);
  }
  const expired = [...next.orders.values()].filter(
    (o) => o.closedAt !== null && o.closedAt <= time - cooldownMs,
  );
  if (expired.length === 0) return next;
  const orders = new Map(next.orders);
  for (const order of expired) orders.delete(order.orderId);
  return { ...next, orders };
}
