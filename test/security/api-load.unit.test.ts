import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixtureApi, type ServedFixtureApi } from './security-api.ts';

/**
 * A fixed-rate load on the read routes for a fixed time: no errors, no timeouts, no non-2xx, and
 * the rate held. LOAD_SECONDS (10 by default; 60 for the recorded run) and LOAD_RATE (requests per
 * second, 200) change it: `LOAD_SECONDS=60 npx vitest run test/security/api-load.unit.test.ts`.
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const RATE = Number(process.env.LOAD_RATE ?? 200);

describe(`the API under a ${RATE} req/s load for ${SECONDS} s on 127.0.0.1`, () => {
  let api: ServedFixtureApi;
  beforeAll(async () => {
    api = await serveFixtureApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it(
    'answers every request with a 2xx in time, and reports p99',
    { timeout: (SECONDS + 30) * 1000 },
    async () => {
      const result = await autocannon({
        url: api.origin,
        connections: 10,
        overallRate: RATE,
        duration: SECONDS,
        timeout: 5,
        requests: [
          { method: 'GET', path: '/portfolio' },
          { method: 'GET', path: '/positions' },
          { method: 'GET', path: '/orders?limit=50' },
          { method: 'GET', path: '/signals?limit=50' },
          { method: 'GET', path: '/trades' },
          { method: 'GET', path: '/ledger/balances' },
          { method: 'GET', path: '/health' },
        ],
      });
      const figures = {
        seconds: SECONDS,
        rate: RATE,
        requests: result.requests.total,
        '2xx': result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      };
      console.info(`load ${JSON.stringify(figures)}`);
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(result.non2xx).toBe(0);
      expect(result['2xx']).toBe(result.requests.total);
      // The rate was held (a stalled server would answer far fewer).
      expect(result.requests.total).toBeGreaterThanOrEqual(RATE * SECONDS * 0.9);
      expect(result.latency.p99).toBeLessThan(1_000);
    },
  );
});
