import { describe, expect, it } from 'vitest';
import { validateMarketData, type MarketData } from '../../../src/contracts/index.ts';
import { DEFAULT_SYMBOLS, MarketSimulator } from '../../../src/ingest/simulator/market-simulator.ts';
import { runSimulator } from '../../../src/ingest/simulator/run-simulator.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { barsOf } from '../../support/market-data-log.ts';
import { embeddedHarness } from '../../support/runtimes.ts';

const START = Date.UTC(2024, 0, 1);
const simulate = (bars: number, seed = 7, intervalMs = 60_000): MarketData[][] => {
  const simulator = new MarketSimulator({ symbols: DEFAULT_SYMBOLS, intervalMs, start: START, seed });
  return Array.from({ length: bars }, () => simulator.next());
};
const series = (steps: MarketData[][], symbol: string): MarketData[] =>
  steps.map((step) => step.find((b) => b.symbol === symbol) as MarketData);
const logReturns = (bars: MarketData[]): number[] => bars.map((b) => Math.log(b.price / b.open));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const kurtosis = (xs: number[]): number => {
  const m = mean(xs);
  const variance = mean(xs.map((x) => (x - m) ** 2));
  return mean(xs.map((x) => (x - m) ** 4)) / variance ** 2;
};
const autocorrelation = (xs: number[], lag: number): number => {
  const m = mean(xs);
  const variance = mean(xs.map((x) => (x - m) ** 2));
  return mean(xs.slice(lag).map((x, i) => (x - m) * ((xs[i] as number) - m))) / variance;
};

describe('the market simulator', () => {
  const steps = simulate(20_000);

  it('gives the same market for the same seed, and another for another seed', () => {
    expect(simulate(50)).toEqual(simulate(50));
    expect(simulate(50, 8)).not.toEqual(simulate(50));
  });

  it('produces only valid bars, each symbol continuing from its previous close', () => {
    for (const step of steps)
      for (const bar of step) expect(validateMarketData(bar, { now: bar.timestamp })).toEqual([]);
    const btc = series(steps, 'BTCUSDT');
    expect(
      btc
        .slice(1)
        .every((bar, i) => bar.open === btc[i]?.price && bar.timestamp - btc[i].timestamp === 60_000),
    ).toBe(true);
  });

  it('has fat tails: return kurtosis well above the normal 3', () => {
    for (const { symbol } of DEFAULT_SYMBOLS)
      expect(kurtosis(logReturns(series(steps, symbol)))).toBeGreaterThan(4);
  });

  it('clusters volatility: squared returns are autocorrelated, raw returns are not', () => {
    const returns = logReturns(series(steps, 'ETHUSDT'));
    expect(
      autocorrelation(
        returns.map((r) => r * r),
        1,
      ),
    ).toBeGreaterThan(0.05);
    expect(Math.abs(autocorrelation(returns, 1))).toBeLessThan(0.05);
  });

  it('trades more around the US open than in the Asian night', () => {
    const byHour = (hour: number): number =>
      mean(
        series(steps, 'BTCUSDT')
          .filter((b) => new Date(b.timestamp).getUTCHours() === hour)
          .map((b) => b.volume),
      );
    expect(byHour(15)).toBeGreaterThan(2 * byHour(3));
  });

  it('keeps the configured volatility on average (annualised, within 20 %)', () => {
    const returns = logReturns(series(steps, 'BTCUSDT'));
    const annualised = Math.sqrt(mean(returns.map((r) => r * r)) * 365 * 24 * 60);
    expect(annualised).toBeGreaterThan(0.55 * 0.8);
    expect(annualised).toBeLessThan(0.55 * 1.2);
  });

  it('publishes every bar to the log at max speed', async () => {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
    const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
    const simulator = new MarketSimulator({
      symbols: DEFAULT_SYMBOLS,
      intervalMs: 60_000,
      start: START,
      seed: 7,
    });
    expect(await runSimulator({ publisher, simulator, intervalMs: 60_000, speed: 'max', bars: 1_200 })).toBe(
      1_200,
    );
    expect(await barsOf(runtime, 'SOLUSDT')).toEqual(series(simulate(1_200), 'SOLUSDT'));
    await runtime.close();
  });
});
