import { RSI, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import {
  SymbolFeatures,
  featureDefinitionFor,
  inferIntervalMs,
  labelBars,
  walkForwardSplit,
  warmupBars,
  type FeatureVector,
} from '../../../src/ml/index.ts';
import { fixtureBars } from './fixture-bars.ts';

const FIVE_MINUTES = 300_000;
const definition = featureDefinitionFor(FIVE_MINUTES);
const bars = fixtureBars().slice(0, 1500);

const incremental = (series: readonly MarketData[]): Array<FeatureVector | undefined> => {
  const state = new SymbolFeatures(definition);
  return series.map((bar) => state.push(bar));
};

/** A rolling population standard deviation, the textbook way (technicalindicators' SD stops at a 0 in its window). */
const rollingStd = (values: readonly number[], period: number): number[] =>
  values.slice(period - 1).map((_, i) => {
    const window = values.slice(i, i + period);
    const mean = window.reduce((s, v) => s + v, 0) / period;
    return Math.sqrt(window.reduce((s, v) => s + (v - mean) ** 2, 0) / period);
  });

/** The same features computed over whole arrays with technicalindicators' batch functions (and rollingStd). */
function batchFeatures(series: readonly MarketData[]) {
  const close = series.map((b) => b.price);
  const volume = series.map((b) => b.volume);
  const returns = close.slice(1).map((c, i) => (c / (close[i] as number) - 1) * 100);
  const alignEnd = <T>(values: T[], length: number): Array<T | undefined> => [
    ...new Array<undefined>(length - values.length).fill(undefined),
    ...values,
  ];
  const id = (v: number): number => v;
  return {
    ma7: alignEnd(SMA.calculate({ period: 7, values: close, format: id }), close.length),
    ma25: alignEnd(SMA.calculate({ period: 25, values: close, format: id }), close.length),
    rsi: alignEnd(RSI.calculate({ period: 14, values: close }), close.length),
    vol: alignEnd(rollingStd(returns, definition.volatilityBars), close.length),
    volShort: alignEnd(rollingStd(returns, definition.shortVolatilityBars), close.length),
    volumeMa25: alignEnd(SMA.calculate({ period: 25, values: volume, format: id }), close.length),
    close,
    volume,
  };
}

describe('features', () => {
  it('sizes the volatility_7d window in bars of the interval, capped to warm up within 24 h', () => {
    expect(featureDefinitionFor(FIVE_MINUTES).volatilityBars).toBe(288);
    expect(featureDefinitionFor(3_600_000).volatilityBars).toBe(168);
    expect(featureDefinitionFor(86_400_000).volatilityBars).toBe(7);
    expect(inferIntervalMs(bars.map((b) => b.timestamp))).toBe(FIVE_MINUTES);
  });

  it('incremental values equal batch values on the same series', () => {
    const got = incremental(bars);
    const batch = batchFeatures(bars);
    const warm = warmupBars(definition);
    expect(got.slice(0, warm - 1).every((f) => f === undefined)).toBe(true);
    let checked = 0;
    for (let i = warm - 1; i < bars.length; i++) {
      const f = got[i] as FeatureVector;
      expect(f).toBeDefined();
      const close = batch.close[i] as number;
      expect(f.exposed.ma_7).toBeCloseTo(batch.ma7[i] as number, 9);
      expect(f.exposed.ma_25).toBeCloseTo(batch.ma25[i] as number, 9);
      expect(f.exposed.rsi_14).toBe(batch.rsi[i]);
      expect(f.exposed.volatility_7d).toBeCloseTo(batch.vol[i] as number, 9);
      const prevVolume = batch.volume[i - 1] as number;
      expect(f.exposed.volume_change_pct).toBeCloseTo(
        ((batch.volume[i] as number) / prevVolume - 1) * 100,
        9,
      );
      expect(f.inputs[0]).toBeCloseTo((close / (batch.ma7[i] as number) - 1) * 100, 9);
      expect(f.inputs[5]).toBeCloseTo(batch.volShort[i] as number, 9);
      expect(f.inputs[7]).toBeCloseTo(
        (close / (batch.close[i - definition.momentumBars] as number) - 1) * 100,
        9,
      );
      expect(f.inputs[10]).toBeCloseTo(
        Math.log(((batch.volume[i] as number) + 1) / ((batch.volumeMa25[i] as number) + 1)),
        9,
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('a state restored from its snapshot goes on with the same values', () => {
    const state = new SymbolFeatures(definition);
    for (const bar of bars.slice(0, 800)) state.push(bar);
    const restored = SymbolFeatures.restore(definition, state.snapshot());
    for (const bar of bars.slice(800, 1000)) {
      const a = state.push(bar) as FeatureVector;
      const b = restored.push(bar) as FeatureVector;
      const expected: unknown[] = Array.from(a.inputs).map(
        (v, i) => expect.closeTo(v, i === 3 ? 2 : 9) as unknown,
      );
      expect(Array.from(b.inputs)).toEqual(expected);
    }
  });

  it('no feature uses the future: changing later bars leaves earlier features unchanged', () => {
    const cut = 900;
    const altered = bars.map((bar, i) =>
      i <= cut
        ? bar
        : {
            ...bar,
            price: bar.price * 1.3,
            high: bar.high * 1.3,
            low: bar.low * 1.3,
            open: bar.open * 1.3,
            volume: bar.volume * 7,
          },
    );
    const a = incremental(bars);
    const b = incremental(altered);
    for (let i = 0; i <= cut; i++) expect(b[i]).toEqual(a[i]);
    expect(b[cut + 1]).not.toEqual(a[cut + 1]);
  });

  it('labels come from the horizon, and no training label is taken from the test period', () => {
    const all = fixtureBars().slice(0, 3000);
    const rows = labelBars(all, definition, { horizonBars: 48, bandPct: 1.5 });
    const byTime = new Map(all.map((b, i) => [b.timestamp, i]));
    for (const row of rows.slice(0, 200)) {
      const i = byTime.get(row.features.timestamp) as number;
      expect(row.labelTime).toBe((all[i + 48] as MarketData).timestamp);
      expect(row.changePct).toBeCloseTo(
        ((all[i + 48] as MarketData).price / (all[i] as MarketData).price - 1) * 100,
        12,
      );
    }
    const split = walkForwardSplit(rows, 0.25);
    const firstTest = Math.min(...split.test.map((r) => r.features.timestamp));
    expect(Math.max(...split.train.map((r) => r.labelTime))).toBeLessThan(firstTest);
    expect(Math.max(...split.train.map((r) => r.features.timestamp))).toBeLessThan(firstTest);
  });
});
