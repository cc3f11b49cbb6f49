import type { MarketData, OrderEvent } from '../../src/contracts/index.ts';
import { foldPortfolio, markBars, type PortfolioState } from './portfolio-fold.ts';

const timeOf = (event: OrderEvent): number => event.event_time ?? event.timestamp;

/**
 * Brings the portfolio a decision reads up to a time: the bars settled since the last catch-up
 * (in event-time order) and the order events written since (in log order), interleaved so that
 * the events before a bar's time come before it and the bar comes before its own fills and
 * closes. The rule both drivers share: `PortfolioAtTime` over the log, the research engine in
 * memory, so the marks and the peak equity a decision sees are the same in both.
 */
export function catchUpPortfolio(
  state: PortfolioState,
  bars: Iterable<MarketData>,
  orders: readonly OrderEvent[],
): PortfolioState {
  let next = state;
  let folded = 0;
  const list = Array.isArray(bars) ? (bars as readonly MarketData[]) : [...bars];
  let run = 0;
  for (let i = 0; i < list.length; i++) {
    const time = (list[i] as MarketData).timestamp;
    if (folded < orders.length && timeOf(orders[folded] as OrderEvent) < time) {
      // The bars before this one have no order event between them: folded as one run.
      next = markBars(next, list, run, i);
      run = i;
      while (folded < orders.length && timeOf(orders[folded] as OrderEvent) < time)
        next = foldPortfolio(next, { kind: 'order', event: orders[folded++] as OrderEvent }).state;
    }
  }
  next = markBars(next, list, run, list.length);
  while (folded < orders.length)
    next = foldPortfolio(next, { kind: 'order', event: orders[folded++] as OrderEvent }).state;
  return next;
}
