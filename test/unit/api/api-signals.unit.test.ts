import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { fixtureApi, fixtureStores, SIGNAL_T0 } from './api-fixture.ts';

interface Page {
  signals: Array<{ symbol: string; model: string; signal: string; timestamp: number }>;
  nextCursor: string | null;
}

describe('GET /signals', () => {
  let app: FastifyInstance;
  let store: PortfolioStore;
  let signals: SignalStore;
  const page = async (query: string): Promise<Page> => {
    const response = await app.inject({ url: `/signals?${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };
  /** Minutes after SIGNAL_T0 of a page's signals. */
  const minutes = (p: Page): number[] => p.signals.map((s) => (s.timestamp - SIGNAL_T0) / 60_000);

  beforeAll(async () => {
    ({ store, signals } = await fixtureStores());
    ({ app } = await fixtureApi({ store, signals }));
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await signals.close();
  });

  it('lists signals in time order across partitions, a page at a time', async () => {
    const first = await page('limit=4');
    expect(minutes(first)).toEqual([0, 1, 2, 3]);
    const rest = await page(`limit=4&cursor=${first.nextCursor}`);
    expect(minutes(rest)).toEqual([4, 5]);
    expect(rest.nextCursor).toBeNull();
    expect(first.signals[0]).toMatchObject({
      symbol: 'BTCUSDT',
      model: 'random_forest',
      signal: 'BUY',
      confidence: 0.85,
    });
  });

  it('filters by symbol, model, signal and time range (ISO or ms, inclusive)', async () => {
    expect(minutes(await page('symbol=BTCUSDT'))).toEqual([0, 2, 3, 5]);
    expect(minutes(await page('symbol=BTCUSDT&model=random_forest&signal=BUY'))).toEqual([0, 5]);
    expect(minutes(await page('model=svm'))).toEqual([1, 2]);
    expect(minutes(await page('signal=SELL'))).toEqual([1, 3]);
    expect(minutes(await page(`from=${SIGNAL_T0 + 60_000}&to=2024-01-02T00:03:00Z`))).toEqual([1, 2, 3]);
    const bySymbol = await page('symbol=BTCUSDT&limit=1&from=2024-01-02T00:01:00Z');
    expect(minutes(bySymbol)).toEqual([2]);
    expect(
      minutes(await page(`symbol=BTCUSDT&limit=2&from=2024-01-02T00:01:00Z&cursor=${bySymbol.nextCursor}`)),
    ).toEqual([3, 5]);
  });

  it('answers bad filters and cursors with a 400 naming them', async () => {
    const cases: Array<[string, string]> = [
      [
        'model=gpt',
        'querystring/model must be one of random_forest, svm, logistic_regression, gradient_boosting, ma_rsi_rule, rule',
      ],
      ['signal=STRONG_BUY', 'querystring/signal must be one of BUY, SELL, HOLD'],
      [
        'from=tomorrow',
        'querystring/from must be an ISO 8601 time (2024-01-01T00:05:00Z) or ms since epoch (got "tomorrow")',
      ],
      ['from=2000&to=1000', 'querystring/from (2000) must not be after querystring/to (1000)'],
      [
        // Well-formed, but its position is not one the store can give.
        `cursor=${Buffer.from('{"k":"signals","p":{"time":-1}}').toString('base64url')}`,
        'querystring/cursor is not a cursor of this route (got "eyJrIjoic2lnbmFscyIsInAiOnsidGltZSI6LTF9"): pass the nextCursor of the previous page unchanged',
      ],
    ];
    for (const [query, message] of cases) {
      const response = await app.inject({ url: `/signals?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ message: string }>().message, query).toBe(message);
    }
  });
});
