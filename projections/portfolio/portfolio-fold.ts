import { Map as PersistentMap } from 'immutable';
import type { MarketData, OrderEvent } from '../../src/contracts/index.ts';
import { evolveOrder } from '../../src/ledger/order-transitions.ts';
import { depositPosting, postingsOf, type Account, type Posting } from './ledger-postings.ts';

export interface Holding {
  readonly symbol: string;
  readonly quantity: number;
  /** Cost of the open lots, fees excluded. */
  readonly cost: number;
  readonly markPrice: number;
}

/** The small, always-current part of the portfolio read model; history goes out as rows. */
export interface PortfolioState {
  readonly initialCash: number;
  readonly cash: number;
  readonly balances: ReadonlyMap<Account, number>;
  readonly holdings: ReadonlyMap<string, Holding>;
  /** Open BUY orders per symbol, with their quantity and cost, so a close can be attributed. */
  readonly lots: ReadonlyMap<
    string,
    { readonly symbol: string; readonly quantity: number; readonly cost: number }
  >;
  /** Every order's latest event; persistent (shared structure), since it grows with every order. */
  readonly orders: PersistentMap<string, OrderEvent>;
  readonly realizedPnl: number;
  readonly fees: number;
  readonly peakEquity: number;
  readonly lastTime: number;
}

export interface ClosedTrade {
  readonly orderId: string;
  readonly symbol: string;
  readonly quantity: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  readonly fees: number;
  readonly realizedPnl: number;
  readonly reason: string;
}

/** The order the read model lists closed trades in (its keys): by exit time, then order id. */
export const byExitThenOrderId = (a: ClosedTrade, b: ClosedTrade): number =>
  a.exitTime - b.exitTime || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  /** Below the peak so far, as a fraction (0.05 = 5 %). */
  readonly drawdown: number;
}

/** What one input adds to the append-only read models: ledger postings, order history, trades, the equity curve. */
export interface PortfolioRows {
  readonly postings: readonly Posting[];
  readonly orderEvent?: OrderEvent;
  readonly trade?: ClosedTrade;
  readonly equity?: EquityPoint;
  /** The bar that marked a holding: with `orderEvent`, what a re-fold up to a past point needs. */
  readonly mark?: MarketData;
}

export type PortfolioInput =
  { readonly kind: 'order'; readonly event: OrderEvent } | { readonly kind: 'bar'; readonly bar: MarketData };

export function initialPortfolio(initialCash: number): { state: PortfolioState; rows: PortfolioRows } {
  const posting = depositPosting(0, initialCash);
  return {
    state: {
      initialCash,
      cash: initialCash,
      balances: applyPostings(new Map(), [posting]),
      holdings: new Map(),
      lots: new Map(),
      orders: PersistentMap(),
      realizedPnl: 0,
      fees: 0,
      peakEquity: initialCash,
      lastTime: 0,
    },
    rows: { postings: [posting] },
  };
}

function applyPostings(
  balances: ReadonlyMap<Account, number>,
  postings: readonly Posting[],
): Map<Account, number> {
  const next = new Map(balances);
  for (const posting of postings)
    for (const { account, amount } of posting.lines) next.set(account, (next.get(account) ?? 0) + amount);
  return next;
}

/** Equity: cash plus every holding at its mark price. */
export const equityOf = (state: PortfolioState): number => state.cash + holdingsValue(state.holdings);

/** Every holding at its mark price, summed in the holdings' order (the order equity's sum must keep). */
function holdingsValue(holdings: ReadonlyMap<string, Holding>): number {
  let sum = 0;
  for (const h of holdings.values()) sum += h.quantity * h.markPrice;
  return sum;
}

/**
 * The portfolio projection, pure: folds order events (fills, closes) and market bars (marks) into
 * the current portfolio and the rows that go into its history. Repeated events are no-ops.
 */
export function foldPortfolio(
  state: PortfolioState,
  input: PortfolioInput,
): { state: PortfolioState; rows: PortfolioRows } {
  if (input.kind === 'bar') return markToMarket(state, input.bar);
  const event = input.event;
  const transition = evolveOrder(state.orders.get(event.order_id), event);
  if (transition.kind !== 'applied') return { state, rows: { postings: [] } };
  const postings = postingsOf(event);
  const orders = state.orders.set(event.order_id, event);
  const time = Math.max(state.lastTime, event.event_time ?? event.timestamp);
  let { cash, fees, realizedPnl, holdings, lots } = state;
  let trade: ClosedTrade | undefined;
  if (event.status === 'FILLED' && event.action === 'BUY') {
    const price = event.fill_price ?? event.price;
    const cost = event.quantity * price;
    const fee = event.fill_fee ?? 0;
    const held = state.holdings.get(event.symbol);
    cash = state.cash - cost - fee;
    fees = state.fees + fee;
    lots = new Map(state.lots).set(event.order_id, { symbol: event.symbol, quantity: event.quantity, cost });
    holdings = new Map(state.holdings).set(event.symbol, {
      symbol: event.symbol,
      quantity: (held?.quantity ?? 0) + event.quantity,
      cost: (held?.cost ?? 0) + cost,
      markPrice: held?.markPrice ?? price,
    });
  } else if (event.status === 'CLOSED') {
    const exit = event.exit_price ?? 0;
    const exitFee = event.exit_fee ?? 0;
    const held = state.holdings.get(event.symbol);
    const nextHoldings = new Map(state.holdings);
    const nextLots = new Map(state.lots);
    nextLots.delete(event.order_id);
    // The holding is what its open lots add up to: subtracting quantities left float dust behind.
    const open = [...nextLots.values()].filter((l) => l.symbol === event.symbol);
    if (held === undefined || open.length === 0) nextHoldings.delete(event.symbol);
    else
      nextHoldings.set(event.symbol, {
        ...held,
        quantity: open.reduce((sum, l) => sum + l.quantity, 0),
        cost: open.reduce((sum, l) => sum + l.cost, 0),
        markPrice: exit,
      });
    const pnl = event.realized_pnl ?? 0;
    cash = state.cash + event.quantity * exit - exitFee;
    fees = state.fees + exitFee;
    realizedPnl = state.realizedPnl + pnl;
    holdings = nextHoldings;
    lots = nextLots;
    trade = {
      orderId: event.order_id,
      symbol: event.symbol,
      quantity: event.quantity,
      entryTime: state.orders.get(event.order_id)?.event_time ?? event.timestamp,
      entryPrice: event.fill_price ?? event.price,
      exitTime: event.event_time ?? event.timestamp,
      exitPrice: exit,
      fees: (event.fill_fee ?? 0) + exitFee,
      realizedPnl: pnl,
      reason: event.close_reason ?? 'UNKNOWN',
    };
  }
  // One new state (the same fields, in the same order, as the state it follows).
  const next: PortfolioState = {
    initialCash: state.initialCash,
    cash,
    // Events that post nothing (PENDING, CANCELLED, a SELL's fill) leave the balances as they are.
    balances: postings.length === 0 ? state.balances : applyPostings(state.balances, postings),
    holdings,
    lots,
    orders,
    realizedPnl,
    fees,
    peakEquity: Math.max(state.peakEquity, cash + holdingsValue(holdings)),
    lastTime: time,
  };
  const moved = postings.length > 0;
  return {
    state: next,
    rows: {
      postings,
      orderEvent: event,
      ...(trade === undefined ? {} : { trade }),
      ...(moved ? { equity: point(next, time) } : {}),
    },
  };
}

function point(state: PortfolioState, time: number): EquityPoint {
  const equity = equityOf(state);
  return {
    time,
    equity,
    cash: state.cash,
    drawdown: state.peakEquity > 0 ? (state.peakEquity - equity) / state.peakEquity : 0,
  };
}

/**
 * Folds bars `from` to `to` (exclusive), no order event between them, as `foldPortfolio` folds them
 * one at a time, with one copy of the holdings for the run instead of one per bar: the same
 * arithmetic in the same order, so the same state bit for bit. `onBar` sees the equity at each
 * bar's close and whether a position is open (the equity series of a backtest).
 */
export function markBars(
  state: PortfolioState,
  bars: readonly MarketData[],
  from = 0,
  to = bars.length,
  onBar?: (bar: MarketData, equity: number, exposed: boolean) => void,
): PortfolioState {
  if (state.holdings.size === 0 && onBar === undefined) return state;
  let holdings: Map<string, Holding> | undefined;
  /** Holdings created in this run (not shared with `state`), safe to update in place. */
  let owned: Set<string> | undefined;
  let lastTime = state.lastTime;
  let peakEquity = state.peakEquity;
  let equity = state.cash + holdingsValue(state.holdings);
  for (let i = from; i < to; i++) {
    const bar = bars[i] as MarketData;
    const current = holdings ?? state.holdings;
    const held = current.get(bar.symbol);
    if (held !== undefined && bar.timestamp >= lastTime) {
      if (holdings === undefined) holdings = new Map(state.holdings);
      if (owned === undefined) owned = new Set();
      if (owned.has(bar.symbol)) (held as { markPrice: number }).markPrice = bar.price;
      else {
        holdings.set(bar.symbol, { ...held, markPrice: bar.price });
        owned.add(bar.symbol);
      }
      lastTime = bar.timestamp;
      equity = state.cash + holdingsValue(holdings);
      peakEquity = Math.max(peakEquity, equity);
    }
    onBar?.(bar, equity, state.lots.size > 0);
  }
  return holdings === undefined ? state : { ...state, holdings, lastTime, peakEquity };
}

/** A bar marks the holding of its symbol; the equity curve gets a point when a held symbol moves. */
function markToMarket(
  state: PortfolioState,
  bar: MarketData,
): { state: PortfolioState; rows: PortfolioRows } {
  const held = state.holdings.get(bar.symbol);
  if (held === undefined || bar.timestamp < state.lastTime) return { state, rows: { postings: [] } };
  const holdings = new Map(state.holdings).set(bar.symbol, { ...held, markPrice: bar.price });
  const marked: PortfolioState = { ...state, holdings, lastTime: bar.timestamp };
  const equity = equityOf(marked);
  const next = equity > marked.peakEquity ? { ...marked, peakEquity: equity } : marked;
  return { state: next, rows: { postings: [], equity: point(next, bar.timestamp), mark: bar } };
}
