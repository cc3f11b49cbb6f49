import { badRequest } from './http-error.ts';

/** A time given as ms since epoch (digits only) or an ISO 8601 date-time, in ms; a 400 naming the parameter otherwise. */
export function parseTime(name: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw badRequest(
      `querystring/${name} must be an ISO 8601 time (2024-01-01T00:05:00Z) or ms since epoch (got "${value}")`,
    );
  return time;
}
