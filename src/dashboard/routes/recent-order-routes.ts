import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../api/api-context.ts';
import { orderEvent, string } from '../../api/schemas.ts';

/** The latest orders with their status histories (the order index read backwards). */
export function recentOrderRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { limit: number } }>('/orders/recent', {
    schema: {
      summary: 'The latest orders, newest first, each with its event history',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
      },
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: ['orderId', 'status', 'events'],
            properties: {
              orderId: string,
              status: string,
              events: { type: 'array', items: orderEvent },
            },
          },
        },
      },
    },
    handler: (request) =>
      ctx.store.recentOrders(request.query.limit).map((latest) => ({
        orderId: latest.order_id,
        status: latest.status,
        events: ctx.store.orderHistory(latest.order_id),
      })),
  });
}
