import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { fixtureApi, fixtureStores } from './api-fixture.ts';

/**
 * Issue 15: Ajv's coercion let "1e309" and "Infinity" through integer parameters (as Infinity,
 * past their maximum), huge times passed, and 2023-02-30 was rolled over into March.
 */
describe('numeric and time parameters of the API (regression)', () => {
  let stores: { store: PortfolioStore; signals: SignalStore };
  let app: FastifyInstance;
  beforeAll(async () => {
    stores = await fixtureStores();
    ({ app } = await fixtureApi(stores, {}));
  });
  afterAll(async () => {
    await app.close();
    await stores.store.close();
    await stores.signals.close();
  });

  it.each([
    ['/portfolio?offset=1e309', 'querystring/offset'],
    ['/portfolio?offset=Infinity', 'querystring/offset'],
    ['/portfolio?offset=1e20', 'querystring/offset'],
    ['/portfolio?at=99999999999999999999999', 'querystring/at'],
    ['/portfolio?at=2023-02-30T00:00:00Z', 'querystring/at'],
    ['/portfolio?at=2023-02-30', 'querystring/at'],
    ['/portfolio?at=2023-04-31', 'querystring/at'],
    ['/portfolio?at=2024-01-01T24:00:00Z', 'querystring/at'],
    ['/equity?from=1e309', 'querystring/from'],
    ['/equity?to=1e400', 'querystring/to'],
    ['/equity?to=9e15', 'querystring/to'],
    ['/orders?limit=1e309', 'querystring/limit'],
    ['/orders?limit=Infinity', 'querystring/limit'],
    ['/signals?from=2023-02-29T00:00:00Z', 'querystring/from'],
    ['/signals?to=-Infinity', 'querystring/to'],
  ])('%s is a 400 naming %s', async (url, name) => {
    const response = await app.inject({ url });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json<{ code: string; message: string }>()).toMatchObject({
      code: 'CML_API_BAD_REQUEST',
      message: expect.stringContaining(name) as unknown,
    });
  });

  it.each([
    '/portfolio?at=2024-02-29T00:00:00Z',
    '/portfolio?at=2024-02-29',
    '/portfolio?at=2024-01-01T00:05:00%2B02:00',
    '/portfolio?at=1704067500000',
    '/equity?from=0&to=8640000000000000',
    '/orders?limit=500',
  ])('%s is answered', async (url) => {
    const response = await app.inject({ url });
    expect(response.statusCode, response.body).toBe(200);
  });
});
