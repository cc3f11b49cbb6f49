import { equityOf, type PortfolioState } from '../../projections/portfolio/portfolio-fold.ts';

export interface PositionView {
  symbol: string;
  quantity: number;
  averageEntry: number;
  markPrice: number;
  marketValue: number;
  unrealizedPnl: number;
}

export interface PortfolioView {
  cash: number;
  equity: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  /** Market value of the positions as a share of equity. */
  exposure: number;
  drawdown: number;
  asOf: number;
  positions: PositionView[];
}

/** What GET /portfolio shows, computed from the projection's state. */
export function portfolioView(state: PortfolioState): PortfolioView {
  const positions = [...state.holdings.values()].map((h) => ({
    symbol: h.symbol,
    quantity: h.quantity,
    averageEntry: h.quantity > 0 ? h.cost / h.quantity : 0,
    markPrice: h.markPrice,
    marketValue: h.quantity * h.markPrice,
    unrealizedPnl: h.quantity * h.markPrice - h.cost,
  }));
  const equity = equityOf(state);
  const invested = positions.reduce((sum, p) => sum + p.marketValue, 0);
  return {
    cash: state.cash,
    equity,
    realizedPnl: state.realizedPnl,
    unrealizedPnl: positions.reduce((sum, p) => sum + p.unrealizedPnl, 0),
    fees: state.fees,
    exposure: equity > 0 ? invested / equity : 0,
    drawdown: state.peakEquity > 0 ? Math.max(0, (state.peakEquity - equity) / state.peakEquity) : 0,
    asOf: state.lastTime,
    positions,
  };
}
