import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { MarketData } from '../../contracts/index.ts';
import type { MarketSimulator } from './market-simulator.ts';

const INTERVAL_NAMES: Record<number, string> = {
  60_000: '1m',
  300_000: '5m',
  900_000: '15m',
  3_600_000: '1h',
};

/** A bar as a kline CSV row, in the columns `import` and `backtest` read. */
const klineRow = (bar: MarketData): string =>
  `${bar.timestamp},${bar.open},${bar.high},${bar.low},${bar.price},${bar.volume}\n`;

/**
 * Writes `bars` steps of the simulator to one kline CSV per symbol (`<dir>/<SYMBOL>-<interval>.csv`,
 * the name `backtest` takes the symbol from), streaming, so a year of 1-minute bars stays small in
 * memory. Returns the files written.
 */
export function writeSimulatedKlines(options: {
  readonly simulator: MarketSimulator;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  readonly bars: number;
  readonly dir: string;
  readonly onBars?: (done: number) => void;
}): string[] {
  mkdirSync(options.dir, { recursive: true });
  const interval = INTERVAL_NAMES[options.intervalMs] ?? `${options.intervalMs}ms`;
  const files = new Map(options.symbols.map((s) => [s, join(options.dir, `${s}-${interval}.csv`)]));
  const fds = new Map([...files].map(([symbol, file]) => [symbol, openSync(file, 'w')]));
  try {
    const pending = new Map<string, string[]>([...files.keys()].map((s) => [s, []]));
    const flush = (): void => {
      for (const [symbol, rows] of pending) {
        if (rows.length > 0) writeSync(fds.get(symbol) as number, rows.join(''));
        pending.set(symbol, []);
      }
    };
    for (const fd of fds.values()) writeSync(fd, 'open_time,open,high,low,close,volume\n');
    for (let step = 1; step <= options.bars; step++) {
      for (const bar of options.simulator.next()) pending.get(bar.symbol)?.push(klineRow(bar));
      if (step % 10_000 === 0 || step === options.bars) {
        flush();
        options.onBars?.(step);
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return [...files.values()];
}
