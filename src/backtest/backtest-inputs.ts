import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MarketData } from '../contracts/index.ts';
import { SYMBOL_PATTERN } from '../contracts/validation/rules.ts';
import { CmlError, ErrorCodes, isCmlError } from '../errors/index.ts';
import { symbolFromFileName } from '../ingest/kline-row.ts';
import { inferIntervalMs, readBarsFile } from '../ml/index.ts';
import type { TimeUnit } from '../time/index.ts';

/** One kline file of a backtest and the pair its bars are of. */
export interface BacktestInput {
  readonly file: string;
  readonly symbol: string;
}

/** The bars of every input, merged in time order, with what was read. */
export interface BacktestBars {
  readonly bars: MarketData[];
  readonly symbols: string[];
  readonly intervalMs: number;
  readonly skipped: number;
}

const NAMING_HINT = 'Name the file after its pair (e.g. BTCUSDT-5m-2024-01.csv) or pass --symbol BTCUSDT.';

function expand(path: string): string[] {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new CmlError(ErrorCodes.FILE_NOT_FOUND, `No such file or directory: ${path}`, {
      hint: 'Check the path: pass kline CSV files, or a folder of them.',
    });
  }
  if (!isFolder) return [path];
  const files = readdirSync(path)
    .filter((name) => name.toLowerCase().endsWith('.csv'))
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0)
    throw new CmlError(ErrorCodes.USAGE, `${path} holds no .csv file`, {
      hint: 'Pass kline CSV files, or a folder of them.',
    });
  return files;
}

/**
 * Files and folders (each folder's `.csv` files) with the pair of each: one `--symbol` per file
 * in order, or the pair the file name starts with. Checked before any training.
 */
export function resolveInputs(paths: readonly string[], symbols: readonly string[] = []): BacktestInput[] {
  const files = paths.flatMap(expand);
  if (symbols.length > 0 && symbols.length !== files.length)
    throw new CmlError(
      ErrorCodes.USAGE,
      `${symbols.length} --symbol for ${files.length} file(s): ${files.join(', ')}`,
      {
        hint: 'Give one --symbol per file, in the order of the files, or none to read each from its file name.',
      },
    );
  return files.map((file, i) => {
    const given = symbols[i]?.trim().toUpperCase();
    const symbol = given ?? symbolFromFileName(file);
    if (symbol === undefined)
      throw new CmlError(ErrorCodes.USAGE, `No symbol for ${file}: its name does not start with a pair`, {
        hint: NAMING_HINT,
      });
    if (!SYMBOL_PATTERN.test(symbol))
      throw new CmlError(ErrorCodes.USAGE, `"${symbol}" is not a USDT pair such as BTCUSDT (for ${file})`, {
        hint: NAMING_HINT,
      });
    return { file, symbol };
  });
}

/**
 * Reads every input and merges the bars in time order (files in the order given at equal times);
 * a symbol's repeated or out-of-order bars are dropped, as its consumers would. The symbols must
 * share one bar interval: the features are defined per interval.
 */
export function readBacktestBars(inputs: readonly BacktestInput[], timeUnit?: TimeUnit): BacktestBars {
  const read: MarketData[] = [];
  let skipped = 0;
  for (const { file, symbol } of inputs) {
    let fromFile: { bars: MarketData[]; skipped: number };
    try {
      fromFile = readBarsFile(file, symbol, timeUnit);
    } catch (error) {
      // readBarsFile's own errors (a missing file, a time unit it cannot tell) already say what to do.
      if (isCmlError(error)) throw error;
      throw new CmlError(ErrorCodes.USAGE, `Cannot read ${file}: ${(error as Error).message}`, {
        hint: 'Pass kline CSV files in a format `cml import` reads (e.g. from data.binance.vision).',
        cause: error,
      });
    }
    if (fromFile.bars.length === 0)
      throw new CmlError(ErrorCodes.USAGE, `${file} holds no valid bars (${fromFile.skipped} rows skipped)`, {
        hint: 'Pass a kline CSV file, e.g. one from data.binance.vision.',
      });
    skipped += fromFile.skipped;
    for (const bar of fromFile.bars) read.push(bar);
  }
  // Stable: at equal times the files' order stands.
  read.sort((a, b) => a.timestamp - b.timestamp);
  const last = new Map<string, number>();
  const bars = read.filter((bar) => {
    const previous = last.get(bar.symbol);
    if (previous !== undefined && bar.timestamp <= previous) return false;
    last.set(bar.symbol, bar.timestamp);
    return true;
  });
  const symbols = [...last.keys()];
  const intervals = new Map(
    symbols.map((symbol) => [
      symbol,
      inferIntervalMs(bars.filter((b) => b.symbol === symbol).map((b) => b.timestamp)),
    ]),
  );
  const distinct = new Set(intervals.values());
  if (distinct.size > 1)
    throw new CmlError(
      ErrorCodes.USAGE,
      `The files mix bar intervals: ${[...intervals].map(([s, ms]) => `${s} ${ms / 60_000} min`).join(', ')}`,
      { hint: 'Backtest files of one interval together (e.g. all 5m).' },
    );
  return { bars, symbols, intervalMs: [...distinct][0] as number, skipped };
}
