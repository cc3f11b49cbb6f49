import type { FastifyInstance } from 'fastify';
import type { SignalPosition } from '../../../projections/signals/signal-store.ts';
import { MODEL_NAMES, SignalValues, type Signal } from '../../contracts/index.ts';
import type { ApiContext } from '../api-context.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { badRequest } from '../http-error.ts';
import { cursorParam, errors, limitParam, mlSignal, string, symbolParam } from '../schemas.ts';
import { parseTime } from '../time-param.ts';

const isPosition = (value: unknown): value is SignalPosition => {
  const p = value as Partial<SignalPosition> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    [p.time, p.partition, p.offset].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
  );
};

interface SignalsQuery {
  symbol?: string;
  model?: string;
  signal?: Signal;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** The signal history. */
export function signalRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: SignalsQuery }>('/signals', {
    schema: {
      summary: 'Signals of crypto.ml_signals in prediction-time order, filtered, a page at a time',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          symbol: symbolParam,
          model: { type: 'string', enum: MODEL_NAMES },
          signal: { type: 'string', enum: SignalValues },
          from: { ...string, description: 'ISO 8601 time or ms since epoch, inclusive' },
          to: { ...string, description: 'ISO 8601 time or ms since epoch, inclusive' },
          limit: limitParam,
          cursor: cursorParam,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['signals', 'nextCursor'],
          properties: {
            signals: { type: 'array', items: mlSignal },
            nextCursor: { type: ['string', 'null'], description: 'null on the last page' },
          },
        },
        ...errors(400),
      },
    },
    handler: (request) => {
      const { symbol, model, signal, limit, cursor } = request.query;
      const from = request.query.from === undefined ? undefined : parseTime('from', request.query.from);
      const to = request.query.to === undefined ? undefined : parseTime('to', request.query.to);
      if (from !== undefined && to !== undefined && from > to)
        throw badRequest(`querystring/from (${from}) must not be after querystring/to (${to})`);
      const after = cursor === undefined ? undefined : decodeCursor('signals', cursor, isPosition);
      const page = ctx.signals.signals({
        limit,
        ...(symbol === undefined ? {} : { symbol }),
        ...(model === undefined ? {} : { model }),
        ...(signal === undefined ? {} : { signal }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        signals: page.rows.map((row) => row.signal),
        nextCursor: page.next === undefined ? null : encodeCursor('signals', page.next),
      };
    },
  });
}
