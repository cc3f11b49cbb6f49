import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/api-context.ts';
import type { DashboardDependencies } from './dashboard-deps.ts';
import { candleRoutes } from './routes/candle-routes.ts';
import { eventRoutes } from './routes/event-routes.ts';
import { pageRoutes } from './routes/page-routes.ts';
import { pipelineRoutes } from './routes/pipeline-routes.ts';
import { recentOrderRoutes } from './routes/recent-order-routes.ts';
import { snapshotRoutes } from './routes/snapshot-routes.ts';

/**
 * The web dashboard on the API's server: the page at `/` with its scripts, and the routes it reads
 * beyond the API's own (candles, recent orders with histories, the page's snapshot, pipeline health,
 * live events).
 */
export function registerDashboard(app: FastifyInstance, ctx: ApiContext, deps: DashboardDependencies): void {
  pageRoutes(app);
  candleRoutes(app, deps);
  recentOrderRoutes(app, ctx);
  snapshotRoutes(app, ctx, deps);
  pipelineRoutes(app, deps);
  eventRoutes(app, ctx, deps);
}
