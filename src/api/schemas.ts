/** JSON schemas shared by the routes: they validate input, serialise output and make the OpenAPI document. */
import {
  CancelReasonValues,
  CloseReasonValues,
  OrderStatusValues,
  SignalValues,
} from '../contracts/index.ts';
import { MAX_TIME_MS } from '../time/index.ts';

export const number = { type: 'number' } as const;
export const string = { type: 'string' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const symbolParam = { type: 'string', pattern: '^[A-Z]{3,6}USDT$' } as const;
export const orderIdParam = { type: 'string', pattern: '^ORD-\\d{8}-\\d{3,}$' } as const;
/** A time in ms since epoch, within what a Date can hold. */
export const timeMsParam = { type: 'integer', minimum: 0, maximum: MAX_TIME_MS } as const;

export const limitParam = {
  type: 'integer',
  minimum: 1,
  maximum: 500,
  default: 50,
  description: 'page size (at most 500)',
} as const;
export const cursorParam = {
  type: 'string',
  maxLength: 500,
  description: 'the nextCursor of the previous page, unchanged',
} as const;

export const errorBody = {
  type: 'object',
  required: ['error', 'code', 'message'],
  properties: {
    error: string,
    code: string,
    message: string,
    orderStatus: { type: 'string', enum: OrderStatusValues },
  },
} as const;

export const position = {
  type: 'object',
  required: ['symbol', 'quantity', 'averageEntry', 'markPrice', 'marketValue', 'unrealizedPnl'],
  properties: {
    symbol: string,
    quantity: number,
    averageEntry: number,
    markPrice: number,
    marketValue: number,
    unrealizedPnl: number,
  },
} as const;

export const portfolio = {
  type: 'object',
  required: [
    'cash',
    'equity',
    'realizedPnl',
    'unrealizedPnl',
    'fees',
    'exposure',
    'drawdown',
    'asOf',
    'positions',
  ],
  properties: {
    cash: number,
    equity: number,
    realizedPnl: number,
    unrealizedPnl: number,
    fees: number,
    exposure: number,
    drawdown: number,
    asOf: number,
    positions: { type: 'array', items: position },
  },
} as const;

/** One event of an order: its snapshot at a status, as in crypto.orders. */
export const orderEvent = {
  type: 'object',
  required: [
    'order_id',
    'symbol',
    'timestamp',
    'action',
    'order_type',
    'quantity',
    'price',
    'status',
    'sequence',
  ],
  properties: {
    order_id: string,
    symbol: string,
    timestamp: number,
    action: { type: 'string', enum: ['BUY', 'SELL'] },
    order_type: { type: 'string', enum: ['MARKET', 'LIMIT'] },
    quantity: number,
    price: number,
    total_value: number,
    status: { type: 'string', enum: OrderStatusValues },
    strategy: string,
    trigger_signal: {
      type: 'object',
      properties: { model: string, confidence: number, expected_change_pct: number },
    },
    risk_management: {
      type: 'object',
      properties: { stop_loss: number, take_profit: number, stop_loss_pct: number, take_profit_pct: number },
    },
    metadata: {
      type: 'object',
      properties: { portfolio_balance_usdt: number, position_size_pct: number, created_by: string },
    },
    sequence: { type: 'integer' },
    event_time: nullableNumber,
    fill_price: nullableNumber,
    fill_fee: nullableNumber,
    exit_price: nullableNumber,
    exit_fee: nullableNumber,
    close_reason: { type: ['string', 'null'], enum: [...CloseReasonValues, null] },
    realized_pnl: nullableNumber,
    cancel_reason: { type: ['string', 'null'], enum: [...CancelReasonValues, null] },
    cancel_detail: nullableString,
    expires_at: nullableNumber,
    closes_order_id: nullableString,
  },
} as const;

/** A signal of crypto.ml_signals. */
export const mlSignal = {
  type: 'object',
  required: ['symbol', 'timestamp', 'model', 'signal', 'confidence'],
  properties: {
    symbol: string,
    timestamp: number,
    model: string,
    prediction_type: string,
    predicted_value: number,
    current_price: number,
    expected_change_pct: number,
    confidence: number,
    signal: { type: 'string', enum: SignalValues },
    features: {
      type: 'object',
      properties: {
        ma_7: number,
        ma_25: number,
        rsi_14: number,
        volatility_7d: number,
        volume_change_pct: number,
      },
    },
    metadata: { type: 'object', properties: { model_version: string, r2_score: number, mae: number } },
    hold_reason: { type: ['string', 'null'] },
  },
} as const;

/** The error responses a route may give, for its schema. */
export const errors = (...statuses: number[]): Record<number, typeof errorBody> =>
  Object.fromEntries(statuses.map((status) => [status, errorBody]));
