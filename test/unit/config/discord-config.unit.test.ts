import { describe, expect, it } from 'vitest';
import { loadConfig, maskSecrets } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';

const KEY = 'a'.repeat(64);
const TOKEN = 'MTA5.bot-token-that-is-a-secret.0123456789';

const failure = (env: Record<string, string>): string => {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof CmlError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
};

describe('Discord bot configuration', () => {
  it('reads every key from the environment, lists comma-separated; signals off by default', () => {
    const config = loadConfig({
      env: {
        DISCORD_PUBLIC_KEY: KEY,
        DISCORD_APPLICATION_ID: '800000000000000001',
        DISCORD_BOT_TOKEN: TOKEN,
        DISCORD_OPERATOR_USER_IDS: '200000000000000002, 200000000000000003',
        DISCORD_OPERATOR_ROLE_IDS: '300000000000000003',
        DISCORD_API_URL: 'http://127.0.0.1:9/api/v10',
      },
    });
    expect(config.discord).toEqual({
      publicKey: KEY,
      applicationId: '800000000000000001',
      botToken: TOKEN,
      apiUrl: 'http://127.0.0.1:9/api/v10',
      operatorUserIds: ['200000000000000002', '200000000000000003'],
      operatorRoleIds: ['300000000000000003'],
    });
    expect(loadConfig({ env: {} }).notify.signalMinConfidence).toBeUndefined();
    expect(loadConfig({ env: {} }).discord.apiUrl).toBe('https://discord.com/api/v10');
    expect(loadConfig({ env: { NOTIFY_SIGNAL_MIN_CONFIDENCE: '0.8' } }).notify.signalMinConfidence).toBe(0.8);
  });

  it('names the bad key and where it came from', () => {
    expect(failure({ DISCORD_PUBLIC_KEY: 'abc' })).toMatch(
      /discord\.publicKey, from environment variable DISCORD_PUBLIC_KEY: expected the 64 hexadecimal characters/,
    );
    expect(failure({ DISCORD_OPERATOR_USER_IDS: '200000000000000002,alice' })).toMatch(
      /discord\.operatorUserIds, from environment variable DISCORD_OPERATOR_USER_IDS: expected a Discord id/,
    );
    expect(failure({ DISCORD_APPLICATION_ID: '12' })).toMatch(
      /discord\.applicationId, from environment variable/,
    );
    expect(failure({ NOTIFY_SIGNAL_MIN_CONFIDENCE: '1.5' })).toMatch(/notify\.signalMinConfidence/);
    expect(failure({ NOTIFY_SIGNALS_PER_MINUTE: '0x10' })).toMatch(/notify\.signalsPerMinute/);
  });

  it('keeps the bot token secret: refused without its value, masked in config show', () => {
    const message = failure({ DISCORD_BOT_TOKEN: ` ${TOKEN}` });
    expect(message).toMatch(
      /discord\.botToken, from environment variable DISCORD_BOT_TOKEN: must not be blank/,
    );
    expect(message).not.toContain('bot-token-that-is-a-secret');
    const shown = maskSecrets(loadConfig({ env: { DISCORD_BOT_TOKEN: TOKEN } }));
    expect(shown.discord.botToken).toBe('***');
  });
});
