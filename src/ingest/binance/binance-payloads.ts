import type { MarketData } from '../../contracts/index.ts';

/** Kline intervals of the Binance spot API, in milliseconds. */
export const KLINE_INTERVALS = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
} as const;
export type KlineInterval = keyof typeof KLINE_INTERVALS;

/** A kline as Binance describes it, reduced to what a bar needs. */
export interface Kline {
  readonly bar: MarketData;
  readonly closeTime: number;
  /** Closed bars only are published; an open kline is the bar still forming. */
  readonly closed: boolean;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const number = (value: unknown): number =>
  typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;

function toBar(
  symbol: unknown,
  openTime: unknown,
  open: unknown,
  high: unknown,
  low: unknown,
  close: unknown,
  volume: unknown,
): Parsed<MarketData> {
  if (typeof symbol !== 'string') return { ok: false, reason: 'symbol missing' };
  const values = {
    timestamp: number(openTime),
    open: number(open),
    high: number(high),
    low: number(low),
    price: number(close),
    volume: number(volume),
  };
  const bad = Object.entries(values).find(([, v]) => !Number.isFinite(v));
  if (bad !== undefined) return { ok: false, reason: `${bad[0]} is not a number` };
  return {
    ok: true,
    value: {
      symbol,
      ...values,
      price_change_pct: values.open > 0 ? ((values.price - values.open) / values.open) * 100 : 0,
    },
  };
}

/**
 * A kline event from the WebSocket stream, raw or wrapped by a combined stream:
 * `{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":…,"s":"BTCUSDT","k":{"t":…,"T":…,"o":"…","c":"…","h":"…","l":"…","v":"…","x":true,…}}}`.
 */
export function parseKlineEvent(frame: string): Parsed<Kline & { readonly eventTime: number }> {
  let message: unknown;
  try {
    message = JSON.parse(frame);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  // `null` is JSON too: reading a field of it threw inside the socket's message handler.
  if (typeof message !== 'object' || message === null) return { ok: false, reason: 'not a kline event' };
  const data = (message as { data?: unknown }).data ?? message;
  const event = data as { e?: unknown; E?: unknown; s?: unknown; k?: Record<string, unknown> };
  if (event.e !== 'kline' || typeof event.k !== 'object' || event.k === null)
    return { ok: false, reason: 'not a kline event' };
  const k = event.k;
  const bar = toBar(event.s ?? k.s, k.t, k.o, k.h, k.l, k.c, k.v);
  if (!bar.ok) return bar;
  const closeTime = number(k.T);
  if (!Number.isFinite(closeTime) || typeof k.x !== 'boolean')
    return { ok: false, reason: 'kline close time or closed flag missing' };
  return {
    ok: true,
    value: {
      bar: bar.value,
      closeTime,
      closed: k.x,
      eventTime: Number.isFinite(number(event.E)) ? number(event.E) : closeTime,
    },
  };
}

/** One row of `GET /api/v3/klines`: `[openTime, "open", "high", "low", "close", "volume", closeTime, …]`. */
export function parseRestKline(symbol: string, row: unknown): Parsed<Kline> {
  if (!Array.isArray(row) || row.length < 7)
    return { ok: false, reason: 'kline row is not an array of at least 7 fields' };
  const bar = toBar(symbol, row[0], row[1], row[2], row[3], row[4], row[5]);
  if (!bar.ok) return bar;
  return { ok: true, value: { bar: bar.value, closeTime: number(row[6]), closed: true } };
}

/** One entry of `GET /api/v3/ticker/24hr`: the rolling 24 h window as a bar (its open time as timestamp). */
export function parseTicker(entry: unknown): Parsed<MarketData> {
  const t = entry as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null) return { ok: false, reason: 'ticker is not an object' };
  const bar = toBar(t.symbol, t.closeTime, t.openPrice, t.highPrice, t.lowPrice, t.lastPrice, t.volume);
  if (!bar.ok) return bar;
  const change = number(t.priceChangePercent);
  return {
    ok: true,
    value: { ...bar.value, price_change_pct: Number.isFinite(change) ? change : bar.value.price_change_pct },
  };
}
