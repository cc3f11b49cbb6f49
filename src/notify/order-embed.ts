import type { CancelReason, CloseReason, OrderEvent } from '../contracts/index.ts';
import { EmbedColors, type DiscordEmbed, type DiscordEmbedField } from './discord-message.ts';
import { formatPct, formatPrice, formatQuantity, formatUsdt, truncate } from './format.ts';

const CLOSE_REASONS: Readonly<Record<CloseReason, string>> = {
  STOP_LOSS: 'stop-loss',
  TAKE_PROFIT: 'take-profit',
  SELL_SIGNAL: 'sell signal',
  MANUAL: 'closed by hand',
  UNKNOWN: 'unknown reason',
};

const CANCEL_REASONS: Readonly<Record<CancelReason, string>> = {
  INSUFFICIENT_CASH: 'insufficient cash',
  EXPIRED: 'limit expired',
  INVALID: 'invalid order',
  NO_POSITION: 'no position to sell',
  MANUAL: 'cancelled by hand',
  UNKNOWN: 'unknown reason',
};

/** A close reason in words ("take-profit"), as the CLOSED embed says it; unknown ones as they are. */
export const closeReasonText = (reason: string): string =>
  reason in CLOSE_REASONS ? CLOSE_REASONS[reason as CloseReason] : reason;

/**
 * What identifies a notification: an order has at most one event per status, so a reader (or a
 * deduplicating bot) can tell a repeated post from a new one. It is printed in every footer.
 */
export const notificationKey = (event: OrderEvent): string => `${event.order_id}:${event.status}`;

/**
 * The embed an order event posts, or undefined for events nobody is told about (PENDING: the
 * order is only decided; its fill or cancel follows within a bar).
 */
export function embedFor(event: OrderEvent): DiscordEmbed | undefined {
  switch (event.status) {
    case 'PENDING':
      return undefined;
    case 'FILLED':
      return filledEmbed(event);
    case 'CLOSED':
      return closedEmbed(event);
    case 'CANCELLED':
      return cancelledEmbed(event);
    default: {
      const unhandled: never = event.status;
      return unhandled;
    }
  }
}

function filledEmbed(event: OrderEvent): DiscordEmbed {
  const price = event.fill_price ?? event.price;
  const risk = event.risk_management;
  const fields: DiscordEmbedField[] = [
    { name: 'Value', value: formatUsdt(event.quantity * price), inline: true },
    { name: 'Fee', value: formatUsdt(event.fill_fee ?? 0), inline: true },
  ];
  if (event.action === 'BUY') {
    fields.push(
      {
        name: 'Stop-loss',
        value: `${formatPrice(risk.stop_loss)} (${formatPct(risk.stop_loss_pct)})`,
        inline: true,
      },
      {
        name: 'Take-profit',
        value: `${formatPrice(risk.take_profit)} (${formatPct(risk.take_profit_pct)})`,
        inline: true,
      },
    );
  }
  if (event.closes_order_id !== null)
    fields.push({ name: 'Closes', value: event.closes_order_id, inline: true });
  fields.push(signalField(event), orderField(event));
  return {
    title: `${event.action} ${formatQuantity(event.quantity)} ${event.symbol} filled at ${formatPrice(price)}`,
    color: event.action === 'BUY' ? EmbedColors.buy : EmbedColors.sell,
    timestamp: eventTime(event),
    fields,
    footer: footerOf(event),
  };
}

function closedEmbed(event: OrderEvent): DiscordEmbed {
  const entry = event.fill_price ?? event.price;
  const exit = event.exit_price ?? entry;
  const pnl = event.realized_pnl ?? 0;
  const cost = event.quantity * entry;
  const reason = event.close_reason === null ? CLOSE_REASONS.UNKNOWN : CLOSE_REASONS[event.close_reason];
  const pnlText =
    cost > 0 ? `${formatUsdt(pnl, true)} (${formatPct((pnl / cost) * 100)})` : formatUsdt(pnl, true);
  return {
    title: `${event.symbol} position closed at ${formatPrice(exit)} (${reason})`,
    color: pnl > 0 ? EmbedColors.profit : pnl < 0 ? EmbedColors.loss : EmbedColors.flat,
    timestamp: eventTime(event),
    fields: [
      { name: 'Realized PnL', value: pnlText, inline: true },
      { name: 'Quantity', value: formatQuantity(event.quantity), inline: true },
      { name: 'Entry', value: formatPrice(entry), inline: true },
      { name: 'Exit', value: formatPrice(exit), inline: true },
      { name: 'Fees', value: formatUsdt((event.fill_fee ?? 0) + (event.exit_fee ?? 0)), inline: true },
      orderField(event),
    ],
    footer: footerOf(event),
  };
}

function cancelledEmbed(event: OrderEvent): DiscordEmbed {
  const reason = event.cancel_reason === null ? CANCEL_REASONS.UNKNOWN : CANCEL_REASONS[event.cancel_reason];
  const fields: DiscordEmbedField[] = [{ name: 'Reason', value: reason, inline: true }];
  if (event.cancel_detail !== null && event.cancel_detail !== '')
    fields.push({ name: 'Detail', value: truncate(event.cancel_detail, 1_024) });
  fields.push(signalField(event), orderField(event));
  return {
    title: `${event.action} ${formatQuantity(event.quantity)} ${event.symbol} cancelled: ${reason}`,
    color: EmbedColors.cancelled,
    timestamp: eventTime(event),
    fields,
    footer: footerOf(event),
  };
}

const signalField = (event: OrderEvent): DiscordEmbedField => ({
  name: 'Signal',
  value: `${event.trigger_signal.model}, confidence ${(event.trigger_signal.confidence * 100).toFixed(0)}%`,
  inline: true,
});

const orderField = (event: OrderEvent): DiscordEmbedField => ({
  name: 'Order',
  value:
    event.order_type === 'LIMIT'
      ? `${event.order_id} (LIMIT ${formatPrice(event.price)})`
      : `${event.order_id} (${event.order_type})`,
  inline: true,
});

const eventTime = (event: OrderEvent): string => new Date(event.event_time ?? event.timestamp).toISOString();

const footerOf = (event: OrderEvent): { text: string } => ({
  text: `${notificationKey(event)} · ${event.strategy}`,
});
