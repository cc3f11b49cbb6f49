import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import { validateSignal } from '../../../src/contracts/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import {
  DEFAULT_TRAIN_SETTINGS,
  featureDefinitionFor,
  meanAbsoluteError,
  modelSpecsOf,
  r2Score,
  servedSlotsOf,
  trainModels,
  trainSettingsOf,
} from '../../../src/ml/index.ts';
import { MA_RSI_RULE, crossingOf, maRsiRuleTrend } from '../../../src/ml/models/ma-rsi-rule.ts';
import { createSignalEngine } from '../../../streams/signals/index.ts';
import { fixtureBars } from './fixture-bars.ts';

const [DOWN, FLAT, UP] = [0, 1, 2];

describe('crossings of SMA(7) over SMA(25)', () => {
  it('reports a cross once, on the bar the fast average ends on the other side', () => {
    // Gaps SMA(7)/SMA(25) - 1 of consecutive bars, made by hand.
    const gaps = [Number.NaN, -0.5, -0.1, 0.2, 0.3, 0, 0.1, -0.4, -0.2, 0, -0.1];
    const crossings = gaps.slice(1).map((gap, i) => crossingOf(gaps[i] as number, gap));
    expect(crossings).toEqual([
      'none', // NaN -> -0.5: no previous bar
      'none', // -0.5 -> -0.1
      'above', // -0.1 -> 0.2
      'none', // 0.2 -> 0.3
      'none', // 0.3 -> 0: touching is not crossing
      'above', // 0 -> 0.1: from touching to above
      'below', // 0.1 -> -0.4
      'none', // -0.4 -> -0.2
      'none', // -0.2 -> 0
      'below', // 0 -> -0.1
    ]);
  });

  it('gives BUY only with RSI below 70, SELL on a cross below or RSI above 80', () => {
    const bar = (previousMaCrossPct: number, maCrossPct: number, rsi: number): number =>
      maRsiRuleTrend({ previousMaCrossPct, maCrossPct, rsi });
    expect(bar(-0.1, 0.1, 69.99)).toBe(UP);
    expect(bar(-0.1, 0.1, 70)).toBe(FLAT); // crossed, but not below 70
    expect(bar(-0.1, 0.1, 80.01)).toBe(DOWN); // overbought wins
    expect(bar(0.1, -0.1, 20)).toBe(DOWN);
    expect(bar(0.1, 0.2, 80.01)).toBe(DOWN);
    expect(bar(0.1, 0.2, 80)).toBe(FLAT);
    expect(bar(-0.2, -0.1, 10)).toBe(FLAT);
  });
});

/**
 * A V: 40 closes falling by 1 from 200 to 161 (bar 39), then 30 rising by 1. Worked by hand:
 * - falling, SMA(7) < SMA(25) and RSI is 0 (no gains): HOLD.
 * - d bars after the bottom (d >= 6), SMA(7) = 161 + d - 3 and SMA(25) = 161 + (d(d+1) +
 *   (24-d)(25-d)) / 50: d = 9 gives 167 < 167.6, d = 10 gives 168 > 167.4, so SMA(7) crosses
 *   above on bar 49. Wilder's RSI there: after 39 falling bars the average gain is 0 and the
 *   average loss 1; n rising bars later they are 1 - (13/14)^n and (13/14)^n, so RSI =
 *   100 (1 - (13/14)^n): 52.34 at n = 10 (< 70): BUY on bar 49.
 * - RSI passes 80 at n = 22 (80.41; n = 21 gives 78.90): SELL on bars 61 to 69, HOLD in between.
 */
function vShape(): MarketData[] {
  const closes = Array.from({ length: 70 }, (_, i) => 161 + Math.abs(i - 39));
  return closes.map((close, i) => {
    const open = closes[i - 1] ?? close;
    return {
      symbol: 'BTCUSDT',
      timestamp: 1_700_000_000_000 + i * 300_000,
      price: close,
      open,
      high: Math.max(open, close) + 0.5,
      low: Math.min(open, close) - 0.5,
      volume: 1,
      price_change_pct: (close / open - 1) * 100,
    };
  });
}

describe('the ma_rsi_rule model', () => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'cml-rule-'));
  const bars = fixtureBars().slice(0, 3_000);
  const [trained] = trainModels({
    bars,
    modelsDir,
    specs: [{ model: 'ma_rsi_rule', target: 'trend' }],
    settings: { horizonBars: 48 },
  });
  const artifact = trained?.artifact;

  it('is an artifact with no fitting, versioned ma_rsi_rule.v<N>, scored on the walk-forward test rows', () => {
    if (artifact === undefined) throw new Error('no artifact');
    expect(artifact.version).toBe('ma_rsi_rule.v1');
    expect(artifact.serialized).toEqual({ kind: 'ma_rsi_rule', rule: MA_RSI_RULE });
    // The scores are those of the implied changes on the test rows, recomputed here.
    const { actualChangePct, expectedChangePct } = artifact.evaluation;
    expect(artifact.metrics.r2).toBeCloseTo(r2Score(actualChangePct, expectedChangePct), 12);
    expect(artifact.metrics.maeChangePct).toBeCloseTo(
      meanAbsoluteError(actualChangePct, expectedChangePct),
      12,
    );
    expect(artifact.training.testRows).toBe(actualChangePct.length);
    // BUY and SELL imply the training rows' mean change of their class, beyond the band by construction.
    const [down, , up] = artifact.classMeanChangePct as [number, number, number];
    expect(up).toBeGreaterThan(DEFAULT_TRAIN_SETTINGS.bandPct);
    expect(down).toBeLessThan(-DEFAULT_TRAIN_SETTINGS.bandPct);
    const predicted = artifact.metrics.signal.perClass.map((c) => c.predicted);
    expect(predicted.reduce((a, b) => a + b, 0)).toBe(actualChangePct.length);
    expect(predicted[UP]).toBeGreaterThan(0);
  });

  it('serves the hand-worked signals through the signal engine, with confidence 1', () => {
    if (artifact === undefined) throw new Error('no artifact');
    const short = {
      ...artifact,
      features: { ...artifact.features, ...featureDefinitionFor(300_000, { maxVolatilityBars: 24 }) },
    };
    const engine = createSignalEngine([short]);
    const byBar = new Map<number, string>();
    const series = vShape();
    for (const [i, bar] of series.entries())
      for (const signal of engine.onBar(bar)) {
        byBar.set(i, signal.signal);
        expect(signal.model).toBe('ma_rsi_rule');
        expect(signal.prediction_type).toBe('trend');
        expect(signal.metadata.model_version).toBe('ma_rsi_rule.v1');
        expect(validateSignal(signal, { now: signal.timestamp })).toEqual([]);
        if (signal.signal !== 'HOLD') {
          expect(signal.confidence).toBe(1);
          expect(signal.expected_change_pct).toBe(
            artifact.classMeanChangePct[signal.signal === 'BUY' ? UP : DOWN],
          );
        }
      }
    const expected = new Map<number, string>();
    for (let i = 24; i < 70; i++) expected.set(i, i === 49 ? 'BUY' : i >= 61 ? 'SELL' : 'HOLD');
    expect(byBar).toEqual(expected);
  });

  it('is selectable in ml.models as ma_rsi_rule:trend', () => {
    const config = loadConfig({ env: { ML_MODELS: 'random_forest:trend,ma_rsi_rule:trend' } });
    expect(modelSpecsOf(config)).toContainEqual({ model: 'ma_rsi_rule', target: 'trend' });
    expect(servedSlotsOf(config)).toEqual(['random_forest-trend-h48', 'ma_rsi_rule']);
    expect(() => loadConfig({ env: { ML_MODELS: 'ma_rsi_rule:price' } })).toThrow();
  });

  it('takes its thresholds from ml.rule, which the artifact then carries', () => {
    const config = loadConfig({ env: { ML_RULE_BUY_RSI_BELOW: '60', ML_RULE_SELL_RSI_ABOVE: '75' } });
    const [withThresholds] = trainModels({
      bars: fixtureBars().slice(0, 3_000),
      modelsDir: mkdtempSync(join(tmpdir(), 'cml-rule-thresholds-')),
      specs: [{ model: 'ma_rsi_rule', target: 'trend' }],
      settings: trainSettingsOf(config),
    });
    expect(withThresholds?.artifact.serialized).toEqual({
      kind: 'ma_rsi_rule',
      rule: { ...MA_RSI_RULE, buyRsiBelow: 60, sellRsiAbove: 75 },
    });
    expect(() => loadConfig({ env: { ML_RULE_SELL_RSI_ABOVE: '101' } })).toThrow(/ml\.rule\.sellRsiAbove/);
  });
});
