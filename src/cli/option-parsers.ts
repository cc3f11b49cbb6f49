import { InvalidArgumentError, Option } from 'commander';
import { MAX_TIME_MS, parseIsoInstant, TIME_UNITS } from '../time/index.ts';

/** A plain decimal: `Number()` would also take "", "0x10", "Infinity" and "1e309" (Infinity). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface NumberBounds {
  readonly min: number;
  readonly max: number;
  /** Whether `min` itself is allowed (default true). */
  readonly minInclusive?: boolean;
  readonly integer?: boolean;
}

/** Simulated time against real time: beyond this a 1-minute bar would be due every 6 ms. */
export const MAX_SPEED = 10_000;
export const seedNumber = boundedNumber({ min: 0, max: 2 ** 32 - 1, integer: true });

/** A commander parser of a finite number within bounds; the message says which. */
export function boundedNumber(bounds: NumberBounds): (value: string) => number {
  const what = `${bounds.integer === true ? 'a whole number' : 'a number'} in ${bounds.minInclusive === false ? '(' : '['}${bounds.min}, ${bounds.max}]`;
  return (value) => {
    const n = DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
    const aboveMin = bounds.minInclusive === false ? n > bounds.min : n >= bounds.min;
    if (
      !Number.isFinite(n) ||
      !aboveMin ||
      n > bounds.max ||
      (bounds.integer === true && !Number.isInteger(n))
    )
      throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

/** `--time-unit`: the unit of a file's open times, for files whose magnitude is ambiguous or wrong. */
export const timeUnitOption = (): Option =>
  new Option(
    '--time-unit <unit>',
    "unit of the open times (default: told by each value's magnitude, 2009..2100)",
  ).choices([...TIME_UNITS]);

/** An ISO 8601 date or date-time with a real calendar day, as ms. */
export function isoInstant(value: string): number {
  const ms = parseIsoInstant(value);
  if (ms === undefined || Math.abs(ms) > MAX_TIME_MS)
    throw new InvalidArgumentError(
      'expected an ISO 8601 date or time on the calendar, e.g. 2024-02-29T10:00:00Z',
    );
  return ms;
}
