import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';
import {
  DEFAULT_DECISION_SETTINGS,
  decisionSettingsOf,
} from '../../../streams/decision/decision-settings.ts';

describe('the decision section of the configuration', () => {
  it('defaults to the engine defaults (the spec: 0.8 / 0.6, -2 % / +5 %)', () => {
    const config = loadConfig({ env: {} });
    expect(config.decision.group).toBe('decision-engine');
    expect(decisionSettingsOf(config.decision)).toEqual(DEFAULT_DECISION_SETTINGS);
  });

  it('reads numbers and switches from the environment', () => {
    const config = loadConfig({
      env: {
        DECISION_HIGH_CONFIDENCE: '0.9',
        DECISION_STOP_LOSS_PCT: '-3.5',
        DECISION_COOLDOWN_MS: '60000',
        DECISION_VOLATILITY_SCALING: 'true',
      },
    });
    expect(config.decision).toMatchObject({
      highConfidence: 0.9,
      stopLossPct: -3.5,
      cooldownMs: 60_000,
      volatilityScaling: true,
    });
  });

  it.each([
    [{ DECISION_STOP_LOSS_PCT: '2' }, 'decision.stopLossPct'],
    [{ DECISION_MIN_CONFIDENCE: '0.9' }, 'decision.minConfidence'],
    [{ DECISION_MAX_DRAWDOWN_PCT: 'lots' }, 'decision.maxDrawdownPct'],
  ])('refuses %o naming %s', (env, key) => {
    expect(() => loadConfig({ env })).toThrow(CmlError);
    expect(() => loadConfig({ env })).toThrow(key);
  });
});
