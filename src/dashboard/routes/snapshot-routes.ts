import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../api/api-context.ts';
import { portfolioView } from '../../api/portfolio-view.ts';
import { number, orderEvent, portfolio, string } from '../../api/schemas.ts';

const equityPoint = {
  type: 'object',
  required: ['time', 'equity', 'cash', 'drawdown'],
  properties: { time: number, equity: number, cash: number, drawdown: number },
} as const;

/**
 * `GET /dashboard/snapshot`: what the page's cards and panels show, read in one go from the portfolio
 * projection (summary, equity curve, latest orders), stamped with the portfolio's event time
 * (`asOf`). The page shows bars and signals up to that time only, so every panel tells one moment.
 */
export function snapshotRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { orders: number } }>('/dashboard/snapshot', {
    schema: {
      summary: "The dashboard's portfolio, equity curve and latest orders, read together, with their as-of time",
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { orders: { type: 'integer', minimum: 1, maximum: 500, default: 200 } },
      },
      response: {
        200: {
          type: 'object',
          required: ['asOf', 'portfolio', 'equity', 'orders'],
          properties: {
            asOf: { type: 'integer', description: 'event time of the portfolio, ms since epoch (0: no data)' },
            portfolio,
            equity: { type: 'array', items: equityPoint },
            orders: {
              type: 'array',
              items: {
                type: 'object',
                required: ['orderId', 'status', 'events'],
                properties: { orderId: string, status: string, events: { type: 'array', items: orderEvent } },
              },
            },
          },
        },
      },
    },
    handler: (request) => {
      const view = portfolioView(ctx.portfolio());
      return {
        asOf: view.asOf,
        portfolio: view,
        equity: ctx.store.equityCurve(undefined, view.asOf),
        orders: ctx.store.recentOrders(request.query.orders).map((latest) => ({
          orderId: latest.order_id,
          status: latest.status,
          events: ctx.store.orderHistory(latest.order_id),
        })),
      };
    },
  });
}
