import { equityOf, type PortfolioState } from '../../projections/portfolio/index.ts';
import { FORCE_CLOSE_STRATEGY, type MlSignal, type OrderEvent } from '../../src/contracts/index.ts';
import { controlsAt, entriesPaused, forceCloseDone, forceCloseDue } from './controls-state.ts';
import type { Skip, SkipReason } from './decision-reasons.ts';
import type { DecisionSettings } from './decision-settings.ts';
import { evolveDecision, type DecisionState, type TrackedOrder } from './decision-state.ts';
import { formatOrderId, utcDayOf } from './order-ids.ts';
import { draftOrder } from './order-draft.ts';
import { sizePosition } from './position-sizing.ts';
import { reconcileWithPortfolio } from './reconcile.ts';
import { agreeingVote, rememberSignal } from './recent-signals.ts';

export interface Decision {
  /** The new state, with the orders below already folded in. */
  readonly state: DecisionState;
  /** PENDING order events to append to crypto.orders. */
  readonly orders: readonly OrderEvent[];
  /** Why no order, when there is none. */
  readonly reasons: readonly Skip[];
}

/** The symbol's open positions: one lot per filled BUY not closed yet. */
const lotsOf = (portfolio: PortfolioState, symbol: string) =>
  [...portfolio.lots.values()].filter((lot) => lot.symbol === symbol);

/** The orders still PENDING among `orders` for one side. */
const pendingOf = (orders: readonly TrackedOrder[], action: 'BUY' | 'SELL'): TrackedOrder[] =>
  orders.filter((o) => o.action === action && o.status === 'PENDING');

const pct = (value: number): string => `${value.toFixed(2)}%`;

const NO_ORDERS: readonly OrderEvent[] = Object.freeze([]);

/**
 * Why a signal led to no order. The detail is written when first read: most signals are skipped
 * (HOLD) and their details only matter to a debug log.
 */
class LazySkip implements Skip {
  #text: string | undefined;
  readonly #write: () => string;

  constructor(
    readonly reason: SkipReason,
    write: () => string,
  ) {
    this.#write = write;
  }

  get detail(): string {
    return (this.#text ??= this.#write());
  }

  toJSON(): Skip {
    return { reason: this.reason, detail: this.detail };
  }
}

const skipped = (state: DecisionState, reason: SkipReason, detail: () => string): Decision => ({
  state,
  orders: NO_ORDERS,
  reasons: [new LazySkip(reason, detail)],
});

/**
 * Whether a signal can lead to an order at all: only these need the portfolio as of their time
 * (the others are remembered for agreement and decided on the portfolio already at hand).
 */
export const mayAct = (signal: MlSignal, settings: DecisionSettings): boolean =>
  signal.signal !== 'HOLD' &&
  signal.confidence >= settings.minConfidence &&
  !(signal.signal === 'BUY' && signal.expected_change_pct < settings.buyThresholdPct);

/**
 * Whether deciding a signal needs the portfolio as of its time, or may use the one read for an
 * earlier signal: only a signal that may act needs it fresh (and the first one). Both drivers, the
 * log runner and the research engine, follow this rule, so both decide on the same portfolio.
 */
export const needsFreshPortfolio = (
  cached: PortfolioState | undefined,
  signal: MlSignal,
  settings: DecisionSettings,
  state?: DecisionState,
): boolean =>
  cached === undefined ||
  mayAct(signal, settings) ||
  (state !== undefined && forceCloseDue(state.controls, signal.symbol, signal.timestamp));

/**
 * The decision engine, pure: a signal, the engine's state and the portfolio settled up to the
 * signal's event time give the orders to place. Confidence first (>= high acts, medium needs
 * another source agreeing within the window, low and HOLD are ignored), then for a BUY the
 * position, pending-order, cooldown and drawdown rules and the sizing; a SELL closes the
 * symbol's open position. The operators' controls recorded up to the signal's time apply first:
 * a force-close of the signal's symbol sells its open position in place of deciding the signal,
 * and a pause of entries skips a BUY (SELLs, and the exchange's exits, go on). Time is the
 * signal's event time only, so a replay decides the same.
 */
export function decide(
  state: DecisionState,
  signal: MlSignal,
  portfolio: PortfolioState,
  settings: DecisionSettings,
): Decision {
  const controls = controlsAt(state.controls, signal.timestamp);
  const controlled = controls === state.controls ? state : { ...state, controls };
  const reconciled = reconcileWithPortfolio(controlled, portfolio, signal.timestamp, settings.cooldownMs);
  const next = rememberSignal(reconciled, signal, settings.minConfidence, settings.agreementWindowMs);
  if (next.controls.forceCloses.has(signal.symbol)) return forceClose(next, signal, portfolio, settings);
  if (signal.signal === 'HOLD')
    return skipped(next, 'HOLD', () => `expected change ${pct(signal.expected_change_pct)}`);
  if (signal.confidence < settings.minConfidence)
    return skipped(
      next,
      'LOW_CONFIDENCE',
      () => `confidence ${signal.confidence} < ${settings.minConfidence}`,
    );
  if (signal.signal === 'BUY' && signal.expected_change_pct < settings.buyThresholdPct)
    return skipped(
      next,
      'BELOW_BUY_THRESHOLD',
      () => `expected change ${pct(signal.expected_change_pct)} < ${pct(settings.buyThresholdPct)}`,
    );
  // Another source's vote from before this signal (the state before it was remembered).
  if (
    signal.confidence < settings.highConfidence &&
    agreeingVote(reconciled, signal, settings.agreementWindowMs) === undefined
  )
    return skipped(
      next,
      'UNCONFIRMED',
      () =>
        `confidence ${signal.confidence} < ${settings.highConfidence} and no other source agreed within ${settings.agreementWindowMs} ms`,
    );
  const tracked = [...next.orders.values()];
  const ofSymbol = tracked.filter((o) => o.symbol === signal.symbol);
  const equity = equityOf(portfolio);

  if (signal.signal === 'SELL') {
    const sells = pendingOf(ofSymbol, 'SELL');
    if (sells.length > 0)
      return skipped(next, 'ORDER_PENDING', () => `SELL ${sells[0]?.orderId} is still PENDING`);
    // The open lots, not the holding: closing lots by float subtraction can leave a dust holding.
    const lots = lotsOf(portfolio, signal.symbol);
    if (lots.length === 0) return skipped(next, 'NO_POSITION', () => `no open ${signal.symbol} position`);
    const quantity = lots.reduce((sum, lot) => sum + lot.quantity, 0);
    return place(next, signal, { action: 'SELL', quantity, equity }, settings);
  }

  if (entriesPaused(next.controls, signal.symbol))
    return skipped(
      next,
      'PAUSED',
      () => `entries ${next.controls.pausedAll ? 'of every symbol' : `of ${signal.symbol}`} are paused`,
    );
  const openLots = lotsOf(portfolio, signal.symbol).length;
  if (openLots >= settings.maxPositionsPerSymbol)
    return skipped(
      next,
      'POSITION_OPEN',
      () => `${openLots} open ${signal.symbol} position(s), at most ${settings.maxPositionsPerSymbol}`,
    );
  const buys = pendingOf(ofSymbol, 'BUY');
  if (openLots + buys.length >= settings.maxPositionsPerSymbol)
    return skipped(next, 'ORDER_PENDING', () => `BUY ${buys[0]?.orderId} is still PENDING`);
  // Closes after the signal's time are the future to this decision (the fold may run ahead of it).
  const sinceClose = ofSymbol.reduce(
    (least, o) =>
      o.closedAt !== null && o.closedAt <= signal.timestamp
        ? Math.min(least, signal.timestamp - o.closedAt)
        : least,
    Number.POSITIVE_INFINITY,
  );
  if (sinceClose < settings.cooldownMs)
    return skipped(
      next,
      'COOLDOWN',
      () => `${signal.symbol} closed ${sinceClose} ms ago, cooldown ${settings.cooldownMs} ms`,
    );
  const peak = Math.max(portfolio.peakEquity, equity);
  const drawdownPct = peak > 0 ? ((peak - equity) / peak) * 100 : 0;
  if (drawdownPct > settings.maxDrawdownPct)
    return skipped(
      next,
      'CIRCUIT_BREAKER',
      () => `equity ${equity.toFixed(2)} is ${pct(drawdownPct)} below its peak ${peak.toFixed(2)}`,
    );

  const reserved = tracked
    .filter((o) => o.action === 'BUY' && o.status === 'PENDING')
    .reduce((sum, o) => sum + o.totalValue * (1 + settings.feeRate), 0);
  const sizing = sizePosition(
    {
      equity,
      availableCash: portfolio.cash - reserved,
      price: signal.current_price,
      volatilityPct: signal.features.volatility_7d,
    },
    settings,
  );
  if (sizing.kind === 'too-small')
    return skipped(
      next,
      sizing.limitedBy === 'CASH' ? 'INSUFFICIENT_CASH' : 'ORDER_TOO_SMALL',
      () =>
        `the largest order allowed (by ${sizing.limitedBy}) is worth ${sizing.value.toFixed(2)} USDT; minimum ${settings.minOrderValue}, cash ${portfolio.cash.toFixed(2)}, promised to PENDING BUYs ${reserved.toFixed(2)}`,
    );
  return place(next, signal, { action: 'BUY', quantity: sizing.quantity, equity }, settings);
}

/**
 * An operator's force-close, carried out at a signal of its symbol: a MARKET SELL of the open lots
 * (the exchange fills it at the next bar and closes them with reason MANUAL), whatever the signal
 * says; nothing when a SELL is already PENDING or nothing is open.
 */
function forceClose(
  state: DecisionState,
  signal: MlSignal,
  portfolio: PortfolioState,
  settings: DecisionSettings,
): Decision {
  const next = { ...state, controls: forceCloseDone(state.controls, signal.symbol) };
  const sell = [...next.orders.values()].find(
    (o) => o.symbol === signal.symbol && o.action === 'SELL' && o.status === 'PENDING',
  );
  if (sell !== undefined)
    return skipped(next, 'ORDER_PENDING', () => `force-close: SELL ${sell.orderId} is already PENDING`);
  const lots = lotsOf(portfolio, signal.symbol);
  if (lots.length === 0)
    return skipped(next, 'NO_POSITION', () => `force-close: no open ${signal.symbol} position`);
  const quantity = lots.reduce((sum, lot) => sum + lot.quantity, 0);
  const decision = place(
    next,
    signal,
    { action: 'SELL', quantity, equity: equityOf(portfolio) },
    { ...settings, orderType: 'MARKET', strategy: FORCE_CLOSE_STRATEGY },
  );
  const [order] = decision.orders as [OrderEvent];
  // The operator caused it, not the signal it was placed at.
  const forced = {
    ...order,
    trigger_signal: { model: 'operator', confidence: 1, expected_change_pct: 0 },
  };
  return { ...decision, orders: [forced] };
}

function place(
  state: DecisionState,
  signal: MlSignal,
  order: { action: 'BUY' | 'SELL'; quantity: number; equity: number },
  settings: DecisionSettings,
): Decision {
  const day = utcDayOf(signal.timestamp);
  const orderId = formatOrderId(day, (state.lastSequenceByDay.get(day) ?? 0) + 1);
  const event = draftOrder(signal, { orderId, ...order }, settings);
  return { state: evolveDecision(state, event), orders: [event], reasons: [] };
}
