import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import { EmbedColors, embedFor, notificationKey } from '../../../src/notify/index.ts';
import { pendingOrder, T0 } from '../../support/messages.ts';

const FILL_TIME = T0 + 60_000;
const CLOSE_TIME = T0 + 3_600_000;

const filled = (overrides: Partial<OrderEvent> = {}): OrderEvent =>
  pendingOrder({
    quantity: 0.0123,
    total_value: 836.41,
    status: 'FILLED',
    sequence: 1,
    event_time: FILL_TIME,
    fill_price: 68000.5,
    fill_fee: 0.84,
    ...overrides,
  });

const closed = (pnl: number, overrides: Partial<OrderEvent> = {}): OrderEvent =>
  filled({
    status: 'CLOSED',
    sequence: 2,
    event_time: CLOSE_TIME,
    exit_price: 71400.53,
    exit_fee: 0.88,
    close_reason: 'TAKE_PROFIT',
    realized_pnl: pnl,
    ...overrides,
  });

const field = (event: OrderEvent, name: string): string | undefined =>
  embedFor(event)?.fields.find((f) => f.name === name)?.value;

describe('order embeds', () => {
  it('PENDING posts nothing: the order is only decided', () => {
    expect(embedFor(pendingOrder())).toBeUndefined();
  });

  it('a BUY fill reads as one line, with fee and exit levels, at the fill time', () => {
    const embed = embedFor(filled());
    expect(embed?.title).toBe('BUY 0.0123 BTCUSDT filled at 68,000.50');
    expect(embed?.color).toBe(EmbedColors.buy);
    expect(embed?.timestamp).toBe(new Date(FILL_TIME).toISOString());
    expect(field(filled(), 'Fee')).toBe('0.84 USDT');
    expect(field(filled(), 'Value')).toBe('836.41 USDT');
    expect(field(filled(), 'Stop-loss')).toBe('66,640.49 (-2.00%)');
    expect(field(filled(), 'Take-profit')).toBe('71,400.53 (+5.00%)');
    expect(field(filled(), 'Signal')).toBe('random_forest, confidence 85%');
    expect(embed?.footer?.text).toContain('ORD-20231128-001:FILLED');
  });

  it('a SELL fill names the position it closes and no exit levels', () => {
    const sell = filled({ action: 'SELL', closes_order_id: 'ORD-20231127-007' });
    expect(embedFor(sell)?.title).toBe('SELL 0.0123 BTCUSDT filled at 68,000.50');
    expect(embedFor(sell)?.color).toBe(EmbedColors.sell);
    expect(field(sell, 'Closes')).toBe('ORD-20231127-007');
    expect(field(sell, 'Stop-loss')).toBeUndefined();
  });

  it('a LIMIT order shows its limit price; a sub-dollar price keeps its digits', () => {
    const limit = filled({ order_type: 'LIMIT', symbol: 'DOGEUSDT', price: 0.0812, fill_price: 0.081234567 });
    expect(embedFor(limit)?.title).toBe('BUY 0.0123 DOGEUSDT filled at 0.0812346');
    expect(field(limit, 'Order')).toBe('ORD-20231128-001 (LIMIT 0.0812)');
  });

  it('a close with a profit is green, with the PnL signed and as a percent of the entry', () => {
    const event = closed(41.17);
    const embed = embedFor(event);
    expect(embed?.title).toBe('BTCUSDT position closed at 71,400.53 (take-profit)');
    expect(embed?.color).toBe(EmbedColors.profit);
    expect(embed?.timestamp).toBe(new Date(CLOSE_TIME).toISOString());
    // 41.17 / (0.0123 * 68000.50) = 4.92 %
    expect(field(event, 'Realized PnL')).toBe('+41.17 USDT (+4.92%)');
    expect(field(event, 'Fees')).toBe('1.72 USDT');
    expect(embed?.footer?.text).toContain('ORD-20231128-001:CLOSED');
  });

  it('a close with a loss is red', () => {
    const event = closed(-18.4, { exit_price: 66640.49, close_reason: 'STOP_LOSS' });
    expect(embedFor(event)?.title).toBe('BTCUSDT position closed at 66,640.49 (stop-loss)');
    expect(embedFor(event)?.color).toBe(EmbedColors.loss);
    expect(field(event, 'Realized PnL')).toBe('-18.40 USDT (-2.20%)');
  });

  it('a cancel gives its reason and detail', () => {
    const event = pendingOrder({
      status: 'CANCELLED',
      sequence: 1,
      event_time: FILL_TIME,
      cancel_reason: 'INSUFFICIENT_CASH',
      cancel_detail: 'needs 6806.85 USDT, 120.00 available',
    });
    const embed = embedFor(event);
    expect(embed?.title).toBe('BUY 0.1 BTCUSDT cancelled: insufficient cash');
    expect(embed?.color).toBe(EmbedColors.cancelled);
    expect(field(event, 'Detail')).toBe('needs 6806.85 USDT, 120.00 available');
    expect(embed?.timestamp).toBe(new Date(FILL_TIME).toISOString());
  });

  it('keeps a long cancel detail within Discord field limits', () => {
    const event = pendingOrder({
      status: 'CANCELLED',
      cancel_reason: 'INVALID',
      cancel_detail: 'x'.repeat(5_000),
    });
    expect(field(event, 'Detail')?.length).toBe(1_024);
  });

  it('keys a notification by order and status', () => {
    expect(notificationKey(filled())).toBe('ORD-20231128-001:FILLED');
  });
});
