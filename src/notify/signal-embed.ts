import type { MlSignal } from '../contracts/index.ts';
import { EmbedColors, type DiscordEmbed } from './discord-message.ts';
import { formatPct, formatPrice } from './format.ts';

/** Whether a signal is posted: BUY or SELL (HOLD says nothing happened) at or above the confidence. */
export const shouldPostSignal = (signal: MlSignal, minConfidence: number): boolean =>
  signal.signal !== 'HOLD' && signal.confidence >= minConfidence;

/** What identifies a signal post: one per model, prediction type, symbol and bar. */
export const signalKey = (signal: MlSignal): string =>
  `${signal.symbol}:${signal.model}:${signal.prediction_type}:${signal.timestamp}`;

/** The embed of a BUY or SELL signal, in the order embeds' style. */
export function signalEmbed(signal: MlSignal): DiscordEmbed {
  return {
    title: `${signal.signal} signal on ${signal.symbol}: ${signal.model}, confidence ${(signal.confidence * 100).toFixed(0)}%`,
    color: signal.signal === 'BUY' ? EmbedColors.buy : EmbedColors.sell,
    timestamp: new Date(signal.timestamp).toISOString(),
    fields: [
      { name: 'Price', value: formatPrice(signal.current_price), inline: true },
      { name: 'Expected change', value: formatPct(signal.expected_change_pct), inline: true },
      {
        name: 'Predicted',
        value: `${formatPrice(signal.predicted_value)} (${signal.prediction_type})`,
        inline: true,
      },
      { name: 'Model version', value: signal.metadata.model_version, inline: true },
    ],
    footer: { text: `signal ${signalKey(signal)}` },
  };
}
