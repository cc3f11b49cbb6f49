import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';

const capture = () => {
  const lines: string[] = [];
  const logger = createLogger('info', 'test', { write: (line: string) => void lines.push(line) });
  return { logger, output: () => lines.join('') };
};

const secrets = {
  kafka: { sasl: { mechanism: 'plain', username: 'ledger', password: 'pa55-kafka' } },
  api: { key: 'key-0123456789abcdef' },
  notify: { discordWebhookUrl: 'https://discord.com/api/webhooks/1/t0ken' },
};

describe('createLogger', () => {
  it('redacts the secret config keys of a logged object', () => {
    const { logger, output } = capture();
    logger.info(secrets, 'config');
    const line = JSON.parse(output()) as typeof secrets;
    expect(line.kafka.sasl).toEqual({ mechanism: 'plain', username: 'ledger', password: '***' });
    expect(line.api.key).toBe('***');
    expect(line.notify.discordWebhookUrl).toBe('***');
  });

  it('redacts them one level down, and a bare sasl.password', () => {
    const { logger, output } = capture();
    logger.info({ config: secrets, sasl: { password: 'pa55-bare' } }, 'nested');
    const text = output();
    for (const secret of ['pa55-kafka', 'key-0123456789abcdef', 't0ken', 'pa55-bare'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"username":"ledger"');
  });
});
