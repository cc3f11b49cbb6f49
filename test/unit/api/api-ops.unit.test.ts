import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { DEFAULT_API_SETTINGS } from '../../../src/api/api-context.ts';
import { createMetrics } from '../../../src/api/metrics.ts';
import { fixtureApi, fixtureStores } from './api-fixture.ts';

describe('health, readiness, metrics and docs', () => {
  let stores: { store: PortfolioStore; signals: SignalStore };
  let app: FastifyInstance | undefined;

  beforeEach(async () => {
    stores = await fixtureStores();
  });
  afterEach(async () => {
    await app?.close();
    await stores.store.close();
    await stores.signals.close();
  });

  it('health is 503 while a registered processor reports itself stuck, and separate from readiness', async () => {
    let stuck = false;
    ({ app } = await fixtureApi(stores, {
      processors: [
        { name: 'portfolio', stuck: () => false },
        { name: 'exchange', stuck: () => stuck },
      ],
      projections: [{ name: 'portfolio', lag: () => Promise.resolve(7) }],
    }));
    const ok = await app.inject({ url: '/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ status: string }>().status).toBe('ok');
    stuck = true;
    const bad = await app.inject({ url: '/health' });
    expect(bad.statusCode).toBe(503);
    expect(bad.json()).toEqual({
      status: 'unhealthy',
      processors: [
        { name: 'portfolio', stuck: false },
        { name: 'exchange', stuck: true },
      ],
    });
  });

  it('health names a stuck processor with its reason (a processor dead-lettering everything it reads)', async () => {
    ({ app } = await fixtureApi(stores, {
      processors: [
        { name: 'candles', stuck: () => false, reason: () => undefined },
        {
          name: 'signals-processor',
          stuck: () => true,
          reason: () => 'dead-lettered every record it read for 61 s (13 records): see the dead-letter topic',
        },
      ],
    }));
    const bad = await app.inject({ url: '/health' });
    expect(bad.statusCode).toBe(503);
    expect(bad.json()).toEqual({
      status: 'unhealthy',
      processors: [
        { name: 'candles', stuck: false },
        {
          name: 'signals-processor',
          stuck: true,
          reason: 'dead-lettered every record it read for 61 s (13 records): see the dead-letter topic',
        },
      ],
    });
  });

  it('ready when every projection is within maxLag, and for graceMs after it last was', async () => {
    let now = 1_000_000;
    let lag = 5;
    ({ app } = await fixtureApi(stores, {
      now: () => now,
      settings: { ...DEFAULT_API_SETTINGS, readiness: { maxLag: 1, graceMs: 5_000 } },
      projections: [
        { name: 'portfolio', lag: () => Promise.resolve(lag) },
        { name: 'signals', lag: () => Promise.resolve(0) },
      ],
    }));
    const probe = async (): Promise<[number, boolean]> => {
      const response = await app!.inject({ url: '/ready' });
      return [response.statusCode, response.json<{ ready: boolean }>().ready];
    };
    expect(await probe()).toEqual([503, false]); // never caught up
    lag = 1;
    expect(await probe()).toEqual([200, true]); // within the bound
    lag = 40;
    now += 5_000;
    expect(await probe()).toEqual([200, true]); // behind, within the grace
    now += 1;
    expect(await probe()).toEqual([503, false]);
    expect((await app.inject({ url: '/ready' })).json()).toEqual({
      ready: false,
      projections: [
        { name: 'portfolio', lag: 40, ready: false },
        { name: 'signals', lag: 0, ready: true },
      ],
    });
  });

  it('GET /metrics: process defaults, processor metrics and the projection lag, from the registry passed in', async () => {
    const metrics = createMetrics();
    metrics.messagesProcessed.inc({ processor: 'exchange', topic: 'crypto.orders' }, 3);
    ({ app } = await fixtureApi(stores, {
      metrics,
      projections: [{ name: 'portfolio', lag: () => Promise.resolve(4) }],
    }));
    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('process_cpu_user_seconds_total');
    expect(response.body).toContain(
      'cml_messages_processed_total{processor="exchange",topic="crypto.orders"} 3',
    );
    expect(response.body).toContain('cml_projection_lag_records{projection="portfolio"} 4');
    // Two registries in one process do not share counters.
    expect(
      await createMetrics().registry.getSingleMetricAsString('cml_messages_processed_total'),
    ).not.toContain('exchange');
  });

  it('serves a /docs page listing the routes; every route has response schemas in the OpenAPI document', async () => {
    ({ app } = await fixtureApi(stores));
    const page = await app.inject({ url: '/docs' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<code>/orders/{orderId}/cancel</code>');
    const doc = (await app.inject({ url: '/docs/json' })).json<{
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: unknown[] }>>;
    }>();
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods))
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).toContain(
          method === 'post' ? '202' : '200',
        );
    expect(doc.paths['/orders']?.get?.parameters).toHaveLength(4);
  });
});
