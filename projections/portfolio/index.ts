/** The portfolio read models: the current portfolio, the double-entry ledger, trades and the equity curve, folded from the log. */
export {
  byExitThenOrderId,
  foldPortfolio,
  initialPortfolio,
  equityOf,
  markBars,
  type PortfolioState,
  type PortfolioInput,
  type PortfolioRows,
  type ClosedTrade,
  type EquityPoint,
  type Holding,
} from './portfolio-fold.ts';
export { catchUpPortfolio } from './portfolio-catch-up.ts';
export { portfolioStateHash } from './state-hash.ts';
export { postingsOf, depositPosting, type Posting, type Account } from './ledger-postings.ts';
export { portfolioAsOf, type AsOf, type JournalEntry } from './portfolio-as-of.ts';
export { type OrderQuery, type OrderPage } from './order-index.ts';
