/**
 * Discord's rate-limit rules as pure functions
 * (https://discord.com/developers/docs/topics/rate-limits). Every response may carry the
 * bucket's state (`X-RateLimit-Remaining`, `X-RateLimit-Reset-After` in seconds); a 429 says how
 * long to wait in its JSON body (`retry_after`, seconds, fractional) and in `Retry-After`.
 */

export interface HeaderLookup {
  get(name: string): string | null;
}

/** What one webhook response means for the message that was sent. */
export type WebhookOutcome =
  | { readonly kind: 'posted' }
  /** Not posted; send the same message again after `retryAfterMs` (costs no retry). */
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number }
  /** 5xx: Discord's side; send again with backoff. */
  | { readonly kind: 'server-error' }
  /** Any other 4xx: sending the same request again cannot succeed. */
  | { readonly kind: 'rejected' };

/** Used when a 429 names no wait at all (never seen from Discord, but a proxy may answer so). */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

export function outcomeOf(status: number, headers: HeaderLookup, body: unknown, now: number): WebhookOutcome {
  if (status >= 200 && status < 300) return { kind: 'posted' };
  if (status === 429) return { kind: 'rate-limited', retryAfterMs: retryAfterMs(headers, body, now) };
  if (status >= 500) return { kind: 'server-error' };
  return { kind: 'rejected' };
}

/**
 * How long a 429 asks to wait: the longer of the body's `retry_after` and the `Retry-After`
 * header (seconds, or an HTTP date), so whichever the server or a proxy in between set is
 * honoured; DEFAULT_RETRY_AFTER_MS when neither is there.
 */
export function retryAfterMs(headers: HeaderLookup, body: unknown, now: number): number {
  const waits: number[] = [];
  const fromBody = (body as { retry_after?: unknown } | null | undefined)?.retry_after;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody) && fromBody >= 0)
    waits.push(fromBody * 1_000);
  const header = headers.get('retry-after');
  if (header !== null) {
    const seconds = Number(header);
    if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) waits.push(seconds * 1_000);
    else if (Number.isFinite(Date.parse(header))) waits.push(Math.max(0, Date.parse(header) - now));
  }
  return waits.length === 0 ? DEFAULT_RETRY_AFTER_MS : Math.ceil(Math.max(...waits));
}

/**
 * How long to hold the next request after any response: until the bucket resets when it has no
 * request left, otherwise not at all.
 */
export function bucketWaitMs(headers: HeaderLookup): number {
  const remaining = headers.get('x-ratelimit-remaining');
  if (remaining === null || Number(remaining) > 0) return 0;
  const resetAfter = Number(headers.get('x-ratelimit-reset-after'));
  return Number.isFinite(resetAfter) && resetAfter > 0 ? Math.ceil(resetAfter * 1_000) : 0;
}

/**
 * Whether a rejection is the message's fault (400 malformed, 413 too large): the notifier skips
 * that one message. Any other rejection (401, 403, 404: the webhook was deleted or its token is
 * wrong) concerns every message, and the notifier stops.
 */
export const rejectsMessage = (status: number): boolean => status === 400 || status === 413;
