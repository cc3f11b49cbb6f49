import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfig } from '../../../src/cli/commands/config.ts';
import { loadConfig, maskSecrets } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';

const PASSWORD = 'sasl-pa55word-xyz';
const API_KEY = 'api-key-0123456789abcdef';
const WEBHOOK = 'https://discord.com/api/webhooks/112233/webhook-t0ken-abc';

const errorOf = (fn: () => unknown): CmlError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CmlError) return error;
    throw error;
  }
  throw new Error('expected a CmlError');
};

const configFile = (content: unknown): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-secrets-')), 'cml.config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
};

/** Everything an error hands on: what a user reads and what a logger serialises. */
const everything = (error: CmlError): string => `${error.describe()}\n${JSON.stringify(error.details)}`;

const withSecrets = () =>
  loadConfig({
    env: {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD: PASSWORD,
      CML_API_KEY: API_KEY,
      DISCORD_WEBHOOK_URL: WEBHOOK,
    },
  });

describe('config show', () => {
  it('prints no secret: the password and the API key masked, the webhook without its token', () => {
    const shown = renderConfig(withSecrets());
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(API_KEY);
    expect(shown).not.toContain('webhook-t0ken-abc');
    const parsed = JSON.parse(shown) as ReturnType<typeof withSecrets>;
    expect(parsed.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'ledger', password: '***' });
    expect(parsed.api.key).toBe('***');
    expect(parsed.notify.discordWebhookUrl).toBe('https://discord.com/api/webhooks/112233/***');
  });

  it('leaves the configuration itself untouched', () => {
    const config = withSecrets();
    maskSecrets(config);
    expect(config.kafka.sasl?.password).toBe(PASSWORD);
    expect(config.api.key).toBe(API_KEY);
  });

  it('masks a webhook URL whole when it has no /webhooks/<id>/<token> to cut', () => {
    const config = loadConfig({ env: { DISCORD_WEBHOOK_URL: 'https://hooks.example/t0ken-only' } });
    expect(maskSecrets(config).notify.discordWebhookUrl).toBe('***');
  });
});

describe('configuration errors', () => {
  it('name a bad API key without echoing it', () => {
    const error = errorOf(() => loadConfig({ env: { CML_API_KEY: 'short-s3cret' } }));
    expect(error.message).toContain(
      'api.key, from environment variable CML_API_KEY: use at least 16 characters',
    );
    expect(everything(error)).not.toContain('short-s3cret');
  });

  it('name a bad webhook URL without echoing its token', () => {
    const error = errorOf(() =>
      loadConfig({ env: { DISCORD_WEBHOOK_URL: 'discord.com/api/webhooks/1/t0ken-xyz' } }),
    );
    expect(error.message).toContain(
      'notify.discordWebhookUrl, from environment variable DISCORD_WEBHOOK_URL',
    );
    expect(everything(error)).not.toContain('t0ken-xyz');
  });

  it('mask the password inside a kafka.sasl object that is wrong as a whole', () => {
    const file = configFile({
      kafka: { sasl: { mechanism: 'plain', username: 'ledger', password: PASSWORD, realm: 'x' } },
    });
    const error = errorOf(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain('kafka.sasl (realm)');
    expect(error.message).toContain('"password":"***"');
    expect(everything(error)).not.toContain(PASSWORD);
  });

  it('name a password of the wrong type without echoing it', () => {
    const file = configFile({
      kafka: { sasl: { mechanism: 'plain', username: 'ledger', password: 987654321 } },
    });
    const error = errorOf(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain('kafka.sasl.password, from config file');
    expect(everything(error)).not.toContain('987654321');
  });

  it('still echo the value of a key that is no secret', () => {
    const error = errorOf(() => loadConfig({ env: { KAFKA_SASL_MECHANISM: 'gssapi' } }));
    expect(error.message).toContain('"gssapi"');
  });
});
