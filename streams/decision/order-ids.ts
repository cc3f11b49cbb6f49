/**
 * Order ids `ORD-YYYYMMDD-NNN`: the UTC day of the order's event time and a per-day sequence.
 * The sequence has three digits up to 999 and more after that (ORD-20250101-1000), so a busy day
 * never wraps into a collision; the contract's pattern allows any number of digits from three.
 */

const ID = /^ORD-(\d{8})-(\d{3,})$/;

const DAY_MS = 86_400_000;
/** The day last asked for: consecutive orders mostly fall on the same day. */
let lastDay = { start: Number.NaN, text: '' };

/** The UTC day of an event time, as YYYYMMDD. */
export function utcDayOf(time: number): string {
  const start = Math.floor(time / DAY_MS) * DAY_MS;
  if (start !== lastDay.start)
    lastDay = { start, text: new Date(start).toISOString().slice(0, 10).replaceAll('-', '') };
  return lastDay.text;
}

export const formatOrderId = (day: string, sequence: number): string =>
  `ORD-${day}-${String(sequence).padStart(3, '0')}`;

/** The day and sequence of an id in the house format, or undefined for any other id. */
export function parseOrderId(id: string): { day: string; sequence: number } | undefined {
  const match = ID.exec(id);
  if (match === null) return undefined;
  return { day: match[1] as string, sequence: Number(match[2]) };
}
