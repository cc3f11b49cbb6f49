import type { MARKET_DATA } from '../../src/contracts/index.ts';
import type { ValidMessage } from '../../src/messaging/index.ts';
import { positionKey } from '../projection-lag.ts';

/** One bar of one symbol, as a chart draws it: `close` is the bar's `price`. */
export interface Candle {
  readonly symbol: string;
  /** Bar time, ms since epoch. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * The fold of the candle read model, pure: a batch of valid bars becomes candles and the offsets
 * they cover. A record below the offsets already folded is a redelivery and adds nothing; a second
 * bar of a symbol at the same time replaces the first (the later record is the correction).
 */
export function candleRows(
  folded: ReadonlyMap<string, number>,
  messages: readonly ValidMessage<typeof MARKET_DATA>[],
): { candles: Candle[]; offsets: Map<string, number> } {
  const offsets = new Map(folded);
  const candles: Candle[] = [];
  for (const { record, value } of messages) {
    const key = positionKey(record.topic, record.partition);
    if (record.offset < (offsets.get(key) ?? 0)) continue;
    candles.push({
      symbol: value.symbol,
      time: value.timestamp,
      open: value.open,
      high: value.high,
      low: value.low,
      close: value.price,
      volume: value.volume,
    });
    offsets.set(key, record.offset + 1);
  }
  return { candles, offsets };
}
