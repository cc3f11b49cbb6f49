import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { at } from '../../support/exchange-script.ts';
import { fixtureApi, fixtureStores } from './api-fixture.ts';

interface View {
  cash: number;
  equity: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  positions: Array<{ symbol: string; quantity: number; averageEntry: number; markPrice: number }>;
}

/** Figures from the scripted market's comments (test/support/exchange-script.ts), by hand. */
describe('GET /portfolio as of a past time or orders offset', () => {
  let app: FastifyInstance;
  let store: PortfolioStore;
  let signals: SignalStore;
  const get = async (query: string): Promise<View> => {
    const response = await app.inject({ url: `/portfolio?${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<View>();
  };

  beforeAll(async () => {
    ({ store, signals } = await fixtureStores());
    ({ app } = await fixtureApi({ store, signals }));
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await signals.close();
  });

  it('at minute 4 (ISO time): 001 and 002 round trips done, 003 just filled at 100', async () => {
    const view = await get('at=2024-01-01T00:04:00Z');
    // 10,000 + 47.95 - 26.138 = 10,021.812 realized; then 50 x 100 + 5.00 fee paid for 003.
    expect(view.cash).toBeCloseTo(5_016.812, 9);
    expect(view.realizedPnl).toBeCloseTo(21.812, 9);
    // Fees: 1.00 + 1.05 (001), 2.08 + 2.058 (002), 5.00 (003).
    expect(view.fees).toBeCloseTo(11.188, 9);
    expect(view.positions).toEqual([
      {
        symbol: 'AAAUSDT',
        quantity: 50,
        averageEntry: 100,
        markPrice: 100,
        marketValue: 5_000,
        unrealizedPnl: 0,
      },
    ]);
    expect(view.equity).toBeCloseTo(10_016.812, 9);
    expect(await get(`at=${at(4)}`)).toEqual(view);
  });

  it('at minute 3.5 (ms): after 002 stopped out, before 003 filled', async () => {
    const view = await get(`at=${at(3.5)}`);
    expect(view.cash).toBeCloseTo(10_021.812, 9);
    expect(view.positions).toEqual([]);
  });

  it('offset 10: the orders before it, and bar 5 marking 003 at 101 (folded before offset 10)', async () => {
    const view = await get('offset=10');
    expect(view.cash).toBeCloseTo(5_016.812, 9);
    expect(view.positions[0]?.markPrice).toBe(101);
    expect(view.unrealizedPnl).toBeCloseTo(50, 9);
    expect(view.equity).toBeCloseTo(10_066.812, 9);
  });

  it('offset 3: only 001 round trip; offset 0 and times before the first event: the initial capital', async () => {
    const view = await get('offset=3');
    expect(view.cash).toBeCloseTo(10_047.95, 9);
    expect(view.realizedPnl).toBeCloseTo(47.95, 9);
    for (const query of ['offset=0', `at=${at(0) - 1}`])
      expect(await get(query)).toMatchObject({ cash: 10_000, equity: 10_000, fees: 0, positions: [] });
  });

  it('past the end: the same as now', async () => {
    const now = (await app.inject({ url: '/portfolio' })).json<View>();
    expect(await get('offset=1000')).toEqual(now);
    expect(await get(`at=${at(60)}`)).toEqual(now);
  });

  it('refuses a time it cannot read, a negative offset, and both at once, naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      [
        'at=yesterday',
        'querystring/at must be an ISO 8601 time (2024-01-01T00:05:00Z) or ms since epoch (got "yesterday")',
      ],
      [
        'at=2024-13-45T00:00:00Z',
        'querystring/at must be an ISO 8601 time (2024-01-01T00:05:00Z) or ms since epoch (got "2024-13-45T00:00:00Z")',
      ],
      ['offset=-1', 'querystring/offset must be >= 0'],
      ['offset=1&at=1', 'querystring: give either at or offset, not both'],
    ];
    for (const [query, message] of cases) {
      const response = await app.inject({ url: `/portfolio?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toEqual({ error: 'Bad Request', code: 'CML_API_BAD_REQUEST', message });
    }
  });
});
