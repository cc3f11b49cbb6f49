import type { MarketData } from '../contracts/index.ts';

/** The CSV layouts `import` reads. */
export type KlineFormat =
  /** data.binance.vision klines: 12 columns, open time in ms (or µs since 2025), no header or one. */
  | 'binance-vision'
  /** `open_time,open,high,low,close,volume`, open time in ms. */
  | 'ohlcv';

export type RowResult = { ok: true; bar: MarketData } | { ok: false; reason: string } | { ok: 'header' };

const OHLCV_HEADER = ['open_time', 'open', 'high', 'low', 'close', 'volume'];
const VISION_HEADER_START = ['open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time'];

/** Detects the layout from the first line: a known header, or the number of columns. */
export function detectFormat(firstLine: string): KlineFormat | undefined {
  const cells = firstLine
    .trim()
    .split(',')
    .map((c) => c.trim().toLowerCase());
  if (cells.length === 6 && cells.every((c, i) => c === OHLCV_HEADER[i])) return 'ohlcv';
  if (cells.length === 12 && VISION_HEADER_START.every((c, i) => cells[i] === c)) return 'binance-vision';
  if (cells.length === 12 && /^\d+$/.test(cells[0] ?? '')) return 'binance-vision';
  if (cells.length === 6 && /^\d+$/.test(cells[0] ?? '')) return 'ohlcv';
  return undefined;
}

/** Times before 2001-09 in ms are below 1e12; anything above 1e14 is in microseconds. */
const toMillis = (raw: number): number => (raw > 1e14 ? Math.floor(raw / 1000) : raw);

/** Parses one CSV line into a market-data bar (close as price, change over the bar in percent). */
export function parseKlineRow(line: string, format: KlineFormat, symbol: string): RowResult {
  const cells = line.trim().split(',');
  const expected = format === 'ohlcv' ? 6 : 12;
  if (cells.length !== expected)
    return { ok: false, reason: `has ${cells.length} columns, expected ${expected} (${format})` };
  if (!/^\d+$/.test(cells[0]?.trim() ?? '')) {
    return cells[0]?.trim().toLowerCase() === 'open_time'
      ? { ok: 'header' }
      : { ok: false, reason: `open_time "${cells[0]}" is not an integer timestamp` };
  }
  const names = ['open_time', 'open', 'high', 'low', 'close', 'volume'];
  const numbers = cells.slice(0, 6).map(Number);
  const bad = numbers.findIndex((n) => !Number.isFinite(n));
  if (bad >= 0) return { ok: false, reason: `${names[bad]} "${cells[bad]}" is not a number` };
  const [openTime, open, high, low, close, volume] = numbers as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    ok: true,
    bar: {
      symbol,
      timestamp: toMillis(openTime),
      price: close,
      open,
      high,
      low,
      volume,
      price_change_pct: open > 0 ? ((close - open) / open) * 100 : 0,
    },
  };
}

/** A symbol from a file name such as `BTCUSDT-5m-2024-01.csv` or `btcusdt-5m-2023-01-02_2023-02-09.csv`. */
export function symbolFromFileName(fileName: string): string | undefined {
  const match = /^([a-z]{3,6}usdt)[-_.]/i.exec(fileName.split('/').at(-1) ?? '');
  return match?.[1]?.toUpperCase();
}
