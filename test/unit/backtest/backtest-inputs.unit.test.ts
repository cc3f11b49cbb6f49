import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBacktestBars, resolveInputs } from '../../../src/backtest/backtest-inputs.ts';
import { CmlError } from '../../../src/errors/index.ts';

const HEADER = 'open_time,open,high,low,close,volume';
/** Open times count from here (times must look like real ones: their unit is told by magnitude). */
const T0 = Date.UTC(2024, 0, 1);
const rows = (start: number, stepMs: number, closes: readonly number[]): string =>
  [HEADER, ...closes.map((c, i) => `${T0 + start + i * stepMs},${c},${c},${c},${c},1`)].join('\n');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cml-inputs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const usageError = (run: () => unknown): CmlError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CmlError);
    return error as CmlError;
  }
  throw new Error('expected a usage error');
};

describe('the inputs of a backtest', () => {
  it("takes a folder's CSV files, each with the pair its name starts with", () => {
    const dir = folder({ 'ETHUSDT-5m.csv': HEADER, 'BTCUSDT-5m.csv': HEADER, 'notes.txt': 'x' });
    expect(resolveInputs([dir])).toEqual([
      { file: join(dir, 'BTCUSDT-5m.csv'), symbol: 'BTCUSDT' },
      { file: join(dir, 'ETHUSDT-5m.csv'), symbol: 'ETHUSDT' },
    ]);
  });

  it('takes one --symbol per file, in order', () => {
    const dir = folder({ 'a.csv': HEADER, 'b.csv': HEADER });
    expect(resolveInputs([join(dir, 'a.csv'), join(dir, 'b.csv')], ['solusdt', 'ADAUSDT'])).toEqual([
      { file: join(dir, 'a.csv'), symbol: 'SOLUSDT' },
      { file: join(dir, 'b.csv'), symbol: 'ADAUSDT' },
    ]);
  });

  it('refuses a file with no pair in its name and no --symbol: a usage error with a hint', () => {
    const dir = folder({ 'history.csv': HEADER });
    const error = usageError(() => resolveInputs([join(dir, 'history.csv')]));
    expect(error.code).toBe('CML_USAGE');
    expect(error.message).toContain('No symbol for');
    expect(error.hint).toContain('--symbol');
  });

  it('refuses a count of --symbol that does not match the files, a missing path and an empty folder', () => {
    const dir = folder({ 'BTCUSDT-5m.csv': HEADER, 'ETHUSDT-5m.csv': HEADER });
    expect(usageError(() => resolveInputs([dir], ['BTCUSDT'])).hint).toContain('one --symbol per file');
    expect(usageError(() => resolveInputs([join(dir, 'nope.csv')])).message).toContain('No such file');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(usageError(() => resolveInputs([empty])).message).toContain('holds no .csv');
    expect(usageError(() => resolveInputs([join(dir, 'BTCUSDT-5m.csv')], ['BTC'])).message).toContain(
      'not a USDT pair',
    );
  });

  it('merges the files in time order, dropping repeated bars of a symbol', () => {
    const dir = folder({
      'BTCUSDT-1.csv': rows(0, 300_000, [10, 11, 12]),
      'BTCUSDT-2.csv': rows(600_000, 300_000, [12, 13]),
      'ETHUSDT-5m.csv': rows(300_000, 300_000, [1, 2, 3]),
    });
    const read = readBacktestBars(resolveInputs([dir]));
    expect(read.bars.map((b) => `${b.symbol}@${(b.timestamp - T0) / 300_000}`)).toEqual([
      'BTCUSDT@0',
      'BTCUSDT@1',
      'ETHUSDT@1',
      'BTCUSDT@2',
      'ETHUSDT@2',
      'BTCUSDT@3',
      'ETHUSDT@3',
    ]);
    expect(read.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(read.intervalMs).toBe(300_000);
  });

  it('refuses files of different bar intervals', () => {
    const dir = folder({
      'BTCUSDT-5m.csv': rows(0, 300_000, [10, 11, 12]),
      'ETHUSDT-1h.csv': rows(0, 3_600_000, [1, 2, 3]),
    });
    expect(usageError(() => readBacktestBars(resolveInputs([dir]))).message).toContain('mix bar intervals');
  });
});
