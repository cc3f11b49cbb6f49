import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../api/api-context.ts';
import { portfolioView } from '../../api/portfolio-view.ts';
import { number, orderEvent, portfolio, string } from '../../api/schemas.ts';
import type { DashboardDependencies } from '../dashboard-deps.ts';

const equityPoint = {
  type: 'object',
  required: ['time', 'equity', 'cash', 'drawdown'],
  properties: { time: number, equity: number, cash: number, drawdown: number },
} as const;

/** The time of the newest bar of any symbol (0: none): the market's clock as the read models know it. */
function latestBar(deps: DashboardDependencies): number {
  let latest = 0;
  for (const symbol of deps.symbols())
    latest = Math.max(latest, deps.candles({ symbol, limit: 1 }).at(-1)?.time ?? 0);
  return latest;
}

/**
 * `GET /dashboard/snapshot`: what the page's cards and panels show, read in one go from the portfolio
 * projection (summary, equity curve, latest orders), stamped with one as-of time: the newest bar of
 * any symbol, or the portfolio's own time if later. (The portfolio's time alone stands still while
 * nothing is held: it moves with order events and the bars of held symbols only.) The page shows
 * bars and signals up to that time, and moves it on with each bar, so every panel tells one moment.
 */
export function snapshotRoutes(app: FastifyInstance, ctx: ApiContext, deps: DashboardDependencies): void {
  app.get<{ Querystring: { orders: number } }>('/dashboard/snapshot', {
    schema: {
      summary:
        "The dashboard's portfolio, equity curve and latest orders, read together, with their as-of time",
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
            asOf: {
              type: 'integer',
              description:
                'the newest bar time, or the portfolio time if later; ms since epoch (0: no data yet)',
            },
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
        asOf: Math.max(view.asOf, latestBar(deps)),
        portfolio: view,
        equity: ctx.store.equityCurve(),
        orders: ctx.store.recentOrders(request.query.orders).map((latest) => ({
          orderId: latest.order_id,
          status: latest.status,
          events: ctx.store.orderHistory(latest.order_id),
        })),
      };
    },
  });
}
