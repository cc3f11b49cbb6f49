import type { MarketData } from '../contracts/index.ts';
import { klineBar } from './kline-bar.ts';
import { plainKlineRow } from './plain-kline-row.ts';
import {
  detectTimeUnit,
  isPlausibleTime,
  PLAUSIBLE_FROM_MS,
  PLAUSIBLE_TO_MS,
  toMillis,
  type TimeUnit,
} from '../time/index.ts';

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

/**
 * Whether a trimmed, non-blank cell that `Number` reads as finite is written as a plain decimal:
 * `Number` also reads 0x, 0b and 0o literals, and nothing else a decimal would not be (blanks are
 * refused before, `Infinity` is not finite). A check of two characters instead of a regex per cell.
 */
const isPrefixedLiteral = (cell: string): boolean => {
  if (cell.length < 2 || cell.charCodeAt(0) !== 48) return false;
  const second = cell.charCodeAt(1) | 32;
  return second === 120 || second === 98 || second === 111;
};

/** The open time in ms: in the given unit, or in the one its magnitude tells; a reason when impossible. */
function openTimeOf(digits: string, unit: TimeUnit | undefined): number | string {
  const read = unit ?? detectTimeUnit(digits);
  if (read === undefined)
    return `open_time ${digits} is no plausible time in s, ms, us or ns (${isoDay(PLAUSIBLE_FROM_MS)} .. ${isoDay(PLAUSIBLE_TO_MS)}); give its unit with --time-unit`;
  const ms = toMillis(digits, read);
  if (!isPlausibleTime(ms))
    return `open_time ${digits} in ${read} is ${Math.abs(ms) < 8.64e15 ? isoDay(ms) : 'beyond any date'}, outside ${isoDay(PLAUSIBLE_FROM_MS)} .. ${isoDay(PLAUSIBLE_TO_MS)}; is --time-unit ${read} right?`;
  return ms;
}

/** A price or volume cell's number, or what is wrong with it (after its column's name). */
function decimalCell(raw: string | undefined): number | string {
  const cell = raw?.trim() ?? '';
  if (cell === '') return 'is blank';
  const n = Number(cell);
  return Number.isFinite(n) && !isPrefixedLiteral(cell) ? n : `"${cell}" is not a number`;
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Parses one CSV line into a market-data bar (close as price, change over the bar in percent).
 * The open time's unit is `unit`, or told by its magnitude; numbers must be plain decimals.
 */
export function parseKlineRow(line: string, format: KlineFormat, symbol: string, unit?: TimeUnit): RowResult {
  const plain = plainKlineRow(line, 0, line.length, format, symbol, unit);
  if (plain !== undefined) return { ok: true, bar: plain };
  const cells = line.trim().split(',');
  const expected = format === 'ohlcv' ? 6 : 12;
  if (cells.length !== expected)
    return { ok: false, reason: `has ${cells.length} columns, expected ${expected} (${format})` };
  const time = cells[0]?.trim() ?? '';
  if (!/^\d+$/.test(time)) {
    return time.toLowerCase() === 'open_time'
      ? { ok: 'header' }
      : { ok: false, reason: `open_time "${cells[0]}" is not an integer timestamp` };
  }
  const openTime = openTimeOf(time, unit);
  if (typeof openTime === 'string') return { ok: false, reason: openTime };
  const open = decimalCell(cells[1]);
  const high = decimalCell(cells[2]);
  const low = decimalCell(cells[3]);
  const close = decimalCell(cells[4]);
  const volume = decimalCell(cells[5]);
  if (typeof open === 'string') return { ok: false, reason: `open ${open}` };
  if (typeof high === 'string') return { ok: false, reason: `high ${high}` };
  if (typeof low === 'string') return { ok: false, reason: `low ${low}` };
  if (typeof close === 'string') return { ok: false, reason: `close ${close}` };
  if (typeof volume === 'string') return { ok: false, reason: `volume ${volume}` };
  return { ok: true, bar: klineBar(symbol, openTime, open, high, low, close, volume) };
}

/** A symbol from a file name such as `BTCUSDT-5m-2024-01.csv` or `btcusdt-5m-2023-01-02_2023-02-09.csv`. */
export function symbolFromFileName(fileName: string): string | undefined {
  const match = /^([a-z]{3,6}usdt)[-_.]/i.exec(fileName.split('/').at(-1) ?? '');
  return match?.[1]?.toUpperCase();
}
