import { MAX_TIME_MS, parseIsoInstant } from '../time/index.ts';
import { badRequest } from './http-error.ts';

/**
 * A time given as ms since epoch (digits only) or an ISO 8601 date or date-time on the calendar
 * (2023-02-30 is refused, not rolled over), in ms; a 400 naming the parameter otherwise.
 */
export function parseTime(name: string, value: string): number {
  const time = /^\d+$/.test(value) ? Number(value) : parseIsoInstant(value);
  if (time === undefined || !(Math.abs(time) <= MAX_TIME_MS))
    throw badRequest(
      `querystring/${name} must be an ISO 8601 time (2024-01-01T00:05:00Z) or ms since epoch (got "${value.slice(0, 60)}")`,
    );
  return time;
}
