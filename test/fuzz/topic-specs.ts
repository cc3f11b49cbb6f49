import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type DataTopic,
  type MarketData,
  type MlSignal,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import { marketDataAt, pendingOrder, signalAt, T0 } from '../support/messages.ts';
import type { TopicFuzzSpec } from './fuzz-cases.ts';

const MINUTE = 60_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;

/** A copy of `value` with the (dotted) field set. */
function withField<V>(value: V, field: string, next: unknown): V {
  const copy = structuredClone(value) as Record<string, unknown>;
  const path = field.split('.');
  let target = copy;
  for (const part of path.slice(0, -1)) target = target[part] as Record<string, unknown>;
  target[path[path.length - 1] as string] = next;
  return copy as V;
}

/** Bars of two symbols, a minute apart per symbol, with small moves. */
export const barAt = (index: number): MarketData => {
  const symbol = SYMBOLS[index % 2] as string;
  const step = Math.floor(index / 2);
  const base = symbol === 'BTCUSDT' ? 68_000 : 3_500;
  const close = base * (1 + 0.001 * Math.sin(step));
  const open = base * (1 + 0.001 * Math.sin(step - 1));
  return marketDataAt(T0 + step * MINUTE, symbol, {
    open,
    price: close,
    high: Math.max(open, close) * 1.0005,
    low: Math.min(open, close) * 0.9995,
    volume: 100 + step,
    price_change_pct: ((close - open) / open) * 100,
  });
};

/** Signals below the decision engine's minimum confidence: recorded, never traded on. */
export const signalFor = (index: number): MlSignal =>
  signalAt(T0 + index * MINUTE, {
    symbol: SYMBOLS[index % 2] as string,
    signal: (['HOLD', 'SELL', 'BUY'] as const)[index % 3] as MlSignal['signal'],
    confidence: 0.4,
  });

export const orderIdOf = (index: number): string => `ORD-20231128-${String(index + 1).padStart(3, '0')}`;

/** PENDING orders, one a minute, each its own id. */
export const orderFor = (index: number): OrderEvent =>
  pendingOrder({ order_id: orderIdOf(index), timestamp: T0 + index * MINUTE });

const common = {
  withNumber: <V>(value: V, field: string, number: number): V => withField(value, field, number),
  huge: <V>(value: V, filler: string): V => withField(value, 'symbol', filler),
};

export const MARKET_DATA_SPEC: TopicFuzzSpec<typeof MARKET_DATA> = {
  topic: MARKET_DATA,
  valid: barAt,
  priceFields: ['price', 'open', 'high', 'low'],
  numberFields: ['price', 'open', 'high', 'low', 'volume', 'price_change_pct'],
  foreignTopic: ORDERS,
  foreignValue: orderFor,
  ...common,
};

export const ML_SIGNALS_SPEC: TopicFuzzSpec<typeof ML_SIGNALS> = {
  topic: ML_SIGNALS,
  valid: signalFor,
  priceFields: ['predicted_value', 'current_price'],
  numberFields: [
    'predicted_value',
    'current_price',
    'expected_change_pct',
    'confidence',
    'features.rsi_14',
    'metadata.r2_score',
  ],
  foreignTopic: MARKET_DATA,
  foreignValue: barAt,
  ...common,
};

export const ORDERS_SPEC: TopicFuzzSpec<typeof ORDERS> = {
  topic: ORDERS,
  valid: orderFor,
  priceFields: ['price', 'quantity'],
  // fill_price / exit_price are null on a PENDING order; a number there must still be a number.
  numberFields: ['price', 'quantity', 'total_value', 'trigger_signal.confidence', 'fill_price', 'exit_price'],
  foreignTopic: ML_SIGNALS,
  foreignValue: signalFor,
  ...common,
};

export const FUZZ_SPECS: { readonly [K in DataTopic]: TopicFuzzSpec<K> } = {
  [MARKET_DATA]: MARKET_DATA_SPEC,
  [ML_SIGNALS]: ML_SIGNALS_SPEC,
  [ORDERS]: ORDERS_SPEC,
};
