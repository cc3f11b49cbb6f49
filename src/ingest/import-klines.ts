import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  describeViolation,
  MARKET_DATA,
  MAX_CLOCK_SKEW_MS,
  validateMarketData,
  type MarketData,
} from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import type { LogPort } from '../log/port.ts';
import type { Publisher } from '../messaging/index.ts';
import { detectFormat, parseKlineRow, symbolFromFileName, type KlineFormat } from './kline-row.ts';
import { latestBarTime } from './latest-bar-time.ts';
import type { TimeUnit } from '../time/index.ts';
import { symbolBarTimes } from './symbol-bar-times.ts';

export interface ImportKlinesOptions {
  readonly file: string;
  /** The pair; taken from the file name (BTCUSDT-5m-...) when not given. */
  readonly symbol?: string;
  readonly batchSize?: number;
  /** Stop at the first bad row instead of reporting it and going on. */
  readonly strict?: boolean;
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** The unit of the open times; none: told by each one's magnitude. */
  readonly timeUnit?: TimeUnit;
  /** The wall clock: history cannot open after it (more than the clock skew allowed). */
  readonly now?: () => number;
  /**
   * The oldest event time the topic keeps (now minus its retention); history before it would be
   * deleted by the next retention pass, so a file that starts before it is refused whole, before
   * anything of it is written. Undefined: the topic keeps everything.
   */
  readonly keptFrom?: number;
}

export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
}

export interface ImportReport {
  readonly file: string;
  readonly symbol: string;
  readonly format: KlineFormat;
  readonly rows: number;
  readonly imported: number;
  /** Bars the log already holds, by (symbol, time): imported before. */
  readonly alreadyPresent: number;
  /**
   * Bars the log does not hold but older than the symbol's newest bar in it: a symbol's bars stay
   * in time order, so they cannot be appended behind it (import older history first).
   */
  readonly behindLog: number;
  readonly rejected: readonly RejectedRow[];
  readonly first?: number;
  readonly last?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Rows go forward in time, so the first bar to import is the oldest: checked, nothing is written yet. */
function historyBeyondRetention(file: string, first: number, keptFrom: number): CmlError {
  return new CmlError(
    ErrorCodes.HISTORY_BEYOND_RETENTION,
    `${file}: its bars start at ${iso(first)}, before ${iso(keptFrom)}, the oldest time ${MARKET_DATA} keeps: ` +
      'the next retention pass would delete them. Nothing of this file was imported.',
    {
      hint:
        `Keep history: set the retention of ${MARKET_DATA} in cml.config.json, e.g. ` +
        `{"topics": {"${MARKET_DATA}": {"retentionMs": -1}}} (forever), and import again (import applies it). ` +
        'A backtest of the file needs no import: `npm run cli -- backtest FILE`.',
      details: { file, first, keptFrom },
    },
  );
}

/**
 * Imports a kline CSV into crypto.market_data. Each row is parsed and validated on its own (a bad
 * row is reported with its line number); rows must go forward in time. The import is idempotent by
 * (symbol, time): bars the log holds are skipped, so importing a file twice adds nothing; bars it
 * does not hold but older than the symbol's newest are counted apart (`behindLog`), never appended
 * out of time order and never reported as present.
 */
export async function importKlines(
  log: LogPort,
  publisher: Publisher,
  options: ImportKlinesOptions,
): Promise<ImportReport> {
  const symbol = options.symbol ?? symbolFromFileName(options.file);
  if (symbol === undefined) {
    throw new CmlError(ErrorCodes.USAGE, `Cannot tell the symbol of ${options.file}`, {
      hint: 'Pass --symbol, e.g. --symbol BTCUSDT.',
    });
  }
  const totalBytes = statSync(options.file).size;
  const batchSize = options.batchSize ?? 5_000;
  const existingUntil = await latestBarTime(log, symbol);
  const wallNow = options.now ?? Date.now;
  /** Read once, and only when the file reaches back into what the log holds. */
  let existingTimes: ReadonlySet<number> | undefined;
  const stream = createReadStream(options.file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });

  let format: KlineFormat | undefined;
  let lineNumber = 0;
  let rows = 0;
  let imported = 0;
  let alreadyPresent = 0;
  let behindLog = 0;
  let previous = existingUntil ?? Number.NEGATIVE_INFINITY;
  let watermark = Number.NEGATIVE_INFINITY;
  let first: number | undefined;
  let last: number | undefined;
  const rejected: RejectedRow[] = [];
  let batch: MarketData[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    // Each bar was validated against the watermark when read; here its own time is its clock.
    await publisher.publish(MARKET_DATA, batch, (bar) => bar.timestamp);
    imported += batch.length;
    batch = [];
  };
  const reject = (reason: string): void => {
    if (options.strict === true)
      throw new CmlError(ErrorCodes.VALIDATION_FAILED, `${options.file}:${lineNumber}: ${reason}`);
    rejected.push({ line: lineNumber, reason });
  };

  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (format === undefined) {
      format = detectFormat(line);
      if (format === undefined) {
        throw new CmlError(
          ErrorCodes.USAGE,
          `${options.file}:1: not a kline CSV I know: "${line.slice(0, 80)}"`,
          {
            hint: 'Expected the 12-column data.binance.vision klines, or a header open_time,open,high,low,close,volume.',
          },
        );
      }
    }
    const parsed = parseKlineRow(line, format, symbol, options.timeUnit);
    if (parsed.ok === 'header') continue;
    rows++;
    if (!parsed.ok) {
      reject(parsed.reason);
      continue;
    }
    const bar = parsed.bar;
    if (existingUntil !== undefined && bar.timestamp <= existingUntil) {
      existingTimes ??= await symbolBarTimes(log, symbol);
      if (existingTimes.has(bar.timestamp)) alreadyPresent++;
      else behindLog++;
      continue;
    }
    if (bar.timestamp <= previous) {
      reject(
        `open_time ${bar.timestamp} is not after the previous bar (${previous}): rows must go forward in time`,
      );
      continue;
    }
    const clock = Math.max(watermark, bar.timestamp);
    // History is in the past: a bar after the wall clock is a wrong time, and would make every
    // later bar of its partition look stale to the consumers.
    const violations = validateMarketData(bar, { now: clock, latest: wallNow() + MAX_CLOCK_SKEW_MS });
    if (violations.length > 0) {
      reject(violations.map(describeViolation).join('; '));
      continue;
    }
    if (first === undefined && options.keptFrom !== undefined && bar.timestamp < options.keptFrom)
      throw historyBeyondRetention(options.file, bar.timestamp, options.keptFrom);
    watermark = clock;
    previous = bar.timestamp;
    first ??= bar.timestamp;
    last = bar.timestamp;
    batch.push(bar);
    if (batch.length >= batchSize) {
      await flush();
      options.onProgress?.(stream.bytesRead, totalBytes);
    }
  }
  await flush();
  options.onProgress?.(totalBytes, totalBytes);
  return {
    file: options.file,
    symbol,
    format: format ?? 'ohlcv',
    rows,
    imported,
    alreadyPresent,
    behindLog,
    rejected,
    ...(first === undefined ? {} : { first }),
    ...(last === undefined ? {} : { last }),
  };
}
