import type { MarketData, OrderEvent } from '../../src/contracts/index.ts';
import { SeededRandom } from '../../src/ingest/simulator/random.ts';
import { stepExchange } from '../../streams/exchange/exchange-decide.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  initialExchangeState,
  type ExchangeSettings,
} from '../../streams/exchange/exchange-state.ts';
import { pendingOrder } from './messages.ts';

export interface OrderFlow {
  /** Bars of every symbol, in event-time order. */
  readonly bars: MarketData[];
  /** PENDING orders, in event-time order; each is placed at a bar's time and fills at a later bar. */
  readonly orders: OrderEvent[];
}

export interface OrderFlowOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly symbols?: readonly string[];
  /** Time of the first bar (1-minute bars). */
  readonly start: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * A seeded random market of several symbols and the orders a restless trader places on it:
 * MARKET buys (some too large for the cash left), SELLs, LIMIT buys that may expire, with tight
 * stop-loss and take-profit levels so that exits of every kind happen in a short run.
 */
export function orderFlow(options: OrderFlowOptions): OrderFlow {
  const random = new SeededRandom(options.seed);
  const symbols = options.symbols ?? ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
  const prices = new Map(symbols.map((symbol, n) => [symbol, 100 * (n + 1)]));
  const bars: MarketData[] = [];
  const orders: OrderEvent[] = [];
  const perDay = new Map<string, number>();
  const nextId = (time: number): string => {
    const day = new Date(time).toISOString().slice(0, 10).replaceAll('-', '');
    const n = (perDay.get(day) ?? 0) + 1;
    perDay.set(day, n);
    return `ORD-${day}-${String(n).padStart(3, '0')}`;
  };
  for (let minute = 0; minute < options.minutes; minute++) {
    const timestamp = options.start + minute * 60_000;
    for (const symbol of symbols) {
      const open = prices.get(symbol) as number;
      const close = round(open * Math.exp(0.006 * random.normal()), 4);
      const high = round(Math.max(open, close) * (1 + 0.004 * random.uniform()), 4);
      const low = round(Math.min(open, close) * (1 - 0.004 * random.uniform()), 4);
      prices.set(symbol, close);
      bars.push({
        symbol,
        timestamp,
        open,
        high,
        low,
        price: close,
        volume: round(10 + 90 * random.uniform(), 3),
        price_change_pct: round(((close - open) / open) * 100, 6),
      });
      const draw = random.uniform();
      const base = { symbol, timestamp, order_id: '' };
      const levels = {
        stop_loss: round(close * 0.99, 4),
        take_profit: round(close * 1.012, 4),
        stop_loss_pct: -1,
        take_profit_pct: 1.2,
      };
      const buy = (quantity: number, type: 'MARKET' | 'LIMIT', price: number): OrderEvent =>
        pendingOrder({
          risk_management: {
            ...levels,
            stop_loss: round(price * 0.99, 4),
            take_profit: round(price * 1.012, 4),
          },
          ...base,
          order_id: nextId(timestamp),
          action: 'BUY',
          order_type: type,
          quantity,
          price,
          total_value: round(quantity * price, 8),
          expires_at: type === 'LIMIT' ? timestamp + 5 * 60_000 : null,
        });
      if (draw < 0.06)
        orders.push(buy(round((2_000 + 8_000 * random.uniform()) / close, 6), 'MARKET', close));
      else if (draw < 0.08) {
        const limit = round(close * 0.985, 4);
        orders.push(buy(round(1_500 / limit, 6), 'LIMIT', limit));
      } else if (draw < 0.1) {
        orders.push(
          pendingOrder({
            ...base,
            order_id: nextId(timestamp),
            action: 'SELL',
            quantity: 1,
            price: close,
            total_value: close,
            risk_management: { stop_loss: 0, take_profit: 0, stop_loss_pct: 0, take_profit_pct: 0 },
          }),
        );
      }
    }
  }
  return { bars, orders };
}

/** What an order event says about an execution: enough to compare two runs exactly. */
export const executionOf = (event: OrderEvent): string =>
  [
    event.order_id,
    event.status,
    event.event_time,
    event.fill_price,
    event.fill_fee,
    event.exit_price,
    event.close_reason,
    event.realized_pnl,
    event.cancel_reason,
  ].join(' ');

/**
 * The events the exchange must emit for a flow, by the pure step alone: bars in event-time order
 * (ties by partition, as the runner merges them), each after every order placed before it.
 */
export function expectedExecutions(
  flow: OrderFlow,
  partitionOf: (symbol: string) => number,
  settings: ExchangeSettings = DEFAULT_EXCHANGE_SETTINGS,
): string[] {
  const bars = flow.bars
    .map((bar, index) => ({ bar, index }))
    .sort(
      (a, b) =>
        a.bar.timestamp - b.bar.timestamp ||
        partitionOf(a.bar.symbol) - partitionOf(b.bar.symbol) ||
        a.index - b.index,
    );
  let state = initialExchangeState(settings);
  let next = 0;
  const out: string[] = [];
  for (const { bar } of bars) {
    while (next < flow.orders.length && (flow.orders[next] as OrderEvent).timestamp < bar.timestamp) {
      state = stepExchange(state, { kind: 'order', event: flow.orders[next] as OrderEvent }, settings).state;
      next++;
    }
    const step = stepExchange(state, { kind: 'bar', bar }, settings);
    state = step.state;
    out.push(...step.emitted.map(executionOf));
  }
  return out;
}
