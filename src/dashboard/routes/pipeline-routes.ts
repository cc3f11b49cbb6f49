import type { FastifyInstance } from 'fastify';
import { string } from '../../api/schemas.ts';
import type { DashboardDependencies } from '../dashboard-deps.ts';
import { servicesOf } from '../pipeline-services.ts';

const pipelineHealth = {
  type: 'object',
  required: ['groups', 'services', 'deadLetters'],
  properties: {
    services: {
      type: 'array',
      description: 'the groups by service (the first segment of their names), most lag first',
      items: {
        type: 'object',
        required: ['service', 'lag', 'topics', 'groups'],
        properties: {
          service: string,
          lag: { type: 'integer' },
          topics: { type: 'array', items: string },
          groups: {
            type: 'array',
            items: {
              type: 'object',
              required: ['group', 'name', 'topic', 'lag'],
              properties: { group: string, name: string, topic: string, lag: { type: 'integer' } },
            },
          },
        },
      },
    },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['group', 'topic', 'lag'],
        properties: { group: string, topic: string, lag: { type: 'integer' } },
      },
    },
    deadLetters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['topic', 'count'],
        properties: { topic: string, count: { type: 'integer' }, unreadable: { type: 'integer' } },
      },
    },
  },
} as const;

/** The pipeline's health, as the dashboard shows it. */
export function pipelineRoutes(app: FastifyInstance, deps: DashboardDependencies): void {
  app.get('/pipeline', {
    schema: {
      summary:
        'Lag of every consumer group per topic (also grouped by service), and dead letters per data topic',
      response: { 200: pipelineHealth },
    },
    handler: async () => {
      const health = await deps.pipeline();
      return { ...health, services: servicesOf(health.groups) };
    },
  });
}
