import type { MlSignal, OrderAction, OrderEvent } from '../../src/contracts/index.ts';
import { CREATED_BY, type DecisionSettings } from './decision-settings.ts';

export interface OrderDraft {
  readonly orderId: string;
  readonly action: OrderAction;
  readonly quantity: number;
  /** Equity when decided: the orders' portfolio_balance_usdt, and the base of position_size_pct. */
  readonly equity: number;
}

/** The stop-loss and take-profit prices of a position entered at `price`. */
export const exitLevels = (
  price: number,
  settings: Pick<DecisionSettings, 'stopLossPct' | 'takeProfitPct'>,
): { readonly stopLoss: number; readonly takeProfit: number } => ({
  stopLoss: price * (1 + settings.stopLossPct / 100),
  takeProfit: price * (1 + settings.takeProfitPct / 100),
});

/**
 * The PENDING order event for a decision: priced at the signal's current price, stamped with the
 * signal's event time (the exchange fills a MARKET order at the first bar after it), with the
 * signal that triggered it and the exit levels. A SELL carries the same levels for the record;
 * it opens nothing, so the exchange does not use them.
 */
export function draftOrder(signal: MlSignal, draft: OrderDraft, settings: DecisionSettings): OrderEvent {
  const price = signal.current_price;
  const totalValue = draft.quantity * price;
  const levels = exitLevels(price, settings);
  return {
    order_id: draft.orderId,
    symbol: signal.symbol,
    timestamp: signal.timestamp,
    action: draft.action,
    order_type: settings.orderType,
    quantity: draft.quantity,
    price,
    total_value: totalValue,
    status: 'PENDING',
    strategy: settings.strategy,
    trigger_signal: {
      model: signal.model,
      confidence: signal.confidence,
      expected_change_pct: signal.expected_change_pct,
    },
    risk_management: {
      stop_loss: levels.stopLoss,
      take_profit: levels.takeProfit,
      stop_loss_pct: settings.stopLossPct,
      take_profit_pct: settings.takeProfitPct,
    },
    metadata: {
      portfolio_balance_usdt: draft.equity,
      position_size_pct: draft.equity > 0 ? (totalValue / draft.equity) * 100 : 0,
      created_by: CREATED_BY,
    },
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
  };
}
