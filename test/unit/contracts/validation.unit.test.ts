import { describe, expect, it } from 'vitest';
import {
  ValidationError,
  validateMarketData,
  validateOrder,
  validateSignal,
  type MarketData,
  type MlSignal,
  type OrderEvent,
  type Violation,
} from '../../../src/contracts/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { marketDataAt, pendingOrder, signalAt, T0 } from '../../support/messages.ts';
import { embeddedHarness } from '../../support/runtimes.ts';

const now = { now: T0 + 30_000 };
const fields = (violations: Violation[]): string[] => violations.map((v) => v.field);

describe('market data rules', () => {
  it('accepts the spec example', () => {
    expect(validateMarketData(marketDataAt(), now)).toEqual([]);
  });

  const cases: Array<[string, Partial<MarketData>, string, number?]> = [
    ['symbol pattern', { symbol: 'btcusdt' }, 'symbol'],
    ['symbol must be a USDT pair', { symbol: 'BTCEUR' }, 'symbol'],
    ['price > 0', { price: 0 }, 'price'],
    ['open > 0', { open: -1 }, 'open'],
    ['high > 0 (and >= low)', { high: -5 }, 'high'],
    ['low > 0', { low: 0 }, 'low'],
    ['high >= low', { high: 67000, low: 67100, open: 67050, price: 67050 }, 'high'],
    ['volume >= 0', { volume: -0.1 }, 'volume'],
    ['finite price', { price: Number.NaN }, 'price'],
    ['finite change', { price_change_pct: Number.POSITIVE_INFINITY }, 'price_change_pct'],
    ['close within [low, high]', { price: 69000 }, 'price'],
    ['timestamp within 5 minutes', { timestamp: T0 - 5 * 60_000 - 1 + 30_000 }, 'timestamp'],
    ['timestamp not in the future beyond skew', { timestamp: T0 + 30_000 + 61_000 }, 'timestamp'],
  ];
  it.each(cases)('rejects a violation of: %s', (_rule, overrides, field) => {
    const violations = validateMarketData(marketDataAt(T0, 'BTCUSDT', overrides), now);
    expect(fields(violations)).toContain(field);
  });

  it('measures freshness against the clock it is given (stream time in replay)', () => {
    const old = marketDataAt(T0 - 86_400_000);
    expect(fields(validateMarketData(old, now))).toEqual(['timestamp']);
    expect(validateMarketData(old, { now: old.timestamp })).toEqual([]);
  });
});

describe('signal rules', () => {
  it('accepts the spec example', () => {
    expect(validateSignal(signalAt(), now)).toEqual([]);
  });

  it('accepts the MA/RSI rule served as a model', () => {
    expect(validateSignal(signalAt(T0, { model: 'ma_rsi_rule' }), now)).toEqual([]);
  });

  const cases: Array<[string, Partial<MlSignal>, string]> = [
    ['confidence <= 1', { confidence: 1.01 }, 'confidence'],
    ['confidence >= 0', { confidence: -0.01 }, 'confidence'],
    ['signal enum', { signal: 'STRONG_BUY' as MlSignal['signal'] }, 'signal'],
    ['predicted_value > 0', { predicted_value: 0 }, 'predicted_value'],
    ['current_price > 0', { current_price: -3 }, 'current_price'],
    ['known model', { model: 'gpt' }, 'model'],
    ['timestamp within 2 minutes', { timestamp: T0 + 30_000 - 2 * 60_000 - 1 }, 'timestamp'],
    [
      'finite features',
      { features: { ma_7: Number.NaN, ma_25: 1, rsi_14: 1, volatility_7d: 1, volume_change_pct: 1 } },
      'features.ma_7',
    ],
  ];
  it.each(cases)('rejects a violation of: %s', (_rule, overrides, field) => {
    expect(fields(validateSignal(signalAt(T0, overrides), now))).toContain(field);
  });
});

describe('order rules', () => {
  it('accepts the spec example', () => {
    expect(validateOrder(pendingOrder())).toEqual([]);
  });

  const cases: Array<[string, Partial<OrderEvent>, string]> = [
    ['quantity > 0', { quantity: 0, total_value: 0 }, 'quantity'],
    ['price > 0', { price: -1, total_value: -0.1 }, 'price'],
    ['action enum', { action: 'HOLD' as OrderEvent['action'] }, 'action'],
    ['total_value = quantity * price', { total_value: 6800.06 }, 'total_value'],
    [
      'BUY: stop_loss < price',
      { risk_management: { stop_loss: 68000.5, take_profit: 71400, stop_loss_pct: -2, take_profit_pct: 5 } },
      'risk_management.stop_loss',
    ],
    [
      'BUY: price < take_profit',
      { risk_management: { stop_loss: 66000, take_profit: 68000, stop_loss_pct: -2, take_profit_pct: 5 } },
      'risk_management.take_profit',
    ],
    ['order id format', { order_id: 'order-1' }, 'order_id'],
    ['FILLED carries its fill', { status: 'FILLED', sequence: 1 }, 'fill_price'],
    ['CANCELLED carries its reason', { status: 'CANCELLED', sequence: 1, event_time: T0 }, 'cancel_reason'],
  ];
  it.each(cases)('rejects a violation of: %s', (_rule, overrides, field) => {
    expect(fields(validateOrder(pendingOrder(overrides)))).toContain(field);
  });

  it('tolerates half a cent of rounding in total_value', () => {
    expect(validateOrder(pendingOrder({ total_value: 6800.054 }))).toEqual([]);
  });

  it('does not apply the BUY price bracket to a SELL', () => {
    const sell = pendingOrder({
      action: 'SELL',
      risk_management: { stop_loss: 0, take_profit: 0, stop_loss_pct: 0, take_profit_pct: 0 },
    });
    expect(validateOrder(sell)).toEqual([]);
  });
});

describe('ValidationError', () => {
  it('names every broken rule with its field and value', () => {
    const violations = validateMarketData(marketDataAt(T0, 'btc', { volume: -1 }), now);
    const error = new ValidationError('crypto.market_data message', violations);
    expect(error.code).toBe('CML_VALIDATION_FAILED');
    expect(error.message).toContain('symbol="btc"');
    expect(error.message).toContain('volume=-1: must be >= 0');
    expect(error.violations).toHaveLength(2);
  });
});

describe('regressions', () => {
  it('a signal decoded by avsc (methods on its records’ prototypes) breaks no feature rule', async () => {
    const runtime = await embeddedHarness().open();
    const serde = await AvroSerde.create(runtime.registry);
    const decoded = await serde.decode('crypto.ml_signals', serde.encode('crypto.ml_signals', signalAt()));
    expect(validateSignal(decoded, now)).toEqual([]);
    await runtime.close();
  });

  it('a violation whose value JSON cannot write (a function) is still described', () => {
    const error = new ValidationError('x', [{ field: 'f', value: () => 1, rule: 'must be a number' }]);
    expect(error.message).toContain('f=() => 1: must be a number');
  });
});
