import { readFileSync } from 'node:fs';
import type { MarketData } from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { detectFormat, parseKlineRow, symbolFromFileName } from '../ingest/kline-row.ts';
import type { TimeUnit } from '../time/index.ts';

/**
 * Reads a kline CSV (the formats `import` reads) into bars; bad rows are skipped and counted. The
 * open times are in `timeUnit`, or each in the unit its magnitude tells.
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
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const format = detectFormat(lines[0] ?? '');
  if (format === undefined)
    throw new CmlError(
      ErrorCodes.USAGE,
      `${file}:1: not a kline CSV I know: "${(lines[0] ?? '').slice(0, 80)}"`,
      {
        hint: 'Expected the 12-column data.binance.vision klines, or a header open_time,open,high,low,close,volume.',
      },
    );
  const bars: MarketData[] = [];
  let skipped = 0;
  for (const line of lines) {
    const row = parseKlineRow(line, format, pair, timeUnit);
    if (row.ok === true) bars.push(row.bar);
    else if (row.ok === false) skipped++;
  }
  return { bars, skipped };
}
