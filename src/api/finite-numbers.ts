import type { FastifyInstance } from 'fastify';
import { badRequest } from './http-error.ts';

/**
 * Ajv's type coercion turns "1e309" and "Infinity" into Infinity, and its range keywords skip
 * non-finite numbers, so such a value passes `minimum`/`maximum`. Every route refuses them here,
 * after validation has coerced them, naming the parameter.
 */
export function refuseNonFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', (request) => {
    const parts = { querystring: request.query, params: request.params, body: request.body };
    for (const [part, values] of Object.entries(parts)) {
      if (typeof values !== 'object' || values === null) continue;
      for (const [name, value] of Object.entries(values))
        if (typeof value === 'number' && !Number.isFinite(value))
          return Promise.reject(badRequest(`${part}/${name} must be a finite number`));
    }
    return Promise.resolve();
  });
}
