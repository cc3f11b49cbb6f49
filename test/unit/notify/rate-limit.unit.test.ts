import { describe, expect, it } from 'vitest';
import {
  bucketWaitMs,
  DEFAULT_RETRY_AFTER_MS,
  outcomeOf,
  rejectsMessage,
  retryAfterMs,
} from '../../../src/notify/index.ts';

const NOW = 1_700_000_000_000;
const headers = (values: Record<string, string> = {}): Headers => new Headers(values);

describe('Discord rate-limit policy', () => {
  it('classifies answers: 2xx posted, 429 rate-limited, 5xx server error, other 4xx rejected', () => {
    expect(outcomeOf(200, headers(), {}, NOW)).toEqual({ kind: 'posted' });
    expect(outcomeOf(204, headers(), undefined, NOW)).toEqual({ kind: 'posted' });
    expect(outcomeOf(429, headers(), { retry_after: 1.5 }, NOW)).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 1_500,
    });
    expect(outcomeOf(502, headers(), undefined, NOW)).toEqual({ kind: 'server-error' });
    expect(outcomeOf(404, headers(), undefined, NOW)).toEqual({ kind: 'rejected' });
  });

  it('a 429 waits the body retry_after (fractional seconds), rounded up to the millisecond', () => {
    expect(retryAfterMs(headers(), { retry_after: 0.3337 }, NOW)).toBe(334);
  });

  it('a 429 waits the Retry-After header, in seconds or as an HTTP date', () => {
    expect(retryAfterMs(headers({ 'Retry-After': '2' }), undefined, NOW)).toBe(2_000);
    const at = new Date(NOW + 3_000).toUTCString();
    expect(retryAfterMs(headers({ 'Retry-After': at }), undefined, NOW)).toBe(3_000);
  });

  it('with both, the longer wait wins', () => {
    expect(retryAfterMs(headers({ 'Retry-After': '1' }), { retry_after: 2.5 }, NOW)).toBe(2_500);
    expect(retryAfterMs(headers({ 'Retry-After': '3' }), { retry_after: 2.5 }, NOW)).toBe(3_000);
  });

  it('with neither (or garbage), a default wait', () => {
    expect(retryAfterMs(headers({ 'Retry-After': 'soon' }), { retry_after: 'x' }, NOW)).toBe(
      DEFAULT_RETRY_AFTER_MS,
    );
  });

  it('an empty bucket holds the next request until its reset; a non-empty one does not', () => {
    expect(bucketWaitMs(headers({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset-After': '1.25' }))).toBe(
      1_250,
    );
    expect(bucketWaitMs(headers({ 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset-After': '1.25' }))).toBe(
      0,
    );
    expect(bucketWaitMs(headers())).toBe(0);
  });

  it('skips only what is the message fault; a dead webhook stops everything', () => {
    expect(rejectsMessage(400)).toBe(true);
    expect(rejectsMessage(413)).toBe(true);
    expect(rejectsMessage(401)).toBe(false);
    expect(rejectsMessage(404)).toBe(false);
  });
});
