import { describe, expect, it } from 'vitest';
import type { MlSignal } from '../../../src/contracts/index.ts';
import { decide } from '../../../streams/decision/decide.ts';
import type { SkipReason } from '../../../streams/decision/decision-reasons.ts';
import { initialDecisionState } from '../../../streams/decision/decision-state.ts';
import { SETTINGS, at, cashOnly, decideAll, signal } from './decision-fixtures.ts';

type Case = {
  readonly name: string;
  /** Signals seen before, on the same portfolio. */
  readonly given: readonly Partial<MlSignal>[];
  readonly when: Partial<MlSignal>;
  /** An order, or the reason for none. */
  readonly then: 'ORDER' | SkipReason;
};

const medium = { confidence: 0.7, timestamp: at(5) };

const cases: Case[] = [
  { name: 'high confidence buys at once', given: [], when: { confidence: 0.85 }, then: 'ORDER' },
  { name: 'exactly 0.8 is high', given: [], when: { confidence: 0.8 }, then: 'ORDER' },
  { name: 'medium alone waits for confirmation', given: [], when: medium, then: 'UNCONFIRMED' },
  {
    name: 'medium confirmed by another model within the window',
    given: [{ model: 'svm', confidence: 0.65, timestamp: at(4.5) }],
    when: medium,
    then: 'ORDER',
  },
  {
    name: 'medium confirmed by the same model predicting another quantity',
    given: [{ prediction_type: 'trend', confidence: 0.6, timestamp: at(3) }],
    when: medium,
    then: 'ORDER',
  },
  {
    name: 'medium is not confirmed by its own source repeating itself',
    given: [{ confidence: 0.75, timestamp: at(4) }],
    when: medium,
    then: 'UNCONFIRMED',
  },
  {
    name: 'medium is not confirmed by a vote older than the window (5 min)',
    given: [{ model: 'svm', confidence: 0.9, signal: 'BUY', timestamp: at(-0.01) }],
    when: medium,
    then: 'UNCONFIRMED',
  },
  {
    name: 'medium is confirmed by a vote exactly at the edge of the window',
    given: [{ model: 'svm', confidence: 0.65, timestamp: at(0) }],
    when: medium,
    then: 'ORDER',
  },
  {
    name: 'a low-confidence vote confirms nothing',
    given: [{ model: 'svm', confidence: 0.59, timestamp: at(4) }],
    when: medium,
    then: 'UNCONFIRMED',
  },
  {
    name: 'an opposite vote confirms nothing',
    given: [{ model: 'svm', confidence: 0.7, signal: 'SELL', expected_change_pct: -2, timestamp: at(4) }],
    when: medium,
    then: 'UNCONFIRMED',
  },
  {
    name: 'a source that changed its mind no longer confirms',
    given: [
      { model: 'svm', confidence: 0.7, timestamp: at(3) },
      { model: 'svm', confidence: 0.7, signal: 'HOLD', expected_change_pct: 0.2, timestamp: at(4) },
      { model: 'svm', confidence: 0.7, signal: 'SELL', expected_change_pct: -2, timestamp: at(4.5) },
    ],
    when: medium,
    then: 'UNCONFIRMED',
  },
  {
    name: 'a vote on another symbol confirms nothing',
    given: [{ model: 'svm', symbol: 'ETHUSDT', confidence: 0.9, timestamp: at(4) }],
    when: medium,
    then: 'UNCONFIRMED',
  },
  { name: 'low confidence is ignored', given: [], when: { confidence: 0.59 }, then: 'LOW_CONFIDENCE' },
  { name: '0.6 is medium, not low', given: [], when: { confidence: 0.6 }, then: 'UNCONFIRMED' },
  {
    name: 'HOLD is ignored, however confident',
    given: [],
    when: { signal: 'HOLD', confidence: 0.99, expected_change_pct: 0.5 },
    then: 'HOLD',
  },
  {
    name: 'a BUY below the buy threshold is ignored',
    given: [],
    when: { expected_change_pct: 1.2, confidence: 0.95 },
    then: 'BELOW_BUY_THRESHOLD',
  },
];

describe('decide: confidence levels', () => {
  it.each(cases)('$name', ({ given, when, then }) => {
    const portfolio = cashOnly();
    // The earlier signals are decided too, and a high one places an order: forget it, so only
    // the confidence rules stand between the last signal and its order.
    const earlier = decideAll(
      initialDecisionState(),
      given.map((g) => signal(g)),
      portfolio,
    ).state;
    const withoutOwnOrders = { ...earlier, orders: new Map() };
    const decision = decide(withoutOwnOrders, signal(when), portfolio, SETTINGS);
    expect(decision.orders.length === 1 ? 'ORDER' : decision.reasons[0]?.reason).toBe(then);
  });

  it('applies the same rules to SELL: medium needs a second seller', () => {
    const portfolio = cashOnly();
    const sell = (overrides: Partial<MlSignal>): MlSignal =>
      signal({ signal: 'SELL', expected_change_pct: -2, ...overrides });
    const alone = decide(initialDecisionState(), sell({ confidence: 0.7 }), portfolio, SETTINGS);
    expect(alone.reasons.map((r) => r.reason)).toEqual(['UNCONFIRMED']);
    const confirmed = decideAll(
      initialDecisionState(),
      [sell({ model: 'svm', confidence: 0.65, timestamp: at(0) }), sell({ confidence: 0.7 })],
      portfolio,
    );
    // Confirmed, so it reaches the position rules: nothing is held.
    expect(confirmed.decisions.map((d) => d.reasons[0]?.reason)).toEqual(['UNCONFIRMED', 'NO_POSITION']);
  });
});
