import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { docsPage } from '../docs-page.ts';
import { Readiness } from '../readiness.ts';
import { string } from '../schemas.ts';

const processors = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'stuck'],
    properties: { name: string, stuck: { type: 'boolean' }, reason: string },
  },
} as const;
const health = {
  type: 'object',
  required: ['status', 'processors'],
  properties: { status: string, processors },
} as const;
const readiness = {
  type: 'object',
  required: ['ready', 'projections'],
  properties: {
    ready: { type: 'boolean' },
    projections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'lag', 'ready'],
        properties: { name: string, lag: { type: 'integer' }, ready: { type: 'boolean' } },
      },
    },
  },
} as const;

/** Liveness, readiness, Prometheus metrics and the API's documentation. */
export function opsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const ready = new Readiness(ctx.projections, ctx.settings.readiness, ctx.now);

  app.get('/health', {
    schema: {
      summary: 'Liveness: the process is up and no registered processor is stuck',
      response: { 200: health, 503: health },
    },
    handler: async (_request, reply) => {
      const states = ctx.processors.map((p) => {
        const stuck = p.stuck();
        const reason = stuck ? p.reason?.() : undefined;
        return reason === undefined ? { name: p.name, stuck } : { name: p.name, stuck, reason };
      });
      const healthy = states.every((s) => !s.stuck);
      return reply
        .code(healthy ? 200 : 503)
        .send({ status: healthy ? 'ok' : 'unhealthy', processors: states });
    },
  });

  app.get('/ready', {
    schema: {
      summary: `Readiness: every projection has at most api.readiness.maxLag records to fold (or had, within graceMs)`,
      response: { 200: readiness, 503: readiness },
    },
    handler: async (_request, reply) => {
      const projections = await ready.check();
      const isReady = projections.every((p) => p.ready);
      return reply.code(isReady ? 200 : 503).send({ ready: isReady, projections });
    },
  });

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics: process defaults, processors, consumer and projection lag',
      produces: ['text/plain'],
      response: { 200: { type: 'string' } },
    },
    handler: async (_request, reply) => {
      for (const probe of ctx.projections)
        ctx.metrics.projectionLag.set({ projection: probe.name }, await probe.lag());
      return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    },
  });

  app.get('/docs/json', { schema: { hide: true }, handler: () => app.swagger() });
  app.get('/docs', {
    schema: { hide: true },
    handler: (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(docsPage(app.swagger() as Parameters<typeof docsPage>[0])),
  });
}
