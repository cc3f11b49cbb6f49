import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { fixtureApi, fixtureStores } from './api-fixture.ts';

interface Page {
  orders: Array<{ order_id: string; status: string }>;
  nextCursor: string | null;
}

describe('GET /orders and /orders/:id', () => {
  let app: FastifyInstance;
  let store: PortfolioStore;
  let signals: SignalStore;
  const page = async (query: string): Promise<Page> => {
    const response = await app.inject({ url: `/orders?${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };
  const ids = (p: Page): string[] => p.orders.map((o) => o.order_id.slice(-3));

  beforeAll(async () => {
    ({ store, signals } = await fixtureStores());
    ({ app } = await fixtureApi({ store, signals }));
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await signals.close();
  });

  it('lists every order with its latest status, a page at a time, until nextCursor is null', async () => {
    const first = await page('limit=4');
    expect(ids(first)).toEqual(['001', '002', '003', '004']);
    expect(first.orders.map((o) => o.status)).toEqual(['CLOSED', 'CLOSED', 'CLOSED', 'CANCELLED']);
    const second = await page(`limit=4&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual(['005', '006', '007', '008']);
    const last = await page(`limit=4&cursor=${second.nextCursor}`);
    expect(ids(last)).toEqual(['009', '010']);
    expect(last.nextCursor).toBeNull();
  });

  it('filters by status and symbol', async () => {
    expect(ids(await page('status=CANCELLED'))).toEqual(['004', '006', '007']);
    expect(ids(await page('status=PENDING'))).toEqual(['010']);
    const filled = await page('status=FILLED&limit=1');
    expect(ids(filled)).toEqual(['005']);
    expect(ids(await page(`status=FILLED&limit=1&cursor=${filled.nextCursor}`))).toEqual(['009']);
    expect((await page('symbol=AAAUSDT')).orders).toHaveLength(10);
    expect(await page('symbol=BTCUSDT')).toEqual({ orders: [], nextCursor: null });
  });

  it('answers bad filters, limits and cursors with a 400 naming them', async () => {
    const cases: Array<[string, string]> = [
      ['status=OPEN', 'querystring/status must be one of PENDING, FILLED, CANCELLED, CLOSED'],
      ['limit=0', 'querystring/limit must be >= 1'],
      ['limit=501', 'querystring/limit must be <= 500'],
      ['symbol=btc', 'querystring/symbol must match pattern "^[A-Z]{3,6}USDT$"'],
      [
        'cursor=garbage',
        'querystring/cursor is not a cursor of this route (got "garbage"): pass the nextCursor of the previous page unchanged',
      ],
    ];
    for (const [query, message] of cases) {
      const response = await app.inject({ url: `/orders?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ message: string }>().message, query).toBe(message);
    }
    // A cursor of another route is not one of this route.
    const signalsCursor = (await app.inject({ url: '/signals?limit=1' })).json<{ nextCursor: string }>()
      .nextCursor;
    expect((await app.inject({ url: `/orders?cursor=${signalsCursor}` })).statusCode).toBe(400);
  });

  it('GET /orders/:id gives the full event history; an unknown order is a 404 saying so', async () => {
    const cancelled = (await app.inject({ url: '/orders/ORD-20240101-004' })).json<{
      status: string;
      events: Array<{ status: string; cancel_reason: string | null; cancel_detail: string | null }>;
    }>();
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.events.map((e) => [e.status, e.cancel_reason])).toEqual([
      ['PENDING', null],
      ['CANCELLED', 'INSUFFICIENT_CASH'],
    ]);
    const unknown = await app.inject({ url: '/orders/ORD-20240101-999' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: 'Not Found',
      code: 'CML_API_NOT_FOUND',
      message:
        'no order ORD-20240101-999 in the ledger (unknown, or not folded by the portfolio projection yet)',
    });
  });
});
