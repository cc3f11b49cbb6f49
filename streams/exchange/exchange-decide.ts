import {
  FORCE_CLOSE_STRATEGY,
  type CancelReason,
  type CloseReason,
  type MarketData,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import {
  evolveExchange,
  type ExchangeSettings,
  type ExchangeState,
  type Position,
} from './exchange-state.ts';

/** The exchange's inputs, handed to it in event-time order (the runner merges the two topics). */
export type ExchangeInput =
  { readonly kind: 'order'; readonly event: OrderEvent } | { readonly kind: 'bar'; readonly bar: MarketData };

export interface ExchangeStep {
  readonly state: ExchangeState;
  /** New order events to append to crypto.orders, already folded into `state`. */
  readonly emitted: readonly OrderEvent[];
}

/** What a step that emits nothing returns (most bars): one array for all of them. */
const NOTHING_EMITTED: readonly OrderEvent[] = Object.freeze([]);

/** Prices and money as the exchange books them: rounded to 8 decimals. */
const round = (value: number, digits = 8): number => Number(value.toFixed(digits));

/** The fee the exchange charges on a notional of quantity × price. */
export const feeOf = (quantity: number, price: number, settings: ExchangeSettings): number =>
  round(quantity * price * settings.feeRate);

/** Where a MARKET order fills on a bar: at its open, slipped against the taker, never beyond the bar's range. */
export function marketFillPrice(
  action: 'BUY' | 'SELL',
  bar: Pick<MarketData, 'open' | 'high' | 'low'>,
  settings: ExchangeSettings,
): number {
  const slip = settings.slippageBps / 10_000;
  return round(
    action === 'BUY' ? Math.min(bar.open * (1 + slip), bar.high) : Math.max(bar.open * (1 - slip), bar.low),
  );
}

/** A long position's exit fee and realized PnL (entry and exit fees deducted) when it closes at `exit`. */
export function closeFigures(
  position: Pick<Position, 'quantity' | 'entryPrice' | 'entryFee'>,
  exit: number,
  settings: ExchangeSettings,
): { readonly exitFee: number; readonly pnl: number } {
  const exitFee = feeOf(position.quantity, exit, settings);
  return {
    exitFee,
    pnl: round(position.quantity * (exit - position.entryPrice) - position.entryFee - exitFee),
  };
}

/** Nothing pending and nothing open: a bar has nothing to execute or close (its step is a no-op). */
const isIdle = (state: ExchangeState): boolean => state.pending.length === 0 && state.positions.size === 0;

/**
 * One step of the virtual exchange, pure. An order event is folded in (a PENDING order waits for
 * the next bar of its symbol). A bar first executes the pending orders of its symbol created
 * before it, in arrival order, at its open (MARKET) or when it crosses the limit (LIMIT), or
 * expires them; then closes open positions of the symbol whose stop-loss or take-profit the bar
 * touched (both in one bar: the stop). Nothing depends on wall-clock time or arrival order.
 */
export function stepExchange(
  state: ExchangeState,
  input: ExchangeInput,
  settings: ExchangeSettings,
): ExchangeStep {
  if (input.kind === 'order')
    return { state: evolveExchange(state, input.event).state, emitted: NOTHING_EMITTED };
  if (isIdle(state)) return { state, emitted: NOTHING_EMITTED };
  const bar = input.bar;
  const emitted: OrderEvent[] = [];
  let current = state;
  for (const id of state.pending) {
    const order = current.open.get(id);
    if (order === undefined || order.symbol !== bar.symbol || order.timestamp >= bar.timestamp) continue;
    for (const event of executePending(current, order, bar, settings))
      current = applied(current, event, emitted);
  }
  for (const position of current.positions.values()) {
    if (position.symbol !== bar.symbol || position.openedAt > bar.timestamp) continue;
    const exit = exitOnLevels(position, bar, settings);
    if (exit !== undefined)
      current = applied(
        current,
        closeEvent(current, position, exit.price, exit.reason, bar.timestamp, settings),
        emitted,
      );
  }
  return { state: current, emitted };
}

/** The state with the event folded in, and the event emitted, when the state machine accepts it. */
function applied(state: ExchangeState, event: OrderEvent, emitted: OrderEvent[]): ExchangeState {
  const next = evolveExchange(state, event);
  if (next.result.kind !== 'applied') return state;
  emitted.push(event);
  return next.state;
}

function executePending(
  state: ExchangeState,
  order: OrderEvent,
  bar: MarketData,
  settings: ExchangeSettings,
): OrderEvent[] {
  const expiresAt =
    order.expires_at ??
    (order.order_type === 'LIMIT' ? order.timestamp + settings.limitTtlMs : Number.POSITIVE_INFINITY);
  if (bar.timestamp >= expiresAt)
    return [
      cancelEvent(
        order,
        'EXPIRED',
        `unfilled LIMIT order expired at ${new Date(expiresAt).toISOString()}`,
        expiresAt,
      ),
    ];
  if (order.action === 'BUY') {
    let price: number;
    if (order.order_type === 'MARKET') price = marketFillPrice('BUY', bar, settings);
    else if (bar.low <= order.price) price = round(Math.min(order.price, bar.open));
    else return [];
    const fee = feeOf(order.quantity, price, settings);
    const needed = order.quantity * price + fee;
    if (needed > state.cash + 1e-9) {
      return [
        cancelEvent(
          order,
          'INSUFFICIENT_CASH',
          `needs ${needed.toFixed(2)} USDT, ${state.cash.toFixed(2)} available`,
          bar.timestamp,
        ),
      ];
    }
    return [
      {
        ...order,
        status: 'FILLED',
        sequence: 1,
        event_time: bar.timestamp,
        fill_price: price,
        fill_fee: fee,
      },
    ];
  }
  const positions = [...state.positions.values()].filter((p) => p.symbol === order.symbol);
  if (positions.length === 0)
    return [cancelEvent(order, 'NO_POSITION', `no open ${order.symbol} position to sell`, bar.timestamp)];
  let price: number;
  if (order.order_type === 'MARKET') price = marketFillPrice('SELL', bar, settings);
  else if (bar.high >= order.price) price = round(Math.max(order.price, bar.open));
  else return [];
  // An operator's force-close is a SELL like a signal's; its closes say who asked.
  const reason: CloseReason = order.strategy === FORCE_CLOSE_STRATEGY ? 'MANUAL' : 'SELL_SIGNAL';
  const closes = positions.map((position) =>
    closeEvent(state, position, price, reason, bar.timestamp, settings),
  );
  const fees = closes.reduce((sum, close) => sum + (close.exit_fee ?? 0), 0);
  const fill: OrderEvent = {
    ...order,
    status: 'FILLED',
    sequence: 1,
    event_time: bar.timestamp,
    fill_price: price,
    fill_fee: round(fees),
    closes_order_id: positions[0]?.orderId ?? null,
  };
  return [fill, ...closes];
}

/** The exit a bar forces on a long position, if any: the stop first when both levels are touched. */
export function exitOnLevels(
  position: Pick<Position, 'stopLoss' | 'takeProfit'>,
  bar: Pick<MarketData, 'open' | 'high' | 'low'>,
  settings: ExchangeSettings,
): { price: number; reason: CloseReason } | undefined {
  const slip = settings.slippageBps / 10_000;
  if (bar.low <= position.stopLoss) {
    // A gap through the stop fills at the open, worse than the stop.
    const trigger = Math.min(position.stopLoss, bar.open);
    return { price: round(Math.max(trigger * (1 - slip), bar.low)), reason: 'STOP_LOSS' };
  }
  if (bar.high >= position.takeProfit) {
    const trigger = Math.max(position.takeProfit, bar.open);
    return { price: round(Math.max(trigger * (1 - slip), bar.low)), reason: 'TAKE_PROFIT' };
  }
  return undefined;
}

function closeEvent(
  state: ExchangeState,
  position: Position,
  exit: number,
  reason: CloseReason,
  time: number,
  settings: ExchangeSettings,
): OrderEvent {
  const opened = state.open.get(position.orderId) as OrderEvent;
  const { exitFee, pnl } = closeFigures(position, exit, settings);
  return {
    ...opened,
    status: 'CLOSED',
    sequence: 2,
    event_time: time,
    exit_price: exit,
    exit_fee: exitFee,
    close_reason: reason,
    realized_pnl: pnl,
  };
}

function cancelEvent(order: OrderEvent, reason: CancelReason, detail: string, time: number): OrderEvent {
  return {
    ...order,
    status: 'CANCELLED',
    sequence: 1,
    event_time: time,
    cancel_reason: reason,
    cancel_detail: detail,
  };
}
