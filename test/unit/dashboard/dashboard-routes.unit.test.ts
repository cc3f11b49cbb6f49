import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Candle } from '../../../projections/candles/index.ts';
import { Broadcast, type DashboardDependencies } from '../../../src/dashboard/index.ts';
import { fixtureApi, fixtureStores } from '../api/api-fixture.ts';

const candle = (time: number): Candle => ({
  symbol: 'BTCUSDT',
  time,
  open: 1,
  high: 2,
  low: 0.5,
  close: 1.5,
  volume: 10,
});

describe('the dashboard routes', () => {
  let app: FastifyInstance;
  const asked: unknown[] = [];
  /** The newest bar the candle read model holds. */
  let latestBar = 2_000;

  beforeAll(async () => {
    const dashboard: DashboardDependencies = {
      candles: (query) => {
        asked.push(query);
        return query.limit === 1 ? [candle(latestBar)] : [candle(1_000), candle(2_000)];
      },
      symbols: () => ['BTCUSDT'],
      pipeline: () =>
        Promise.resolve({
          groups: [{ group: 'virtual-exchange', topic: 'crypto.orders', lag: 2 }],
          deadLetters: [{ topic: 'crypto.market_data', count: 1 }],
        }),
      feed: new Broadcast(),
    };
    ({ app } = await fixtureApi(await fixtureStores(), { dashboard }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves the page, its modules and the chart library, kept out of the OpenAPI document', async () => {
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script type="module" src="/dashboard/app.js">');
    const script = await app.inject('/dashboard/app.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const charts = await app.inject('/dashboard/vendor/lightweight-charts.mjs');
    expect(charts.statusCode).toBe(200);
    expect(charts.body).toContain('createSeriesMarkers');
    expect((await app.inject('/dashboard/secret.txt')).statusCode).toBe(400);
    const paths = Object.keys((await app.inject('/docs/json')).json<{ paths: object }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/candles',
        '/candles/symbols',
        '/orders/recent',
        '/dashboard/snapshot',
        '/pipeline',
        '/events',
      ]),
    );
    expect(paths).not.toContain('/');
  });

  it('answers candles with a validated query', async () => {
    const response = await app.inject('/candles?symbol=BTCUSDT&from=1000&limit=2');
    expect(response.json()).toEqual([candle(1_000), candle(2_000)]);
    expect(asked.at(-1)).toEqual({ symbol: 'BTCUSDT', from: 1_000, limit: 2 });
    await app.inject('/candles?symbol=BTCUSDT');
    expect(asked.at(-1)).toEqual({ symbol: 'BTCUSDT', limit: 500 });
    const bad = await app.inject('/candles?symbol=btc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/querystring\/symbol/);
    expect((await app.inject('/candles')).statusCode).toBe(400);
    expect((await app.inject('/candles/symbols')).json()).toEqual(['BTCUSDT']);
  });

  it('lists the latest orders newest first, each with its event history', async () => {
    const recent = (await app.inject('/orders/recent?limit=3')).json<
      Array<{ orderId: string; status: string; events: Array<{ status: string; sequence: number }> }>
    >();
    expect(recent).toHaveLength(3);
    const ids = recent.map((o) => o.orderId);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(recent[0]).toMatchObject({ orderId: 'ORD-20240101-010', status: 'PENDING' });
    for (const order of recent) {
      expect(order.events.at(-1)?.status).toBe(order.status);
      expect(order.events.map((e) => e.sequence)).toEqual([...order.events.map((e) => e.sequence)].sort());
    }
  });

  it('reports the pipeline health it is given', async () => {
    expect((await app.inject('/pipeline')).json()).toEqual({
      groups: [{ group: 'virtual-exchange', topic: 'crypto.orders', lag: 2 }],
      services: [
        {
          service: 'virtual-exchange',
          lag: 2,
          topics: ['crypto.orders'],
          groups: [{ group: 'virtual-exchange', name: '', topic: 'crypto.orders', lag: 2 }],
        },
      ],
      deadLetters: [{ topic: 'crypto.market_data', count: 1 }],
    });
  });

  it('reads the snapshot of portfolio, equity curve and orders together, stamped with the portfolio time', async () => {
    const snapshot = (await app.inject('/dashboard/snapshot?orders=3')).json<{
      asOf: number;
      portfolio: { asOf: number };
      equity: Array<{ time: number }>;
      orders: Array<{ orderId: string; events: unknown[] }>;
    }>();
    const portfolio = (await app.inject('/portfolio')).json<{ asOf: number }>();
    expect(snapshot.asOf).toBe(portfolio.asOf);
    expect(snapshot.portfolio).toEqual(portfolio);
    expect(snapshot.equity).toEqual((await app.inject('/equity')).json());
    expect(snapshot.orders).toEqual((await app.inject('/orders/recent?limit=3')).json());
    expect((await app.inject('/dashboard/snapshot?orders=0')).statusCode).toBe(400);
  });

  it('stamps the snapshot with the newest bar when the portfolio, holding nothing moving, is behind it', async () => {
    const portfolio = (await app.inject('/portfolio')).json<{ asOf: number }>();
    latestBar = portfolio.asOf + 3 * 60_000;
    try {
      const snapshot = (await app.inject('/dashboard/snapshot')).json<{
        asOf: number;
        portfolio: { asOf: number };
      }>();
      expect(snapshot.asOf).toBe(latestBar);
      expect(snapshot.portfolio.asOf).toBe(portfolio.asOf);
    } finally {
      latestBar = 2_000;
    }
  });
});
