import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ErrorCodes } from '../errors/index.ts';
import { HttpError } from './http-error.ts';

/**
 * The message of a schema violation, naming the parameter: `querystring/limit must be <= 500`,
 * `querystring has unknown parameter "foo"`, `querystring/status must be one of PENDING, ...`.
 */
export function describeValidation(errors: readonly FastifySchemaValidationError[], dataVar: string): Error {
  const messages = errors.map((error) => {
    const where = `${dataVar}${error.instancePath}`;
    const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
    if (error.keyword === 'additionalProperties')
      return `${where} has unknown parameter "${params.additionalProperty ?? '?'}"`;
    if (error.keyword === 'enum') return `${where} must be one of ${(params.allowedValues ?? []).join(', ')}`;
    return `${where} ${error.message ?? 'is not valid'}`;
  });
  return new Error(messages.join('; '));
}

const reasons: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Every error becomes `{error, code, message}`; a 5xx never shows its message or stack, only the log does. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError)
      return reply.code(error.statusCode).send({
        error: reasons[error.statusCode] ?? 'Error',
        code: error.code,
        message: error.message,
        ...error.body,
      });
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({
        error: 'Internal Server Error',
        code: 'CML_API_INTERNAL',
        message: 'unexpected error; see the server log',
      });
    }
    return reply.code(status).send({
      error: reasons[status] ?? 'Error',
      code: status === 429 ? ErrorCodes.API_RATE_LIMITED : ErrorCodes.API_BAD_REQUEST,
      message: error.message,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'Not Found',
      code: ErrorCodes.API_NOT_FOUND,
      message: `no route ${request.method} ${request.url}`,
    }),
  );
}
