import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerDashboard } from '../dashboard/register-dashboard.ts';
import { interactionsRoute } from '../discord/interactions-route.ts';
import { DEFAULT_API_SETTINGS, type ApiContext, type ApiDependencies } from './api-context.ts';
import { describeValidation, installErrorHandlers } from './error-handler.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { controlRoutes } from './routes/control-routes.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { orderRoutes } from './routes/order-routes.ts';
import { portfolioRoutes } from './routes/portfolio-routes.ts';
import { signalRoutes } from './routes/signal-routes.ts';
import { refuseNonFiniteNumbers } from './finite-numbers.ts';

/**
 * The HTTP API, built from its dependencies (no socket: tests use `inject`). Every route has JSON
 * schemas that validate its input (unknown parameters are refused, not dropped) and serialise its
 * output; the OpenAPI document is at /docs/json, a page listing the routes at /docs. Errors are
 * `{error, code, message}` without stack traces. Mutating routes need the API key and are
 * rate-limited; CORS headers are sent only to the configured origins.
 */
export async function buildApi(deps: ApiDependencies): Promise<FastifyInstance> {
  const ctx: ApiContext = {
    ...deps,
    settings: deps.settings ?? DEFAULT_API_SETTINGS,
    feeRate: deps.feeRate ?? 0.001,
    now: deps.now ?? Date.now,
    projections: deps.projections ?? [],
    processors: deps.processors ?? [],
  };
  const app = Fastify({
    logger: deps.logger ?? false,
    ajv: { customOptions: { removeAdditional: false } },
    schemaErrorFormatter: describeValidation,
  });
  installErrorHandlers(app);
  refuseNonFiniteNumbers(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'crypto-ml-ledger',
        description: 'Portfolio, ledger, orders and signals of the paper-trading ledger',
        version: '0.1.0',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    },
  });
  await app.register(rateLimit, { global: false });
  if (ctx.settings.corsOrigins.length > 0) await app.register(cors, { origin: ctx.settings.corsOrigins });

  portfolioRoutes(app, ctx);
  orderRoutes(app, ctx);
  accountRoutes(app, ctx);
  controlRoutes(app, ctx);
  signalRoutes(app, ctx);
  opsRoutes(app, ctx);
  if (deps.dashboard !== undefined) registerDashboard(app, ctx, deps.dashboard);
  if (deps.discord !== undefined) interactionsRoute(app, ctx, deps.discord);
  return app;
}
