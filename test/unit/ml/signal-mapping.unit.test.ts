import { describe, expect, it } from 'vitest';
import { changeOf, labelOf, mapPrediction, signalOf, trendOf } from '../../../src/ml/index.ts';

const regression = (value: number, members: number[]) =>
  ({ kind: 'regression', value, members: Float64Array.from(members) }) as const;
const classification = (probabilities: number[], votes?: number[]) =>
  ({
    kind: 'classification',
    probabilities: Float64Array.from(probabilities),
    votes: votes === undefined ? undefined : Float64Array.from(votes),
  }) as const;
const context = { target: 'price_change', thresholdPct: 1.5, classMeanChangePct: [-2.4, 0.1, 2.6] } as const;

describe('signal mapping', () => {
  it('follows the spec: above +1.5% BUY, below -1.5% SELL, otherwise HOLD (bounds are HOLD)', () => {
    expect(signalOf(1.51, 1.5)).toBe('BUY');
    expect(signalOf(1.5, 1.5)).toBe('HOLD');
    expect(signalOf(-1.5, 1.5)).toBe('HOLD');
    expect(signalOf(-1.51, 1.5)).toBe('SELL');
    expect(trendOf(2, 1.5)).toBe(2);
    expect(trendOf(0, 1.5)).toBe(1);
    expect(trendOf(-2, 1.5)).toBe(0);
  });

  it('regression: expected change and price from the mean, confidence = share of trees agreeing on the signal', () => {
    const p = mapPrediction(regression(2, [1, 2, 2.5, 3]), 100, context);
    expect(p).toMatchObject({ signal: 'BUY', expectedChangePct: 2, trend: 2 });
    expect(p.predictedValue).toBeCloseTo(102, 10);
    expect(p.confidence).toBe(0.75);
    expect(mapPrediction(regression(0.2, [0.1, 0.3, -2, 2]), 100, context)).toMatchObject({
      signal: 'HOLD',
      confidence: 0.5,
    });
  });

  it('price models predict a log return, reported as a price', () => {
    const label = labelOf('price', 3);
    expect(changeOf('price', label)).toBeCloseTo(3, 12);
    const p = mapPrediction(regression(label, [label, label]), 20_000, { ...context, target: 'price' });
    expect(p.predictedValue).toBeCloseTo(20_600, 8);
    expect(p.signal).toBe('BUY');
  });

  it('forest classifier: class by tree votes, confidence = their share, expected change = class mean', () => {
    const p = mapPrediction(classification([0.2, 0.35, 0.45], [0.1, 0.6, 0.3]), 100, {
      ...context,
      target: 'trend',
    });
    expect(p).toMatchObject({ signal: 'HOLD', confidence: 0.6, expectedChangePct: 0.1, trend: 1 });
  });

  it('probabilistic classifiers: confidence = the probability of the chosen class', () => {
    const p = mapPrediction(classification([0.7, 0.2, 0.1]), 100, { ...context, target: 'trend' });
    expect(p).toMatchObject({ signal: 'SELL', confidence: 0.7, expectedChangePct: -2.4 });
    expect(p.predictedValue).toBeCloseTo(97.6, 10);
  });
});
