import type { MarketData } from '../contracts/index.ts';
import { klineBar } from './kline-bar.ts';
import { detectExactTimeUnit, exactToMillis, isPlausibleTime, type TimeUnit } from '../time/index.ts';
import type { KlineFormat } from './kline-row.ts';

/** Digits a cell may have for the fast path: below 10^15 every such integer is exact as a double. */
const MAX_DIGITS = 15;
/** 10^0 .. 10^15 by repeated multiplication by 10, exact (up to 10^22 it would be). */
const POWERS_OF_TEN = [1];
while (POWERS_OF_TEN.length <= MAX_DIGITS) POWERS_OF_TEN.push((POWERS_OF_TEN.at(-1) as number) * 10);
const COMMA = 44;
const DOT = 46;
const ZERO = 48;
/** The price and volume cells: open, high, low, close, volume. */
const CELLS = 5;
/** Where a line's cells are read into (the parse is synchronous). */
const scratch = new Float64Array(CELLS);

/**
 * `parseKlineRow`'s bar for a line in the form files almost always take, read in one pass over
 * its characters, without splitting it into strings; undefined for any other line, which
 * `parseKlineRow` then reads (and explains, if it is wrong). The form: the open time as up to 15
 * digits, plausible in `unit` or in the unit its magnitude tells, and prices and volume as digits
 * with at most one point inside them, 15 digits at most, nothing else on the line but commas (any
 * cells after the sixth, as data.binance.vision writes, are counted, not read).
 *
 * The same numbers as `Number`: a cell's digits make a whole number m below 2^53 and its decimals
 * k at most 15, both exact as doubles, so m / 10^k is the division of two exact values, which
 * IEEE 754 rounds correctly, to the double nearest the decimal, as `Number` rounds it.
 */
export function plainKlineRow(
  text: string,
  from: number,
  to: number,
  format: KlineFormat,
  symbol: string,
  unit: TimeUnit | undefined,
): MarketData | undefined {
  let at = from;
  let whole = 0;
  for (; at < to; at++) {
    const digit = text.charCodeAt(at) - ZERO;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
  }
  const timeDigits = at - from;
  if (timeDigits === 0 || timeDigits > MAX_DIGITS || at === to || text.charCodeAt(at) !== COMMA)
    return undefined;
  const read = unit ?? detectExactTimeUnit(whole);
  if (read === undefined) return undefined;
  const timestamp = exactToMillis(whole, read);
  if (!isPlausibleTime(timestamp)) return undefined;

  const cells = scratch;
  for (let cell = 0; cell < CELLS; cell++) {
    const start = ++at;
    let mantissa = 0;
    let point = -1;
    for (; at < to; at++) {
      const c = text.charCodeAt(at);
      const digit = c - ZERO;
      if (digit >= 0 && digit <= 9) mantissa = mantissa * 10 + digit;
      else if (c === DOT && point < 0) point = at;
      else break;
    }
    const digits = at - start - (point < 0 ? 0 : 1);
    if (digits === 0 || digits > MAX_DIGITS || point === start || point === at - 1) return undefined;
    // A cell ends at a comma, or (the last one read) at the end of the line.
    if (at < to ? text.charCodeAt(at) !== COMMA : cell < CELLS - 1) return undefined;
    cells[cell] = point < 0 ? mantissa : mantissa / (POWERS_OF_TEN[at - point - 1] as number);
  }
  if (cellsAfter(text, at, to) !== (format === 'ohlcv' ? 0 : 6)) return undefined;
  return klineBar(
    symbol,
    timestamp,
    cells[0] as number,
    cells[1] as number,
    cells[2] as number,
    cells[3] as number,
    cells[4] as number,
  );
}

/** How many cells follow the one ending at `at` (at a comma, or at the end of the line). */
function cellsAfter(text: string, at: number, to: number): number {
  let commas = 0;
  for (let i = at; i < to; i++) if (text.charCodeAt(i) === COMMA) commas++;
  return commas;
}
