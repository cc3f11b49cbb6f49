import type { FastifyInstance } from 'fastify';
import { string } from '../../api/schemas.ts';
import type { DashboardDependencies } from '../dashboard-deps.ts';

const pipelineHealth = {
  type: 'object',
  required: ['groups', 'deadLetters'],
  properties: {
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
      summary: 'Lag of every consumer group per topic, and dead letters per data topic',
      response: { 200: pipelineHealth },
    },
    handler: () => deps.pipeline(),
  });
}
