import { readFileSync } from 'node:fs';
import type { MarketData } from '../contracts/index.ts';
import { detectFormat, parseKlineRow, symbolFromFileName } from '../ingest/kline-row.ts';

/** Reads a kline CSV (the formats `import` reads) into bars; bad rows are skipped and counted. */
export function readBarsFile(file: string, symbol?: string): { bars: MarketData[]; skipped: number } {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const format = detectFormat(lines[0] ?? '');
  const pair = symbol ?? symbolFromFileName(file);
  if (format === undefined) throw new Error(`${file}: not a kline CSV this project reads`);
  if (pair === undefined) throw new Error(`${file}: no symbol in the file name; give one`);
  const bars: MarketData[] = [];
  let skipped = 0;
  for (const line of lines) {
    const row = parseKlineRow(line, format, pair);
    if (row.ok === true) bars.push(row.bar);
    else if (row.ok === false) skipped++;
  }
  return { bars, skipped };
}
