import type { PortfolioState } from '../../projections/portfolio/index.ts';

/**
 * Where the engine reads the portfolio it decides on: the ledger's projection, once it has
 * settled everything up to `time` (the signal's event time). Orders the engine decided earlier in
 * the same batch of signals are not in the log yet (they are appended with the batch's commit),
 * so an implementation must not wait for them; the engine's own state accounts for them.
 */
export interface PortfolioSource {
  portfolioAt(time: number): Promise<PortfolioState>;
}
