import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';

describe('the api configuration', () => {
  it('defaults: loopback on port 3000, no key (mutating routes closed), no CORS origins, rate limit and readiness bounds', () => {
    expect(loadConfig({ env: {} }).api).toEqual({
      host: '127.0.0.1',
      port: 3000,
      corsOrigins: [],
      rateLimit: { max: 30, windowMs: 60_000 },
      readiness: { maxLag: 0, graceMs: 5_000 },
    });
  });

  it('takes the key from CML_API_KEY and refuses a short one, naming the key', () => {
    expect(loadConfig({ env: { CML_API_KEY: 'a-long-enough-secret-key' } }).api.key).toBe(
      'a-long-enough-secret-key',
    );
    expect(() => loadConfig({ env: { CML_API_KEY: 'short' } })).toThrow(
      /api\.key, from environment variable CML_API_KEY: use at least 16 characters/,
    );
  });
});
