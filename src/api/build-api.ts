import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { PortfolioState } from '../../projections/portfolio/portfolio-fold.ts';
import type { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import { portfolioView } from './portfolio-view.ts';

export interface ApiDependencies {
  readonly store: PortfolioStore;
  /** The portfolio now: the live projection's state, or the store's. */
  readonly portfolio: () => PortfolioState;
  /** Whether the projections have caught up with the log (readiness). */
  readonly ready: () => Promise<boolean>;
  readonly logger?: boolean;
}

const number = { type: 'number' } as const;
const position = {
  type: 'object',
  required: ['symbol', 'quantity', 'averageEntry', 'markPrice', 'marketValue', 'unrealizedPnl'],
  properties: {
    symbol: { type: 'string' },
    quantity: number,
    averageEntry: number,
    markPrice: number,
    marketValue: number,
    unrealizedPnl: number,
  },
} as const;
const errorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/**
 * The query API, built from its dependencies (no socket: tests use `inject`). Every route has a
 * JSON schema that validates its input and serialises its output; the OpenAPI document is at
 * /docs/json. Errors are `{error, message}` without stack traces.
 */
export async function buildApi(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({ logger: deps.logger ?? false });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'crypto-ml-ledger',
        description: 'Portfolio, ledger and orders of the paper-trading ledger',
        version: '0.1.0',
      },
    },
  });

  app.setErrorHandler(
    (error: { statusCode?: number; validation?: unknown; message: string }, _request, reply) => {
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      void reply.code(status).send({
        error:
          status === 500 ? 'Internal Server Error' : error.validation !== undefined ? 'Bad Request' : 'Error',
        message: status === 500 ? 'unexpected error; see the server log' : error.message,
      });
    },
  );
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'Not Found', message: `no route ${request.method} ${request.url}` });
  });

  app.get('/portfolio', {
    schema: {
      summary: 'Cash, equity, PnL, fees, exposure and positions marked to the last price',
      response: {
        200: {
          type: 'object',
          required: [
            'cash',
            'equity',
            'realizedPnl',
            'unrealizedPnl',
            'fees',
            'exposure',
            'drawdown',
            'asOf',
            'positions',
          ],
          properties: {
            cash: number,
            equity: number,
            realizedPnl: number,
            unrealizedPnl: number,
            fees: number,
            exposure: number,
            drawdown: number,
            asOf: number,
            positions: { type: 'array', items: position },
          },
        },
      },
    },
    handler: () => portfolioView(deps.portfolio()),
  });

  app.get('/positions', {
    schema: { summary: 'Open positions', response: { 200: { type: 'array', items: position } } },
    handler: () => portfolioView(deps.portfolio()).positions,
  });

  app.get('/equity', {
    schema: {
      summary: 'The equity curve with drawdown, optionally between two times (ms since epoch)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
      },
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: ['time', 'equity', 'cash', 'drawdown'],
            properties: { time: number, equity: number, cash: number, drawdown: number },
          },
        },
      },
    },
    handler: (request) => {
      const { from, to } = request.query as { from?: number; to?: number };
      return deps.store.equityCurve(from, to);
    },
  });

  app.get('/trades', {
    schema: {
      summary: 'Closed trades (round trips) in exit order',
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: [
              'orderId',
              'symbol',
              'quantity',
              'entryTime',
              'entryPrice',
              'exitTime',
              'exitPrice',
              'fees',
              'realizedPnl',
              'reason',
            ],
            properties: {
              orderId: { type: 'string' },
              symbol: { type: 'string' },
              quantity: number,
              entryTime: number,
              entryPrice: number,
              exitTime: number,
              exitPrice: number,
              fees: number,
              realizedPnl: number,
              reason: { type: 'string' },
            },
          },
        },
      },
    },
    handler: () => deps.store.trades(),
  });

  app.get('/orders/:orderId', {
    schema: {
      summary: 'One order with its full event history',
      params: {
        type: 'object',
        required: ['orderId'],
        properties: { orderId: { type: 'string', pattern: '^ORD-\\d{8}-\\d{3,}$' } },
      },
      response: {
        200: {
          type: 'object',
          required: ['orderId', 'status', 'events'],
          properties: {
            orderId: { type: 'string' },
            status: { type: 'string' },
            events: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
        404: errorBody,
      },
    },
    handler: async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      const events = deps.store.orderHistory(orderId);
      if (events.length === 0)
        return reply.code(404).send({ error: 'Not Found', message: `no order ${orderId}` });
      return { orderId, status: events.at(-1)?.status, events };
    },
  });

  app.get('/ledger/balances', {
    schema: {
      summary: 'Balance of every ledger account; they sum to zero',
      response: {
        200: {
          type: 'object',
          required: ['accounts', 'total'],
          properties: { accounts: { type: 'object', additionalProperties: number }, total: number },
        },
      },
    },
    handler: () => {
      const accounts = Object.fromEntries(deps.portfolio().balances);
      return { accounts, total: Object.values(accounts).reduce((sum, v) => sum + v, 0) };
    },
  });

  app.get('/health', {
    schema: {
      summary: 'The process is up',
      response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
    },
    handler: () => ({ status: 'ok' }),
  });

  app.get('/ready', {
    schema: {
      summary: 'The projections have caught up with the log',
      response: {
        200: { type: 'object', properties: { ready: { type: 'boolean' } } },
        503: { type: 'object', properties: { ready: { type: 'boolean' } } },
      },
    },
    handler: async (_request, reply) => {
      const ready = await deps.ready();
      return reply.code(ready ? 200 : 503).send({ ready });
    },
  });

  app.get('/docs/json', { schema: { hide: true }, handler: () => app.swagger() });
  return app;
}
