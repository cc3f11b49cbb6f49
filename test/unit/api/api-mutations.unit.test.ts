import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldPortfolio } from '../../../projections/portfolio/portfolio-fold.ts';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { DEFAULT_API_SETTINGS } from '../../../src/api/api-context.ts';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import { at } from '../../support/exchange-script.ts';
import { API_KEY, fixtureApi, fixtureStores } from './api-fixture.ts';

const withKey = { ...DEFAULT_API_SETTINGS, key: API_KEY };
const cancel = (app: FastifyInstance, orderId: string, key?: string) =>
  app.inject({
    method: 'POST',
    url: `/orders/${orderId}/cancel`,
    headers: key === undefined ? {} : { 'x-api-key': key },
  });

describe('mutating routes', () => {
  let stores: { store: PortfolioStore; signals: SignalStore };
  let apps: FastifyInstance[];
  const api = async (overrides: Parameters<typeof fixtureApi>[1]) => {
    const built = await fixtureApi(stores, overrides);
    apps.push(built.app);
    return built;
  };

  beforeEach(async () => {
    stores = await fixtureStores();
    apps = [];
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await stores.store.close();
    await stores.signals.close();
  });

  it('refuse without a configured key (503), without a key (401) and with a wrong one (401)', async () => {
    const closed = await api({});
    const response = await cancel(closed.app, 'ORD-20240101-010', API_KEY);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: 'Service Unavailable',
      code: 'CML_API_KEY_NOT_CONFIGURED',
      message: 'mutating routes are disabled: no API key is configured (set api.key or CML_API_KEY)',
    });
    const { app, appended } = await api({ settings: withKey });
    const missing = await cancel(app, 'ORD-20240101-010');
    expect(missing.statusCode).toBe(401);
    expect(missing.json<{ code: string }>().code).toBe('CML_API_UNAUTHORIZED');
    for (const wrong of ['nope', `${API_KEY}x`, API_KEY.slice(0, -1)])
      expect((await cancel(app, 'ORD-20240101-010', wrong)).json()).toMatchObject({
        code: 'CML_API_UNAUTHORIZED',
        message: 'the API key is not valid',
      });
    const reset = await app.inject({ method: 'POST', url: '/account/reset' });
    expect(reset.statusCode).toBe(401);
    expect(appended).toEqual([]);
  });

  it('cancels a PENDING order by appending its CANCELLED event (MANUAL); Bearer works too', async () => {
    const { app, appended } = await api({ settings: withKey });
    const response = await app.inject({
      method: 'POST',
      url: '/orders/ORD-20240101-010/cancel',
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(appended).toHaveLength(1);
    const [event] = appended[0] as OrderEvent[];
    expect(event).toMatchObject({
      order_id: 'ORD-20240101-010',
      status: 'CANCELLED',
      sequence: 1,
      event_time: at(12),
      cancel_reason: 'MANUAL',
    });
    expect(response.json<{ event: unknown }>().event).toEqual(event);
  });

  it('refuses to cancel anything but a PENDING order with 409 and its status; an unknown order is a 404', async () => {
    const { app, appended } = await api({ settings: withKey });
    for (const [orderId, status] of [
      ['ORD-20240101-009', 'FILLED'],
      ['ORD-20240101-001', 'CLOSED'],
      ['ORD-20240101-004', 'CANCELLED'],
    ]) {
      const response = await cancel(app, orderId as string, API_KEY);
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        error: 'Conflict',
        code: 'CML_API_CONFLICT',
        orderStatus: status,
      });
      expect(response.json<{ message: string }>().message).toContain(
        `order ${orderId} is ${status}: only a PENDING order can be cancelled`,
      );
    }
    expect((await cancel(app, 'ORD-20240101-999', API_KEY)).statusCode).toBe(404);
    expect((await cancel(app, 'not-an-order', API_KEY)).statusCode).toBe(400);
    expect(appended).toEqual([]);
  });

  it('resets the account: cancels 010, closes 009 at its mark 99 with the fee; folded, the ledger still balances', async () => {
    const { app, appended } = await api({ settings: withKey });
    const response = await app.inject({
      method: 'POST',
      url: '/account/reset',
      headers: { 'x-api-key': API_KEY },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toEqual({
      cancelled: ['ORD-20240101-010'],
      closed: ['ORD-20240101-009'],
      events: 2,
    });
    expect(appended).toHaveLength(1); // one atomic append
    const events = appended[0] as OrderEvent[];
    const close = events.find((e) => e.status === 'CLOSED');
    // 10 x 99: exit fee 0.99; PnL 10 x (99 - 99) - 0.99 entry fee - 0.99 exit fee.
    expect(close).toMatchObject({
      exit_price: 99,
      exit_fee: 0.99,
      realized_pnl: -1.98,
      close_reason: 'MANUAL',
    });

    let state = stores.store.load(10_000).state;
    for (const event of events) state = foldPortfolio(state, { kind: 'order', event }).state;
    expect(state.holdings.size).toBe(0);
    // 9,068.574 + 990 - 0.99
    expect(state.cash).toBeCloseTo(10_057.584, 9);
    expect(state.realizedPnl).toBeCloseTo(59.564 - 1.98, 9);
    const total = [...state.balances.values()].reduce((sum, v) => sum + v, 0);
    expect(Math.abs(total)).toBeLessThan(1e-9);
    expect([...state.orders.values()].filter((o) => o.status === 'PENDING')).toEqual([]);
  });

  it('rate-limits mutating routes (429), not the queries', async () => {
    const { app } = await api({ settings: { ...withKey, rateLimit: { max: 2, windowMs: 60_000 } } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await cancel(app, 'ORD-20240101-001', API_KEY)).statusCode);
    expect(statuses).toEqual([409, 409, 429]);
    const limited = await cancel(app, 'ORD-20240101-001', API_KEY);
    expect(limited.json()).toMatchObject({ error: 'Too Many Requests', code: 'CML_API_RATE_LIMITED' });
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/portfolio' })).statusCode).toBe(200);
  });

  it('sends CORS headers only to configured origins', async () => {
    const closed = await api({});
    const plain = await closed.app.inject({ url: '/portfolio', headers: { origin: 'https://dash.example' } });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const open = await api({ settings: { ...DEFAULT_API_SETTINGS, corsOrigins: ['https://dash.example'] } });
    const allowed = await open.app.inject({ url: '/portfolio', headers: { origin: 'https://dash.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dash.example');
    const other = await open.app.inject({ url: '/portfolio', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
