import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';
import type { ApiContext } from '../api-context.ts';
import { badRequest, HttpError } from '../http-error.ts';
import { portfolioView } from '../portfolio-view.ts';
import { errors, number, portfolio, position, string, timeMsParam } from '../schemas.ts';
import { parseTime } from '../time-param.ts';

/** The portfolio (now, or as of a past time or orders offset), positions, equity curve, trades and ledger balances. */
export function portfolioRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { at?: string; offset?: number } }>('/portfolio', {
    schema: {
      summary:
        'Cash, equity, PnL, fees, exposure and positions marked to the last price; now, or as of `at` or `offset`',
      description:
        'Time travel re-folds the stored journal (every applied order event and every mark of a held symbol) up to the point: ' +
        'one fold step per journaled input before it, and a time cut reads the whole journal. ' +
        '`at` includes the inputs whose event time is at or before it; `offset` gives what the projection had folded just before that offset of crypto.orders.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          at: { ...string, description: 'ISO 8601 time or ms since epoch' },
          offset: {
            type: 'integer',
            minimum: 0,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'offset of crypto.orders',
          },
        },
      },
      response: { 200: portfolio, ...errors(400, 409) },
    },
    handler: (request) => {
      const { at, offset } = request.query;
      if (at === undefined && offset === undefined) return portfolioView(ctx.portfolio());
      if (at !== undefined && offset !== undefined)
        throw badRequest('querystring: give either at or offset, not both');
      const asOf =
        at !== undefined
          ? { kind: 'time' as const, at: parseTime('at', at) }
          : { kind: 'offset' as const, offset: offset ?? 0 };
      const state = ctx.store.portfolioAsOf(ctx.portfolio().initialCash, asOf);
      if (state === undefined)
        throw new HttpError(
          409,
          ErrorCodes.API_CONFLICT,
          'this portfolio store was written before time travel existed: rebuild it (cml rebuild) to query the past',
        );
      return portfolioView(state);
    },
  });

  app.get('/positions', {
    schema: { summary: 'Open positions', response: { 200: { type: 'array', items: position } } },
    handler: () => portfolioView(ctx.portfolio()).positions,
  });

  app.get<{ Querystring: { from?: number; to?: number } }>('/equity', {
    schema: {
      summary: 'The equity curve with drawdown, optionally between two times (ms since epoch)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: timeMsParam, to: timeMsParam },
      },
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: ['time', 'equity', 'cash', 'drawdown'],
            properties: { time: number, equity: number, cash: number, drawdown: number },
          },
        },
        ...errors(400),
      },
    },
    handler: (request) => ctx.store.equityCurve(request.query.from, request.query.to),
  });

  app.get('/trades', {
    schema: {
      summary: 'Closed trades (round trips) in exit order',
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: [
              'orderId',
              'symbol',
              'quantity',
              'entryTime',
              'entryPrice',
              'exitTime',
              'exitPrice',
              'fees',
              'realizedPnl',
              'reason',
            ],
            properties: {
              orderId: string,
              symbol: string,
              quantity: number,
              entryTime: number,
              entryPrice: number,
              exitTime: number,
              exitPrice: number,
              fees: number,
              realizedPnl: number,
              reason: string,
            },
          },
        },
      },
    },
    handler: () => ctx.store.trades(),
  });

  app.get('/ledger/balances', {
    schema: {
      summary: 'Balance of every ledger account; they sum to zero',
      response: {
        200: {
          type: 'object',
          required: ['accounts', 'total'],
          properties: { accounts: { type: 'object', additionalProperties: number }, total: number },
        },
      },
    },
    handler: () => {
      const accounts = Object.fromEntries(ctx.portfolio().balances);
      return { accounts, total: Object.values(accounts).reduce((sum, v) => sum + v, 0) };
    },
  });
}
