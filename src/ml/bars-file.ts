import { readFileSync } from 'node:fs';
import type { MarketData } from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { detectFormat, parseKlineRow, symbolFromFileName } from '../ingest/kline-row.ts';
import { plainKlineRow } from '../ingest/plain-kline-row.ts';
import type { TimeUnit } from '../time/index.ts';

/**
 * Reads a kline CSV (the formats `import` reads) into bars; bad rows are skipped and counted. The
 * open times are in `timeUnit`, or each in the unit its magnitude tells. Lines in the usual plain
 * form take the one-pass reading (plain-kline-row.ts), the others `parseKlineRow`: same bars.
 */
export function readBarsFile(
  file: string,
  symbol?: string,
  timeUnit?: TimeUnit,
): { bars: MarketData[]; skipped: number } {
  const pair = symbol ?? symbolFromFileName(file);
  if (pair === undefined)
    throw new CmlError(ErrorCodes.USAGE, `Cannot tell the symbol of ${file} from its name`, {
      hint: 'Pass --symbol, e.g. --symbol BTCUSDT (or name the file like BTCUSDT-5m-2024-01.csv).',
    });
  const text = readFileSync(file, 'utf8');
  const firstLine = firstNonBlankLine(text);
  const format = detectFormat(firstLine);
  if (format === undefined)
    throw new CmlError(ErrorCodes.USAGE, `${file}:1: not a kline CSV I know: "${firstLine.slice(0, 80)}"`, {
      hint: 'Expected the 12-column data.binance.vision klines, or a header open_time,open,high,low,close,volume.',
    });
  const bars: MarketData[] = [];
  let skipped = 0;
  for (let from = 0; from < text.length;) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const next = to + 1;
    if (to > from && text.charCodeAt(to - 1) === CR) to--;
    const bar = plainKlineRow(text, from, to, format, pair, timeUnit);
    if (bar !== undefined) bars.push(bar);
    else {
      const line = text.slice(from, to);
      if (line.trim() !== '') {
        const row = parseKlineRow(line, format, pair, timeUnit);
        if (row.ok === true) bars.push(row.bar);
        else if (row.ok === false) skipped++;
      }
    }
    from = next;
  }
  return { bars, skipped };
}

const CR = 13;

function firstNonBlankLine(text: string): string {
  for (let from = 0; from < text.length;) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const line = text.slice(from, to);
    if (line.trim() !== '') return line;
    from = to + 1;
  }
  return '';
}
