import { describe, expect, it } from 'vitest';
import {
  combinationsOf,
  configWith,
  expandGrid,
  parseGridAxis,
  parseSampleRange,
  planSweep,
  replayCommandOf,
  replayEnvOf,
  sampleRanges,
} from '../../../src/backtest/sweep/index.ts';
import { loadConfig } from '../../../src/config/index.ts';

describe('the grid of a sweep', () => {
  it('expands every combination, the first parameter varying slowest', () => {
    const grid = expandGrid([parseGridAxis('stopLossPct=-1,-2,-3'), parseGridAxis('takeProfitPct=2,5')]);
    expect(grid).toEqual([
      { stopLossPct: -1, takeProfitPct: 2 },
      { stopLossPct: -1, takeProfitPct: 5 },
      { stopLossPct: -2, takeProfitPct: 2 },
      { stopLossPct: -2, takeProfitPct: 5 },
      { stopLossPct: -3, takeProfitPct: 2 },
      { stopLossPct: -3, takeProfitPct: 5 },
    ]);
    expect(expandGrid([])).toEqual([{}]);
  });

  it('refuses unknown parameters, values that are not numbers and a parameter given twice', () => {
    expect(() => parseGridAxis('stopLoss=-1')).toThrow(/not a parameter a sweep can vary/);
    expect(() => parseGridAxis('stopLossPct=-1,x')).toThrow(/"x" is not a number/);
    expect(() => parseGridAxis('stopLossPct')).toThrow(/expected name=values/);
    expect(() => parseSampleRange('takeProfitPct=8:1')).toThrow(/above max/);
    expect(() =>
      combinationsOf({
        grid: [parseGridAxis('stopLossPct=-1')],
        ranges: [parseSampleRange('stopLossPct=-3:-1')],
        samples: 3,
      }),
    ).toThrow(/given twice/);
    expect(() => combinationsOf({ grid: [], ranges: [parseSampleRange('stopLossPct=-3:-1')] })).toThrow(
      /needs --samples/,
    );
  });
});

describe('random samples of a sweep', () => {
  const ranges = [parseSampleRange('takeProfitPct=1:8'), parseSampleRange('cooldownMs=0:3600000')];

  it('draws the same points for the same seed, others for another, inside the ranges', () => {
    const a = sampleRanges(ranges, 50, 7);
    expect(sampleRanges(ranges, 50, 7)).toEqual(a);
    expect(sampleRanges(ranges, 50, 8)).not.toEqual(a);
    expect(a).toHaveLength(50);
    for (const point of a) {
      expect(point.takeProfitPct).toBeGreaterThanOrEqual(1);
      expect(point.takeProfitPct).toBeLessThanOrEqual(8);
      expect(Number.isInteger(point.cooldownMs)).toBe(true);
      // Values a command can carry and give back exactly.
      expect(Number(String(point.takeProfitPct))).toBe(point.takeProfitPct);
    }
    expect(new Set(a.map((p) => p.takeProfitPct)).size).toBeGreaterThan(40);
  });

  it('crosses the samples with the grid', () => {
    const combinations = combinationsOf({
      grid: [parseGridAxis('stopLossPct=-1,-2')],
      ranges,
      samples: 5,
      seed: 3,
    });
    expect(combinations).toHaveLength(10);
    expect(combinations.slice(0, 5).every((c) => c.stopLossPct === -1)).toBe(true);
    expect(combinations.slice(0, 5).map((c) => c.takeProfitPct)).toEqual(
      combinations.slice(5).map((c) => c.takeProfitPct),
    );
  });
});

describe('the rows of a sweep', () => {
  const config = loadConfig({ env: { ML_MODELS: 'ma_rsi_rule:trend' } });

  it('validate each combination as the configuration would, naming the key', () => {
    expect(() => configWith(config, { stopLossPct: 2 })).toThrow(/decision\.stopLossPct/);
    expect(() => configWith(config, { minConfidence: 0.9, highConfidence: 0.7 })).toThrow(/minConfidence/);
    expect(configWith(config, { buyRsiBelow: 60 }).ml.rule.buyRsiBelow).toBe(60);
    expect(() => planSweep(config, [['ma_rsi_rule:price']], [{}])).toThrow(/ml\.models\.0/);
  });

  it('share one tape per model set and rule thresholds', () => {
    const plan = planSweep(
      config,
      [['ma_rsi_rule:trend'], ['logistic_regression:trend']],
      expandGrid([parseGridAxis('buyRsiBelow=60,70'), parseGridAxis('stopLossPct=-1,-2')]),
    );
    expect(plan.rows).toHaveLength(8);
    expect(plan.params).toEqual(['buyRsiBelow', 'stopLossPct']);
    // Two thresholds for the rule; the regression set ignores them: one tape.
    expect(plan.tapes.map((t) => t.key)).toEqual([
      'ma_rsi_rule:trend|rsi<60|rsi>80',
      'ma_rsi_rule:trend|rsi<70|rsi>80',
      'logistic_regression:trend',
    ]);
    expect(plan.rows[1]?.decision.stopLossPct).toBe(-2);
  });

  it('each carry the backtest command that replays it', () => {
    const [row] = planSweep(config, [['ma_rsi_rule:trend']], [{ stopLossPct: -1.5, sellRsiAbove: 75 }]).rows;
    if (row === undefined) throw new Error('no row');
    expect(replayEnvOf(row)).toEqual({
      ML_MODELS: 'ma_rsi_rule:trend',
      DECISION_STOP_LOSS_PCT: '-1.5',
      ML_RULE_SELL_RSI_ABOVE: '75',
    });
    expect(replayCommandOf(row, { file: 'data/BTC USDT.csv', trainShare: 0.5 })).toBe(
      "ML_MODELS=ma_rsi_rule:trend DECISION_STOP_LOSS_PCT=-1.5 ML_RULE_SELL_RSI_ABOVE=75 npm run cli -- backtest 'data/BTC USDT.csv' --train-share 0.5",
    );
  });
});
