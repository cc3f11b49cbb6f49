import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import { MarketSimulator, type SimulatorOptions } from '../../../src/ingest/simulator/market-simulator.ts';
import { writeSimulatedKlines } from '../../../src/ingest/simulator/write-klines.ts';
import { readBarsFile } from '../../../src/ml/index.ts';

describe('simulated klines written to CSV', () => {
  it('read back as the very bars the simulator gave, one file per symbol', () => {
    const options: SimulatorOptions = {
      symbols: [
        { symbol: 'BTCUSDT', startPrice: 30_000, annualVolatility: 0.6, baseVolume: 100 },
        { symbol: 'PEPEUSDT', startPrice: 0.0016, annualVolatility: 1.5, baseVolume: 1e9 },
      ],
      intervalMs: 60_000,
      start: Date.UTC(2025, 0, 1),
      seed: 3,
    };
    const dir = mkdtempSync(join(tmpdir(), 'cml-klines-'));
    const files = writeSimulatedKlines({
      simulator: new MarketSimulator(options),
      symbols: ['BTCUSDT', 'PEPEUSDT'],
      intervalMs: 60_000,
      bars: 25_000,
      dir,
    });
    expect(files).toEqual([join(dir, 'BTCUSDT-1m.csv'), join(dir, 'PEPEUSDT-1m.csv')]);
    const expected: MarketData[] = [];
    const simulator = new MarketSimulator(options);
    for (let i = 0; i < 25_000; i++) expected.push(...simulator.next());
    for (const [i, symbol] of ['BTCUSDT', 'PEPEUSDT'].entries()) {
      const { bars, skipped } = readBarsFile(files[i] as string, symbol);
      expect(skipped).toBe(0);
      expect(bars).toEqual(expected.filter((b) => b.symbol === symbol));
    }
  });
});
