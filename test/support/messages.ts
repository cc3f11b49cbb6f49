import type { MarketData, MlSignal, OrderEvent } from '../../src/contracts/index.ts';

/** Valid messages of each topic, as the spec's examples, for tests to start from and break. */
export const T0 = 1_701_187_200_000;

export const marketDataAt = (
  timestamp = T0,
  symbol = 'BTCUSDT',
  overrides: Partial<MarketData> = {},
): MarketData => ({
  symbol,
  timestamp,
  price: 68000.5,
  open: 67500,
  high: 68500,
  low: 67200,
  volume: 12345.67,
  price_change_pct: 0.74,
  ...overrides,
});

export const signalAt = (timestamp = T0, overrides: Partial<MlSignal> = {}): MlSignal => ({
  symbol: 'BTCUSDT',
  timestamp,
  model: 'random_forest',
  prediction_type: 'price',
  predicted_value: 69500,
  current_price: 68000.5,
  expected_change_pct: 2.21,
  confidence: 0.85,
  signal: 'BUY',
  features: { ma_7: 67900, ma_25: 67000, rsi_14: 61.2, volatility_7d: 0.42, volume_change_pct: 3.1 },
  metadata: { model_version: '1.0.0', r2_score: 0.31, mae: 245.32 },
  hold_reason: null,
  ...overrides,
});

export const pendingOrder = (overrides: Partial<OrderEvent> = {}): OrderEvent => ({
  order_id: 'ORD-20231128-001',
  symbol: 'BTCUSDT',
  timestamp: T0,
  action: 'BUY',
  order_type: 'MARKET',
  quantity: 0.1,
  price: 68000.5,
  total_value: 6800.05,
  status: 'PENDING',
  strategy: 'ml_signal_strategy',
  trigger_signal: { model: 'random_forest', confidence: 0.85, expected_change_pct: 2.21 },
  risk_management: { stop_loss: 66640.49, take_profit: 71400.53, stop_loss_pct: -2, take_profit_pct: 5 },
  metadata: { portfolio_balance_usdt: 10000, position_size_pct: 68, created_by: 'decision_engine' },
  sequence: 0,
  event_time: null,
  fill_price: null,
  fill_fee: null,
  exit_price: null,
  exit_fee: null,
  close_reason: null,
  realized_pnl: null,
  cancel_reason: null,
  cancel_detail: null,
  expires_at: null,
  closes_order_id: null,
  ...overrides,
});
