import type { MarketData, OrderEvent } from '../contracts/index.ts';
import {
  equityOf,
  foldPortfolio,
  initialPortfolio,
  type PortfolioState,
} from '../../projections/portfolio/index.ts';

export interface EquitySample {
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  /** Whether any position was open at the bar's close. */
  readonly exposed: boolean;
}

/**
 * The equity at every bar's close, by the ledger projection's own fold over the run's bars and
 * order events in event-time order (a bar's close after the events it caused): the report and the
 * projection cannot disagree on cash, fees or PnL.
 */
export function equitySeries(
  bars: readonly MarketData[],
  events: readonly OrderEvent[],
  initialCash: number,
): { samples: EquitySample[]; final: PortfolioState } {
  const timeOf = (event: OrderEvent): number => event.event_time ?? event.timestamp;
  let state = initialPortfolio(initialCash).state;
  const samples: EquitySample[] = [];
  let next = 0;
  for (const bar of bars) {
    // The bar's own fills and closes happen within it: its close sees them.
    while (next < events.length && timeOf(events[next] as OrderEvent) <= bar.timestamp)
      state = foldPortfolio(state, { kind: 'order', event: events[next++] as OrderEvent }).state;
    state = foldPortfolio(state, { kind: 'bar', bar }).state;
    samples.push({
      time: bar.timestamp,
      equity: equityOf(state),
      cash: state.cash,
      exposed: state.lots.size > 0,
    });
  }
  while (next < events.length)
    state = foldPortfolio(state, { kind: 'order', event: events[next++] as OrderEvent }).state;
  return { samples, final: state };
}
