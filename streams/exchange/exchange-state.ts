import { Map as PersistentMap } from 'immutable';
import type { OrderEvent } from '../../src/contracts/index.ts';
import { evolveOrder, type TransitionResult } from '../../src/ledger/order-transitions.ts';

export interface ExchangeSettings {
  /** Taker fee as a fraction of notional (0.001 = 0.1 %). */
  readonly feeRate: number;
  /** Slippage against the taker, in basis points; never beyond the bar's high or low. */
  readonly slippageBps: number;
  /** How long an unfilled LIMIT order lives when it has no expires_at. */
  readonly limitTtlMs: number;
  readonly initialCash: number;
}

export const DEFAULT_EXCHANGE_SETTINGS: ExchangeSettings = {
  feeRate: 0.001,
  slippageBps: 0,
  limitTtlMs: 3_600_000,
  initialCash: 10_000,
};

/** An open long position: the FILLED BUY order that opened it. */
export interface Position {
  readonly orderId: string;
  readonly symbol: string;
  readonly quantity: number;
  readonly entryPrice: number;
  readonly entryFee: number;
  readonly openedAt: number;
  readonly stopLoss: number;
  readonly takeProfit: number;
}

/** What the virtual exchange knows, folded from crypto.orders. */
export interface ExchangeState {
  /** Latest snapshot of every order that is not final yet (PENDING, or a FILLED BUY). */
  readonly open: ReadonlyMap<string, OrderEvent>;
  /** Orders that reached a final status (CANCELLED, CLOSED, or a FILLED SELL), so repeats stay no-ops. */
  readonly final: PersistentMap<string, OrderEvent>;
  /** PENDING orders in arrival order. */
  readonly pending: readonly string[];
  readonly positions: ReadonlyMap<string, Position>;
  readonly cash: number;
}

export const initialExchangeState = (settings: ExchangeSettings): ExchangeState => ({
  open: new Map(),
  final: PersistentMap(),
  pending: [],
  positions: new Map(),
  cash: settings.initialCash,
});

export interface Evolved {
  readonly state: ExchangeState;
  readonly result: TransitionResult;
}

const without = <K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> => {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
};

/**
 * Folds one order event into the exchange state: the state machine decides whether it applies;
 * a fill of a BUY opens a position and pays for it, a close pays it back. A SELL's own fill moves
 * no cash: the CLOSED events of the positions it closes carry the proceeds and fees.
 */
export function evolveExchange(state: ExchangeState, event: OrderEvent): Evolved {
  const current = state.open.get(event.order_id) ?? state.final.get(event.order_id);
  const result = evolveOrder(current, event);
  if (result.kind !== 'applied') return { state, result };
  const id = event.order_id;
  switch (event.status) {
    case 'PENDING':
      return {
        result,
        state: { ...state, open: new Map(state.open).set(id, event), pending: [...state.pending, id] },
      };
    case 'CANCELLED':
      return {
        result,
        state: {
          ...state,
          open: without(state.open, id),
          final: state.final.set(id, event),
          pending: state.pending.filter((p) => p !== id),
        },
      };
    case 'FILLED': {
      const pending = state.pending.filter((p) => p !== id);
      if (event.action === 'SELL') {
        return {
          result,
          state: {
            ...state,
            open: without(state.open, id),
            final: state.final.set(id, event),
            pending,
          },
        };
      }
      const price = event.fill_price ?? event.price;
      const fee = event.fill_fee ?? 0;
      const position: Position = {
        orderId: id,
        symbol: event.symbol,
        quantity: event.quantity,
        entryPrice: price,
        entryFee: fee,
        openedAt: event.event_time ?? event.timestamp,
        stopLoss: event.risk_management.stop_loss,
        takeProfit: event.risk_management.take_profit,
      };
      return {
        result,
        state: {
          ...state,
          open: new Map(state.open).set(id, event),
          pending,
          positions: new Map(state.positions).set(id, position),
          cash: state.cash - event.quantity * price - fee,
        },
      };
    }
    case 'CLOSED': {
      const exit = event.exit_price ?? event.price;
      return {
        result,
        state: {
          ...state,
          open: without(state.open, id),
          final: state.final.set(id, event),
          positions: without(state.positions, id),
          cash: state.cash + event.quantity * exit - (event.exit_fee ?? 0),
        },
      };
    }
  }
}
