import { badRequest } from './http-error.ts';

/**
 * Opaque page cursors: a route's position, base64url-encoded JSON tagged with the route's kind, so
 * callers pass them back unchanged and a cursor of another route, or a made-up one, is refused.
 */
export const encodeCursor = (kind: string, position: unknown): string =>
  Buffer.from(JSON.stringify({ k: kind, p: position })).toString('base64url');

/** The position in a cursor, checked by `isPosition`; a 400 naming the cursor otherwise. */
export function decodeCursor<T>(kind: string, cursor: string, isPosition: (value: unknown) => value is T): T {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { k, p } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as {
    k?: unknown;
    p?: unknown;
  };
  if (k !== kind || !isPosition(p))
    throw badRequest(
      `querystring/cursor is not a cursor of this route (got "${cursor.slice(0, 40)}"): pass the nextCursor of the previous page unchanged`,
    );
  return p;
}
