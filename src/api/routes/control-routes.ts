import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ControlActionValues } from '../../contracts/index.ts';
import { isCmlError, ErrorCodes } from '../../errors/index.ts';
import type { ApiContext, ControlsAccess } from '../api-context.ts';
import { requireApiKey } from '../api-key.ts';
import { badRequest, HttpError } from '../http-error.ts';
import { errors, symbolParam } from '../schemas.ts';

const byParam = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  description: 'who asks (default "api")',
} as const;
const reasonParam = { type: 'string', minLength: 1, maxLength: 500 } as const;

const controlEntry = {
  type: 'object',
  required: ['controlId', 'action', 'symbol', 'requestedBy', 'requestedAt', 'reason', 'appliesFrom'],
  properties: {
    controlId: { type: 'string' },
    action: { type: 'string', enum: ControlActionValues },
    symbol: { type: ['string', 'null'] },
    requestedBy: { type: 'string' },
    requestedAt: { type: 'integer' },
    reason: { type: ['string', 'null'] },
    appliesFrom: {
      type: ['integer', 'null'],
      description: 'signal time from which the decision engine applies it; null until it recorded it',
    },
  },
} as const;

const controlsView = {
  type: 'object',
  required: ['entriesPaused', 'pausedSymbols', 'controls'],
  properties: {
    entriesPaused: { type: 'boolean', description: 'entries of every symbol are paused' },
    pausedSymbols: { type: 'array', items: { type: 'string' } },
    controls: { type: 'array', items: controlEntry, description: 'newest first' },
  },
} as const;

const accepted = {
  202: { type: 'object', required: ['accepted'], properties: { accepted: { type: 'boolean' } } },
} as const;

/**
 * Ajv's type coercion (right for query strings) would take `"by": false` in a JSON body as the
 * text "false": a body's fields must already be strings. Checked before validation coerces them.
 */
function requireStringFields(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return Promise.resolve();
  for (const [name, value] of Object.entries(body))
    if (value !== undefined && typeof value !== 'string')
      return Promise.reject(badRequest(`body/${name} must be string`));
  return Promise.resolve();
}

function controlsOf(ctx: ApiContext): ControlsAccess {
  if (ctx.controls === undefined)
    throw new HttpError(503, ErrorCodes.API_UNAVAILABLE, 'operator controls are not served by this process');
  return ctx.controls;
}

/**
 * The operators' controls: the paused state, and the requests (pause, resume, force-close) that
 * become events in crypto.controls. The decision engine records each at the next signal it
 * decides; GET /controls shows whether it has and from which signal time it applies.
 */
export function controlRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // The key is checked before the body: a caller without it learns nothing of what a body needs.
  const guarded = {
    preValidation: [requireApiKey(ctx.settings.key), requireStringFields],
    config: { rateLimit: { max: ctx.settings.rateLimit.max, timeWindow: ctx.settings.rateLimit.windowMs } },
  };

  app.get('/controls', {
    schema: {
      summary: "What is paused, and the operators' controls, newest first",
      response: { 200: controlsView, ...errors(503) },
    },
    handler: () => controlsOf(ctx).view(),
  });

  app.post<{ Body: { symbol?: string; by?: string; reason?: string } }>('/controls/pause', {
    ...guarded,
    schema: {
      summary: 'Pause new entries (BUYs) of one symbol, or of every symbol without one',
      description:
        'Needs the API key (x-api-key). Appends a PAUSE_ENTRIES request to crypto.controls; open positions keep their exits.',
      security: [{ apiKey: [] }],
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { symbol: symbolParam, by: byParam, reason: reasonParam },
      },
      response: { ...accepted, ...errors(400, 401, 429, 503) },
    },
    handler: async (request, reply) => {
      const body = request.body;
      await controlsOf(ctx).operator.pauseEntries({
        by: body.by ?? 'api',
        ...(body.symbol === undefined ? {} : { symbol: body.symbol }),
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      });
      return reply.code(202).send({ accepted: true });
    },
  });

  app.post<{ Body: { symbol?: string; by?: string } }>('/controls/resume', {
    ...guarded,
    schema: {
      summary: 'Lift a pause of the same scope: one symbol, or every symbol without one',
      description: 'Needs the API key (x-api-key). Appends a RESUME_ENTRIES request to crypto.controls.',
      security: [{ apiKey: [] }],
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { symbol: symbolParam, by: byParam },
      },
      response: { ...accepted, ...errors(400, 401, 429, 503) },
    },
    handler: async (request, reply) => {
      const body = request.body;
      await controlsOf(ctx).operator.resumeEntries({
        by: body.by ?? 'api',
        ...(body.symbol === undefined ? {} : { symbol: body.symbol }),
      });
      return reply.code(202).send({ accepted: true });
    },
  });

  app.post<{ Body: { symbol: string; by?: string } }>('/controls/close', {
    ...guarded,
    schema: {
      summary: "Force-close a symbol's open position at the next price",
      description:
        'Needs the API key (x-api-key). Appends a FORCE_CLOSE request to crypto.controls: the decision engine places a MARKET SELL of the open lots at its next signal of the symbol, the exchange fills it at the next bar and closes them with reason MANUAL. ' +
        'Refused with 409 when the symbol has no open position.',
      security: [{ apiKey: [] }],
      body: {
        type: 'object',
        required: ['symbol'],
        additionalProperties: false,
        properties: { symbol: symbolParam, by: byParam },
      },
      response: { ...accepted, ...errors(400, 401, 409, 429, 503) },
    },
    handler: async (request, reply) => {
      try {
        await controlsOf(ctx).operator.forceClose({
          symbol: request.body.symbol,
          by: request.body.by ?? 'api',
        });
      } catch (error) {
        if (isCmlError(error) && error.code === ErrorCodes.CONTROL_REFUSED)
          throw new HttpError(409, ErrorCodes.CONTROL_REFUSED, error.message);
        throw error;
      }
      return reply.code(202).send({ accepted: true });
    },
  });
}
