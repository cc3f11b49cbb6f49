import type { FastifyInstance } from 'fastify';
import { number, string, symbolParam, timeMsParam } from '../../api/schemas.ts';
import type { DashboardDependencies } from '../dashboard-deps.ts';

const candle = {
  type: 'object',
  required: ['symbol', 'time', 'open', 'high', 'low', 'close', 'volume'],
  properties: {
    symbol: string,
    time: { type: 'integer', description: 'bar time, ms since epoch' },
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  },
} as const;

/** The candle read model: bars per symbol, and the symbols that have any. */
export function candleRoutes(app: FastifyInstance, deps: DashboardDependencies): void {
  app.get<{ Querystring: { symbol: string; from?: number; limit: number } }>('/candles', {
    schema: {
      summary: 'Bars of a symbol in time order: from `from` on, or the latest `limit` without it',
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['symbol'],
        properties: {
          symbol: symbolParam,
          from: { ...timeMsParam, description: 'bar time, ms since epoch, inclusive' },
          limit: { type: 'integer', minimum: 1, maximum: 5_000, default: 500 },
        },
      },
      response: { 200: { type: 'array', items: candle } },
    },
    handler: (request) => {
      const { symbol, from, limit } = request.query;
      return deps.candles({ symbol, limit, ...(from === undefined ? {} : { from }) });
    },
  });

  app.get('/candles/symbols', {
    schema: {
      summary: 'The symbols that have bars, in name order',
      response: { 200: { type: 'array', items: string } },
    },
    handler: () => deps.symbols(),
  });
}
