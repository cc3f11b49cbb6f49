import type { PortfolioState } from '../../projections/portfolio/index.ts';

/**
 * Where the engine reads the portfolio it decides on: the ledger's projection, once it has
 * settled everything up to `time` (the signal's event time); see
 * projections/portfolio/portfolio-at-time.ts. It may throw when the reader stops.
 */
export interface PortfolioSource {
  portfolioAt(time: number): Promise<PortfolioState>;
}
