import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';

const messageOf = (env: Record<string, string>): string => {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof CmlError) return error.message;
    throw error;
  }
  throw new Error('expected a CmlError');
};

describe('the trainer settings', () => {
  it('have defaults and are read from the environment', () => {
    expect(loadConfig({ env: {} }).ml.trainer).toEqual({
      windowMs: 7 * 86_400_000,
      intervalMs: 6 * 3_600_000,
      activationDelayMs: 900_000,
      checkMs: 5_000,
    });
    expect(loadConfig({ env: {} }).ml.expiryMs).toBe(0);
    const config = loadConfig({
      env: { ML_TRAINER_WINDOW_MS: '172800000', ML_TRAINER_INTERVAL_MS: '3600000', ML_EXPIRY_MS: '7200000' },
    });
    expect(config.ml.trainer.windowMs).toBe(172_800_000);
    expect(config.ml.trainer.intervalMs).toBe(3_600_000);
    expect(config.ml.expiryMs).toBe(7_200_000);
  });

  it.each([
    ['ML_TRAINER_WINDOW_MS', '60000', 'ml.trainer.windowMs', 'at least an hour'],
    ['ML_TRAINER_INTERVAL_MS', '0', 'ml.trainer.intervalMs', 'at least a minute'],
    ['ML_TRAINER_INTERVAL_MS', 'hourly', 'ml.trainer.intervalMs', '"hourly"'],
    ['ML_TRAINER_ACTIVATION_DELAY_MS', '-1', 'ml.trainer.activationDelayMs', '-1'],
    ['ML_TRAINER_CHECK_MS', '5', 'ml.trainer.checkMs', '5'],
    ['ML_EXPIRY_MS', '1.5', 'ml.expiryMs', '1.5'],
  ])('refuses %s=%s naming %s', (variable, value, key, detail) => {
    const message = messageOf({ [variable]: value });
    expect(message).toContain(`${key}, from environment variable ${variable}`);
    expect(message).toContain(detail);
  });
});
