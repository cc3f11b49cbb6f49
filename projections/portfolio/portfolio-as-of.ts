import {
  foldPortfolio,
  initialPortfolio,
  type PortfolioInput,
  type PortfolioState,
} from './portfolio-fold.ts';

/**
 * One input that changed the portfolio (an applied order event, or a bar that marked a holding),
 * in the order the projection folded it. Inputs that changed nothing (duplicates, rejected events,
 * bars of symbols not held) are not journaled: re-folding them would be a no-op anyway.
 */
export interface JournalEntry {
  readonly input: PortfolioInput;
  /** Event time: the order event's `event_time` (its `timestamp` when PENDING), or the bar's. */
  readonly time: number;
  /** Offset of the order event in crypto.orders (one partition), when folded from the log. */
  readonly ordersOffset?: number;
}

/** Where to stop: at an event time (inclusive), or before an offset of crypto.orders. */
export type AsOf =
  { readonly kind: 'time'; readonly at: number } | { readonly kind: 'offset'; readonly offset: number };

export const journalTimeOf = (input: PortfolioInput): number =>
  input.kind === 'bar' ? input.bar.timestamp : (input.event.event_time ?? input.event.timestamp);

/**
 * The portfolio as of a point in the past, re-folded from the journal, pure.
 * - `time`: every journaled input whose event time is at or before it, in fold order.
 * - `offset`: what the projection had folded just before it reached that offset of crypto.orders
 *   (the order events below it, and the marks folded before the first event at or past it).
 * Cost: one fold step per journaled input up to the point (a time cut reads the whole journal,
 * since event times are not ordered across topics); no snapshot is kept.
 */
export function portfolioAsOf(
  initialCash: number,
  journal: Iterable<JournalEntry>,
  asOf: AsOf,
): PortfolioState {
  let { state } = initialPortfolio(initialCash);
  for (const entry of journal) {
    if (asOf.kind === 'offset') {
      if (entry.ordersOffset !== undefined && entry.ordersOffset >= asOf.offset) break;
    } else if (entry.time > asOf.at) continue;
    state = foldPortfolio(state, entry.input).state;
  }
  return state;
}
