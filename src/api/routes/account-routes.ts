import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { requireApiKey } from '../api-key.ts';
import { decideReset } from '../order-commands.ts';
import { errors } from '../schemas.ts';

const ids = { type: 'array', items: { type: 'string' } } as const;

/** The paper-account reset (see `decideReset` for how it stays event-sourced). */
export function accountRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/account/reset', {
    preHandler: requireApiKey(ctx.settings.key),
    config: { rateLimit: { max: ctx.settings.rateLimit.max, timeWindow: ctx.settings.rateLimit.windowMs } },
    schema: {
      summary:
        'Reset the paper account: cancel every PENDING order, close every open position at its mark (MANUAL)',
      description:
        'Needs the API key (x-api-key). Appends the events to crypto.orders in one atomic append; the read models follow as the projection folds them. ' +
        'Cash is not restored to the initial capital: no order event moves money without a trade.',
      security: [{ apiKey: [] }],
      response: {
        202: {
          type: 'object',
          required: ['cancelled', 'closed', 'events'],
          properties: { cancelled: ids, closed: ids, events: { type: 'integer' } },
        },
        ...errors(401, 429, 503),
      },
    },
    handler: async (_request, reply) => {
      const open = [
        ...ctx.store.orders({ status: 'PENDING', limit: Number.MAX_SAFE_INTEGER }).orders,
        ...ctx.store.orders({ status: 'FILLED', limit: Number.MAX_SAFE_INTEGER }).orders,
      ];
      const marks = new Map([...ctx.portfolio().holdings.values()].map((h) => [h.symbol, h.markPrice]));
      const reset = decideReset(open, marks, ctx.feeRate, ctx.now());
      if (reset.events.length > 0) await ctx.appendOrders(reset.events);
      return reply
        .code(202)
        .send({ cancelled: reset.cancelled, closed: reset.closed, events: reset.events.length });
    },
  });
}
