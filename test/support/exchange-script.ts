import type { MarketData, OrderEvent } from '../../src/contracts/index.ts';
import { stepExchange, type ExchangeInput } from '../../streams/exchange/exchange-decide.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  initialExchangeState,
  type ExchangeState,
} from '../../streams/exchange/exchange-state.ts';
import { pendingOrder } from './messages.ts';

export const T0 = Date.UTC(2024, 0, 1);
export const at = (minute: number): number => T0 + minute * 60_000;
export const bar = (
  minute: number,
  open: number,
  high: number,
  low: number,
  close = open,
): ExchangeInput => ({
  kind: 'bar',
  bar: {
    symbol: 'AAAUSDT',
    timestamp: at(minute),
    open,
    high,
    low,
    price: close,
    volume: 1,
    price_change_pct: 0,
  } satisfies MarketData,
});
let n = 0;
export const order = (
  minute: number,
  action: 'BUY' | 'SELL',
  quantity: number,
  price: number,
  levels: [stop: number, take: number] = [0, 0],
  extra: Partial<OrderEvent> = {},
): ExchangeInput => ({
  kind: 'order',
  event: pendingOrder({
    order_id: `ORD-20240101-${String(++n).padStart(3, '0')}`,
    symbol: 'AAAUSDT',
    timestamp: at(minute),
    action,
    quantity,
    price,
    total_value: quantity * price,
    risk_management: { stop_loss: levels[0], take_profit: levels[1], stop_loss_pct: -2, take_profit_pct: 5 },
    ...extra,
  }),
});

/** A scripted market in which every kind of exit and cancel happens once; figures computed by hand. */
export const script = (): ExchangeInput[] => {
  n = 0;
  return [
    order(0, 'BUY', 10, 100, [98, 105]), // 001
    bar(1, 100, 101, 99.5), // 001 fills at 100: pays 1000 + 1.00 fee
    bar(2, 100.5, 106, 100), // 001 take-profit at 105: +1050 - 1.05; pnl 47.95
    order(2, 'BUY', 20, 105, [102.9, 110.25]), // 002
    bar(3, 104, 104.5, 101), // 002 fills at 104 (2080 + 2.08), stop at 102.9 in the same bar (2058 - 2.058); pnl -26.138
    order(3, 'BUY', 50, 100, [95, 110]), // 003
    bar(4, 100, 100.5, 99), // 003 fills at 100: 5000 + 5.00
    order(4, 'BUY', 60, 100, [98, 105]), // 004: at the next open, 101: 6060 + 6.06 needed, 5016.812 there
    order(4, 'SELL', 50, 101), // 005 closes 003
    bar(5, 101, 102, 100.5), // 004 cancelled INSUFFICIENT_CASH; 005 fills at 101: 003 closed +5050 - 5.05, pnl 39.95
    order(5, 'BUY', 10, 95, [93, 99.75], { order_type: 'LIMIT', expires_at: at(7) }), // 006
    bar(6, 101, 101.5, 100), // 006 not crossed
    bar(7, 100, 100.4, 99.8), // 006 expired
    order(7, 'SELL', 1, 100), // 007: nothing to sell
    bar(8, 100, 100.5, 99.9), // 007 cancelled NO_POSITION
    order(8, 'BUY', 1, 100, [98, 102]), // 008
    bar(9, 100, 103, 97), // 008 fills at 100 (100 + 0.10); stop and take both touched: the stop, 98 (-0.098); pnl -2.198
    order(9, 'BUY', 10, 99, [97, 104], { order_type: 'LIMIT' }), // 009
    bar(10, 100, 100.2, 98.5), // 009 fills at its limit 99 (990 + 0.99), stays open
  ];
};

export const run = (
  inputs: ExchangeInput[],
  state = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS),
): { state: ExchangeState; emitted: OrderEvent[] } => {
  const emitted: OrderEvent[] = [];
  for (const input of inputs) {
    const step = stepExchange(state, input, DEFAULT_EXCHANGE_SETTINGS);
    state = step.state;
    emitted.push(...step.emitted);
  }
  return { state, emitted };
};
