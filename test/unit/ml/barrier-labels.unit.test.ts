import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import {
  DOWN,
  FLAT,
  UP,
  barrierOutcome,
  featureDefinitionFor,
  labelBars,
  type BarrierBar,
} from '../../../src/ml/index.ts';
import { fixtureBars } from './fixture-bars.ts';

const barriers = { stopLossPct: -2, takeProfitPct: 5 };
const bar = (low: number, high: number, price: number): BarrierBar => ({ low, high, price });

describe('triple-barrier labels (entry 100, stop 98, take-profit 105)', () => {
  it('take-profit first: up, +5%', () => {
    const future = [bar(99, 101, 100), bar(99.5, 105, 104), bar(90, 100, 91)];
    expect(barrierOutcome(100, future, 3, barriers)).toEqual({ trend: UP, returnPct: 5, bars: 2 });
  });

  it('stop-loss first: down, -2%', () => {
    const future = [bar(99, 101, 100), bar(98, 100, 98.5), bar(99, 110, 109)];
    expect(barrierOutcome(100, future, 3, barriers)).toEqual({ trend: DOWN, returnPct: -2, bars: 2 });
  });

  it('both touched in one bar: the stop, as the exchange assumes', () => {
    expect(barrierOutcome(100, [bar(97, 106, 100)], 1, barriers)).toEqual({
      trend: DOWN,
      returnPct: -2,
      bars: 1,
    });
  });

  it('neither within the horizon: flat, the change at the horizon close; later bars are not read', () => {
    const future = [bar(99, 101, 100.5), bar(98.5, 104.9, 103), bar(50, 200, 150)];
    const outcome = barrierOutcome(100, future, 2, barriers);
    expect(outcome.trend).toBe(FLAT);
    expect(outcome.returnPct).toBeCloseTo(3, 12);
    expect(outcome.bars).toBe(2);
  });

  it('labelBars: barrier classes from the horizon only, none from bars beyond it (no look-ahead)', () => {
    const bars = fixtureBars().slice(0, 4000);
    const definition = featureDefinitionFor(300_000);
    const labeling = { horizonBars: 48, bandPct: 1.5, labels: 'barrier' as const, barriers };
    const rows = labelBars(bars, definition, labeling);
    const index = new Map(bars.map((b, i) => [b.timestamp, i]));
    // A row the stop ended (the hand computation below covers every case).
    const row = rows.find((r) => r.barrierTrend === DOWN);
    if (row === undefined) throw new Error('no stopped row');
    const i = index.get(row.features.timestamp) as number;
    // Recomputed by hand from the horizon's bars.
    const entry = (bars[i] as MarketData).price;
    let expected = { trend: FLAT, ret: ((bars[i + 48] as MarketData).price / entry - 1) * 100 };
    for (let j = i + 1; j <= i + 48; j++) {
      const b = bars[j] as MarketData;
      if (b.low <= entry * 0.98) {
        expected = { trend: DOWN, ret: -2 };
        break;
      }
      if (b.high >= entry * 1.05) {
        expected = { trend: UP, ret: 5 };
        break;
      }
    }
    expect(row.trend).toBe(expected.trend);
    expect(row.barrierTrend).toBe(expected.trend);
    expect(row.tradeReturnPct).toBeCloseTo(expected.ret, 12);
    expect(row.labelTime).toBe((bars[i + 48] as MarketData).timestamp);

    // A crash and a spike right after the horizon change nothing of the row.
    const altered = bars.map((b, j) =>
      j > i + 48 ? { ...b, low: b.low * 0.5, high: b.high * 2, price: b.price * 1.5 } : b,
    );
    const again = labelBars(altered, definition, labeling).find(
      (r) => r.features.timestamp === row.features.timestamp,
    );
    expect(again).toEqual(row);
  });

  it('band labels stay the default: trend is the band class, the barrier class beside it', () => {
    const rows = labelBars(fixtureBars().slice(0, 4000), featureDefinitionFor(300_000), {
      horizonBars: 48,
      bandPct: 1.5,
    });
    expect(rows.every((r) => r.trend === r.bandTrend)).toBe(true);
    expect(rows.some((r) => r.barrierTrend !== r.bandTrend)).toBe(true);
  });
});
