import type { FastifyInstance } from 'fastify';
import type { OrderEvent, OrderStatus } from '../../contracts/index.ts';
import { OrderStatusValues } from '../../contracts/index.ts';
import { ErrorCodes } from '../../errors/index.ts';
import type { ApiContext } from '../api-context.ts';
import { requireApiKey } from '../api-key.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { HttpError, notFound } from '../http-error.ts';
import { decideCancel } from '../order-commands.ts';
import { cursorParam, errors, limitParam, orderEvent, orderIdParam, symbolParam } from '../schemas.ts';

const isOrderId = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The latest event of an order, or a 404 naming it. */
function latestOf(ctx: ApiContext, orderId: string): OrderEvent[] {
  const events = ctx.store.orderHistory(orderId);
  if (events.length === 0)
    throw notFound(
      `no order ${orderId} in the ledger (unknown, or not folded by the portfolio projection yet)`,
    );
  return events;
}

/** Orders (filtered, paged), one order's event history, and the manual cancel. */
export function orderRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { status?: OrderStatus; symbol?: string; limit: number; cursor?: string } }>(
    '/orders',
    {
      schema: {
        summary: "Orders' latest snapshots in id order, filtered by status and symbol, a page at a time",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: OrderStatusValues },
            symbol: symbolParam,
            limit: limitParam,
            cursor: cursorParam,
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['orders', 'nextCursor'],
            properties: {
              orders: { type: 'array', items: orderEvent },
              nextCursor: { type: ['string', 'null'], description: 'null on the last page' },
            },
          },
          ...errors(400),
        },
      },
      handler: (request) => {
        const { status, symbol, limit, cursor } = request.query;
        const after = cursor === undefined ? undefined : decodeCursor('orders', cursor, isOrderId);
        const page = ctx.store.orders({
          limit,
          ...(status === undefined ? {} : { status }),
          ...(symbol === undefined ? {} : { symbol }),
          ...(after === undefined ? {} : { after }),
        });
        return {
          orders: page.orders,
          nextCursor: page.next === undefined ? null : encodeCursor('orders', page.next),
        };
      },
    },
  );

  app.get<{ Params: { orderId: string } }>('/orders/:orderId', {
    schema: {
      summary: 'One order with its full event history',
      params: { type: 'object', required: ['orderId'], properties: { orderId: orderIdParam } },
      response: {
        200: {
          type: 'object',
          required: ['orderId', 'status', 'events'],
          properties: {
            orderId: { type: 'string' },
            status: { type: 'string', enum: OrderStatusValues },
            events: { type: 'array', items: orderEvent },
          },
        },
        ...errors(400, 404),
      },
    },
    handler: (request) => {
      const { orderId } = request.params;
      const events = latestOf(ctx, orderId);
      return { orderId, status: events.at(-1)?.status, events };
    },
  });

  app.post<{ Params: { orderId: string } }>('/orders/:orderId/cancel', {
    preHandler: requireApiKey(ctx.settings.key),
    config: { rateLimit: { max: ctx.settings.rateLimit.max, timeWindow: ctx.settings.rateLimit.windowMs } },
    schema: {
      summary: 'Cancel a PENDING order: appends its CANCELLED event (MANUAL) to crypto.orders',
      description:
        'Needs the API key (x-api-key). The order state machine decides: anything but a PENDING order is refused with 409 and its status. ' +
        'The decision is taken on the read model; should the exchange fill the order first, the log keeps the first of the two events and every fold rejects the other.',
      security: [{ apiKey: [] }],
      params: { type: 'object', required: ['orderId'], properties: { orderId: orderIdParam } },
      response: {
        202: {
          type: 'object',
          required: ['orderId', 'status', 'event'],
          properties: { orderId: { type: 'string' }, status: { type: 'string' }, event: orderEvent },
        },
        ...errors(400, 401, 404, 409, 429, 503),
      },
    },
    handler: async (request, reply) => {
      const { orderId } = request.params;
      const latest = latestOf(ctx, orderId).at(-1) as OrderEvent;
      const decision = decideCancel(latest, ctx.now());
      if (decision.kind === 'refused')
        throw new HttpError(
          409,
          ErrorCodes.API_CONFLICT,
          `order ${orderId} is ${decision.status}: only a PENDING order can be cancelled (${decision.reason})`,
          { orderStatus: decision.status },
        );
      await ctx.appendOrders([decision.event]);
      return reply.code(202).send({ orderId, status: decision.event.status, event: decision.event });
    },
  });
}
