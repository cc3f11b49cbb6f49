import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { fixtureApi, fixtureStores } from './api-fixture.ts';

describe('the query API', () => {
  let app: FastifyInstance;
  let store: PortfolioStore;
  let signals: SignalStore;

  beforeAll(async () => {
    ({ store, signals } = await fixtureStores());
    ({ app } = await fixtureApi({ store, signals }));
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await signals.close();
  });

  it('GET /portfolio: cash, PnL, fees and the open position marked to market', async () => {
    const response = await app.inject({ url: '/portfolio' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      cash: number;
      realizedPnl: number;
      fees: number;
      positions: Array<Record<string, unknown>>;
      equity: number;
    }>();
    expect(body.cash).toBeCloseTo(9_068.574, 9);
    expect(body.realizedPnl).toBeCloseTo(59.564, 9);
    expect(body.fees).toBeCloseTo(17.426, 9);
    expect(body.positions).toEqual([
      {
        symbol: 'AAAUSDT',
        quantity: 10,
        averageEntry: 99,
        markPrice: 99,
        marketValue: 990,
        unrealizedPnl: 0,
      },
    ]);
    expect(body.equity).toBeCloseTo(10_058.574, 9);
  });

  it('GET /trades, /equity, /orders/:id and /ledger/balances', async () => {
    expect(
      (await app.inject({ url: '/trades' })).json<Array<{ realizedPnl: number }>>().map((t) => t.realizedPnl),
    ).toEqual([47.95, -26.138, 39.95, -2.198]);
    expect((await app.inject({ url: '/equity' })).json<unknown[]>().length).toBeGreaterThan(5);
    const order = (await app.inject({ url: '/orders/ORD-20240101-003' })).json<{
      status: string;
      events: Array<{ status: string }>;
    }>();
    expect(order.status).toBe('CLOSED');
    expect(order.events.map((e) => e.status)).toEqual(['PENDING', 'FILLED', 'CLOSED']);
    const balances = (await app.inject({ url: '/ledger/balances' })).json<{
      total: number;
      accounts: Record<string, number>;
    }>();
    expect(Math.abs(balances.total)).toBeLessThan(1e-9);
    expect(balances.accounts.cash).toBeCloseTo(9_068.574, 9);
  });

  it('answers bad input with a 400 that says what was wrong, and never a stack trace', async () => {
    const bad = await app.inject({ url: '/equity?from=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: 'Bad Request',
      code: 'CML_API_BAD_REQUEST',
      message: 'querystring/from must be integer',
    });
    const unknownParameter = await app.inject({ url: '/equity?form=1' });
    expect(unknownParameter.statusCode).toBe(400);
    expect(unknownParameter.json<{ message: string }>().message).toBe(
      'querystring has unknown parameter "form"',
    );
    const unknown = await app.inject({ url: '/orders/ORD-20240101-999' });
    expect(unknown.statusCode).toBe(404);
    const malformed = await app.inject({ url: '/orders/not-an-order' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).not.toContain('at ');
  });

  it('serves health, readiness and an OpenAPI document listing every route', async () => {
    expect((await app.inject({ url: '/health' })).json()).toEqual({ status: 'ok', processors: [] });
    expect((await app.inject({ url: '/ready' })).json()).toEqual({ ready: true, projections: [] });
    const doc = (await app.inject({ url: '/docs/json' })).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/portfolio',
        '/positions',
        '/equity',
        '/trades',
        '/orders',
        '/orders/{orderId}',
        '/orders/{orderId}/cancel',
        '/account/reset',
        '/controls',
        '/controls/pause',
        '/controls/resume',
        '/controls/close',
        '/signals',
        '/metrics',
        '/ledger/balances',
        '/health',
        '/ready',
      ]),
    );
  });
});
