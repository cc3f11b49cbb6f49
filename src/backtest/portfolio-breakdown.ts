import type { OrderEvent } from '../contracts/index.ts';
import { equityOf, type ClosedTrade, type PortfolioState } from '../../projections/portfolio/index.ts';

/** A position still open when the backtest ends, marked at its symbol's last close. */
export interface OpenPosition {
  readonly orderId: string;
  readonly symbol: string;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly quantity: number;
  readonly markPrice: number;
  readonly entryFee: number;
  /** quantity x (mark - entry) - the entry fee: what closing at the mark would realize, before the exit fee. */
  readonly unrealizedPnl: number;
}

export interface SymbolFigures {
  readonly symbol: string;
  readonly trades: number;
  readonly winRatePct: number;
  /** Closed trades, net of their fees. */
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  /** Every fee paid on the symbol (entries and exits). */
  readonly fees: number;
  readonly openPositions: number;
  readonly firstClose: number;
  readonly lastClose: number;
  readonly buyAndHoldReturnPct: number;
}

/** How the run's PnL adds up to the change in equity. */
export interface Reconciliation {
  readonly initialEquity: number;
  readonly finalEquity: number;
  /** Closed trades, net of entry and exit fees. */
  readonly realizedPnl: number;
  /** Open positions at their mark, net of their entry fees. */
  readonly unrealizedPnl: number;
  /** Included in the two above. */
  readonly fees: number;
  /** final - initial - (realized + unrealized): rounding of the exchange's PnL, a few 1e-8 at most. */
  readonly gap: number;
}

export interface PortfolioBreakdown {
  readonly symbols: SymbolFigures[];
  readonly open: OpenPosition[];
  readonly reconciliation: Reconciliation;
  /** Buy and hold of every symbol with an equal share of the account at the start. */
  readonly equalWeightBuyAndHoldPct: number;
}

const feeOf = (event: OrderEvent): number =>
  (event.status === 'FILLED' && event.action === 'BUY' ? (event.fill_fee ?? 0) : 0) +
  (event.status === 'CLOSED' ? (event.exit_fee ?? 0) : 0);

/**
 * Per-symbol and total figures of a run, from the portfolio folded over its orders and bars (the
 * ledger projection's own state), its closed trades, its order events and each symbol's first and
 * last traded close.
 */
export function portfolioBreakdown(input: {
  readonly final: PortfolioState;
  readonly trades: readonly ClosedTrade[];
  readonly orders: readonly OrderEvent[];
  readonly closes: ReadonlyMap<string, { readonly first: number; readonly last: number }>;
}): PortfolioBreakdown {
  const { final } = input;
  const open: OpenPosition[] = [...final.lots].map(([orderId, lot]) => {
    const filled = final.orders.get(orderId);
    const markPrice = final.holdings.get(lot.symbol)?.markPrice ?? lot.cost / lot.quantity;
    const entryFee = filled?.fill_fee ?? 0;
    return {
      orderId,
      symbol: lot.symbol,
      entryTime: filled?.event_time ?? filled?.timestamp ?? 0,
      entryPrice: lot.cost / lot.quantity,
      quantity: lot.quantity,
      markPrice,
      entryFee,
      unrealizedPnl: lot.quantity * markPrice - lot.cost - entryFee,
    };
  });
  const symbols = [...input.closes].map(([symbol, close]): SymbolFigures => {
    const trades = input.trades.filter((t) => t.symbol === symbol);
    const held = open.filter((p) => p.symbol === symbol);
    return {
      symbol,
      trades: trades.length,
      winRatePct:
        trades.length > 0 ? (trades.filter((t) => t.realizedPnl > 0).length / trades.length) * 100 : 0,
      realizedPnl: trades.reduce((s, t) => s + t.realizedPnl, 0),
      unrealizedPnl: held.reduce((s, p) => s + p.unrealizedPnl, 0),
      fees: input.orders.filter((e) => e.symbol === symbol).reduce((s, e) => s + feeOf(e), 0),
      openPositions: held.length,
      firstClose: close.first,
      lastClose: close.last,
      buyAndHoldReturnPct: (close.last / close.first - 1) * 100,
    };
  });
  const realizedPnl = input.trades.reduce((s, t) => s + t.realizedPnl, 0);
  const unrealizedPnl = open.reduce((s, p) => s + p.unrealizedPnl, 0);
  const finalEquity = equityOf(final);
  return {
    symbols,
    open,
    reconciliation: {
      initialEquity: final.initialCash,
      finalEquity,
      realizedPnl,
      unrealizedPnl,
      fees: final.fees,
      gap: finalEquity - final.initialCash - realizedPnl - unrealizedPnl,
    },
    equalWeightBuyAndHoldPct:
      symbols.length > 0 ? symbols.reduce((s, f) => s + f.buyAndHoldReturnPct, 0) / symbols.length : 0,
  };
}
