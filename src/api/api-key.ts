import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ErrorCodes } from '../errors/index.ts';
import { HttpError } from './http-error.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The key a request carries: `x-api-key`, or `Authorization: Bearer <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/**
 * A pre-handler admitting requests that carry the configured key. Both sides are hashed to
 * SHA-256 first, so the comparison is constant-time whatever their lengths. Without a configured
 * key the routes are closed (503), never open.
 */
export function requireApiKey(key: string | undefined): (request: FastifyRequest) => Promise<void> {
  const expected = key === undefined || key.length === 0 ? undefined : digest(key);
  return (request) => {
    if (expected === undefined)
      return Promise.reject(
        new HttpError(
          503,
          ErrorCodes.API_KEY_NOT_CONFIGURED,
          'mutating routes are disabled: no API key is configured (set api.key or CML_API_KEY)',
        ),
      );
    const presented = presentedKey(request);
    if (presented === undefined)
      return Promise.reject(
        new HttpError(
          401,
          ErrorCodes.API_UNAUTHORIZED,
          'an API key is required: send it in the x-api-key header',
        ),
      );
    if (!timingSafeEqual(digest(presented), expected))
      return Promise.reject(new HttpError(401, ErrorCodes.API_UNAUTHORIZED, 'the API key is not valid'));
    return Promise.resolve();
  };
}
