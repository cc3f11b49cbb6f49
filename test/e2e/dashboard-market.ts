import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type DataTopic,
  type MarketData,
  type MlSignal,
  type OrderEvent,
  type TopicValues,
} from '../../src/contracts/index.ts';
import { pendingOrder, signalAt } from '../support/messages.ts';
import { orderFlow } from '../support/order-flow.ts';

const MODELS = ['random_forest', 'svm', 'logistic_regression'] as const;
export const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;

export interface DashboardMarket {
  readonly bars: MarketData[];
  readonly orders: OrderEvent[];
  readonly signals: MlSignal[];
}

const dayOf = (time: number): string => new Date(time).toISOString().slice(0, 10).replaceAll('-', '');

/** A MARKET BUY with wide stop-loss and take-profit, so its position stays open. */
export const marketBuy = (orderId: string, symbol: string, timestamp: number, close: number): OrderEvent => {
  const quantity = Number((300 / close).toFixed(6));
  return pendingOrder({
    order_id: orderId,
    symbol,
    timestamp,
    quantity,
    price: close,
    total_value: Number((quantity * close).toFixed(8)),
    risk_management: {
      stop_loss: Number((close * 0.8).toFixed(4)),
      take_profit: Number((close * 1.5).toFixed(4)),
      stop_loss_pct: -20,
      take_profit_pct: 50,
    },
  });
};

/** The id of an order placed on the scripted market's day, after the flow's own (`NNN` from 900). */
export const extraOrderId = (time: number, n: number): string => `ORD-${dayOf(time)}-${900 + n}`;

/**
 * A short scripted market ending a few minutes ago: minute bars of two symbols with a restless
 * trader's orders (fills, stop-losses, take-profits, SELLs, cancels: test/support/order-flow.ts),
 * three models' signals on every bar, and a last small BUY of each symbol that stays open.
 */
export function dashboardMarket(minutes: number): DashboardMarket {
  const start = Math.floor(Date.now() / 60_000) * 60_000 - (minutes + 5) * 60_000;
  const flow = orderFlow({ seed: 11, minutes, start, symbols: SYMBOLS });
  const last = new Map(flow.bars.map((bar) => [bar.symbol, bar]));
  const finalBuys = SYMBOLS.map((symbol, n) => {
    const bar = last.get(symbol) as MarketData;
    return marketBuy(extraOrderId(bar.timestamp, n), symbol, bar.timestamp - 30_000, bar.open);
  });
  const signals = flow.bars.flatMap((bar, i) =>
    MODELS.map((model, m) => {
      const change = (((i * 7 + m * 13) % 9) - 4) * 0.5;
      return signalAt(bar.timestamp, {
        symbol: bar.symbol,
        model,
        current_price: bar.price,
        predicted_value: Number((bar.price * (1 + change / 100)).toFixed(4)),
        expected_change_pct: change,
        confidence: Number((0.55 + ((i + m * 5) % 9) * 0.05).toFixed(2)),
        signal: change > 1.5 ? 'BUY' : change < -1.5 ? 'SELL' : 'HOLD',
      });
    }),
  );
  const orders = [...flow.orders, ...finalBuys].sort((a, b) => a.timestamp - b.timestamp);
  return { bars: flow.bars, orders, signals };
}

type Publish = <K extends DataTopic>(topic: K, values: readonly TopicValues[K][]) => Promise<void>;

/**
 * Publishes the market as it would happen live, a minute at a time: the orders placed during the
 * minute before a bar, then the bar, then the signals on it. (All orders ahead of all bars would be
 * valid too, but the portfolio's clock would then start at the last order, and its equity curve
 * would have every point at that one time.)
 */
export async function publishInTimeOrder(publish: Publish, market: DashboardMarket): Promise<void> {
  const times = [...new Set(market.bars.map((bar) => bar.timestamp))].sort((a, b) => a - b);
  for (const time of times) {
    await publish(
      ORDERS,
      market.orders.filter((order) => order.timestamp < time && order.timestamp >= time - 60_000),
    );
    await publish(
      MARKET_DATA,
      market.bars.filter((bar) => bar.timestamp === time),
    );
    await publish(
      ML_SIGNALS,
      market.signals.filter((signal) => signal.timestamp === time),
    );
  }
  await publish(
    ORDERS,
    market.orders.filter((order) => order.timestamp >= (times.at(-1) ?? 0)),
  );
}
