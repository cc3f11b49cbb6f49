import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true, local: true });
const isoDate = z.iso.date();

/**
 * Milliseconds of an ISO 8601 date (`2024-01-31`, UTC midnight) or date-time (`2024-01-31T10:05:00Z`,
 * an offset, or none for UTC), or undefined. The calendar is checked: 2023-02-30 is refused, not
 * rolled over into March as `Date.parse` does.
 */
export function parseIsoInstant(text: string): number | undefined {
  if (isoDate.safeParse(text).success) return Date.parse(`${text}T00:00:00Z`);
  if (!isoDateTime.safeParse(text).success) return undefined;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The latest time a JavaScript Date can hold (ms since epoch). */
export const MAX_TIME_MS = 8.64e15;
