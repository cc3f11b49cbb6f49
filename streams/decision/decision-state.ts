import type {
  OrderAction,
  OrderEvent,
  OrderStatus,
  PredictionType,
  Signal,
} from '../../src/contracts/index.ts';
import { SEQUENCE_OF } from '../../src/ledger/order-transitions.ts';
import { initialControlsState, type ControlsState } from './controls-state.ts';
import { parseOrderId } from './order-ids.ts';

/** An order the engine still needs to know about: PENDING (it blocks its symbol), open, or recently closed (cooldown). */
export interface TrackedOrder {
  readonly orderId: string;
  readonly symbol: string;
  readonly action: OrderAction;
  readonly status: OrderStatus;
  readonly totalValue: number;
  /** Event time of the close, once CLOSED. */
  readonly closedAt: number | null;
}

/** The latest signal of one source (model and prediction type) on a symbol, for agreement. */
export interface RecentSignal {
  readonly model: string;
  readonly predictionType: PredictionType;
  readonly signal: Signal;
  readonly confidence: number;
  readonly timestamp: number;
}

/**
 * What the engine keeps besides the portfolio it reads from the ledger. Everything but the recent
 * signals is folded from the log (crypto.orders, and crypto.controls for the controls), so a
 * restart that folds the log again knows the same.
 */
export interface DecisionState {
  /** Highest order-id sequence per UTC day (YYYYMMDD) seen in the log or issued. */
  readonly lastSequenceByDay: ReadonlyMap<string, number>;
  /** By order id. */
  readonly orders: ReadonlyMap<string, TrackedOrder>;
  /** Per symbol, the latest signal of each source (`model/prediction_type`) inside the agreement window. */
  readonly recentSignals: ReadonlyMap<string, ReadonlyMap<string, RecentSignal>>;
  /** The operators' controls, folded from the engine's records in crypto.controls. */
  readonly controls: ControlsState;
}

export const initialDecisionState = (): DecisionState => ({
  lastSequenceByDay: new Map(),
  orders: new Map(),
  recentSignals: new Map(),
  controls: initialControlsState(),
});

const without = <K, V>(map: ReadonlyMap<K, V>, keys: Iterable<K>): Map<K, V> => {
  const copy = new Map(map);
  for (const key of keys) copy.delete(key);
  return copy;
};

/**
 * Folds one crypto.orders event: every id raises its day's sequence (so ids issued by anyone are
 * never reused); orders are tracked from PENDING until they can no longer matter: a CANCELLED
 * order or a filled SELL at once, a BUY once it is CLOSED and a later close of its symbol exists
 * (the decision drops it when its cooldown has passed). Repeats, and events of orders no longer
 * tracked, change nothing but the sequence.
 */
export function evolveDecision(state: DecisionState, event: OrderEvent): DecisionState {
  // A repeat of what a tracked order already is: its id was counted when it was tracked.
  const tracked = state.orders.get(event.order_id);
  if (
    tracked !== undefined &&
    (event.status === 'PENDING' || SEQUENCE_OF[event.status] <= SEQUENCE_OF[tracked.status])
  )
    return state;
  const id = parseOrderId(event.order_id);
  const last = id === undefined ? undefined : state.lastSequenceByDay.get(id.day);
  const lastSequenceByDay =
    id !== undefined && (last === undefined || id.sequence > last)
      ? new Map(state.lastSequenceByDay).set(id.day, id.sequence)
      : state.lastSequenceByDay;
  const orders = trackOrder(state.orders, event);
  return lastSequenceByDay === state.lastSequenceByDay && orders === state.orders
    ? state
    : { ...state, lastSequenceByDay, orders };
}

function trackOrder(
  orders: ReadonlyMap<string, TrackedOrder>,
  event: OrderEvent,
): ReadonlyMap<string, TrackedOrder> {
  const known = orders.get(event.order_id);
  if (event.status === 'PENDING') {
    if (known !== undefined) return orders;
    return new Map(orders).set(event.order_id, {
      orderId: event.order_id,
      symbol: event.symbol,
      action: event.action,
      status: 'PENDING',
      totalValue: event.total_value,
      closedAt: null,
    });
  }
  if (known === undefined || SEQUENCE_OF[event.status] <= SEQUENCE_OF[known.status]) return orders;
  if (event.status === 'CANCELLED' || (event.status === 'FILLED' && event.action === 'SELL'))
    return without(orders, [event.order_id]);
  if (event.status === 'FILLED') return new Map(orders).set(event.order_id, { ...known, status: 'FILLED' });
  const closedAt = event.event_time ?? event.timestamp;
  const older = [...orders.values()]
    .filter((o) => o.symbol === event.symbol && o.closedAt !== null && o.closedAt <= closedAt)
    .map((o) => o.orderId);
  return without(orders, older).set(event.order_id, { ...known, status: 'CLOSED', closedAt });
}
