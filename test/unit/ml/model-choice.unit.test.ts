import { describe, expect, it } from 'vitest';
import { CmlError } from '../../../src/errors/index.ts';
import { RULE_MODEL, chooseModels } from '../../../src/ml/index.ts';

describe('the models that trade', () => {
  const configured = ['random_forest:trend', 'svm:trend'];

  it('are the configured ones with the rule beside them, as npm start serves them', () => {
    expect(chooseModels(configured, { rule: true })).toEqual([...configured, RULE_MODEL]);
  });

  it('are the ML models only with --no-rule, even when the rule is configured', () => {
    expect(chooseModels([...configured, RULE_MODEL], { rule: false })).toEqual(configured);
  });

  it('are the ones --models names', () => {
    expect(chooseModels(configured, { models: ['logistic_regression:trend'], rule: false })).toEqual([
      'logistic_regression:trend',
    ]);
  });

  it('refuse an unknown model, or nothing left to trade, with a hint', () => {
    expect(() => chooseModels(configured, { models: ['svm:price'], rule: true })).toThrow(CmlError);
    expect(() => chooseModels(configured, { models: [RULE_MODEL], rule: false })).toThrow(/No model left/);
  });
});
