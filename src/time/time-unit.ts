/** Units a timestamp column may be written in. */
export const TIME_UNITS = ['s', 'ms', 'us', 'ns'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const PER_MS: Readonly<Record<TimeUnit, { multiply: bigint; divide: bigint }>> = {
  s: { multiply: 1000n, divide: 1n },
  ms: { multiply: 1n, divide: 1n },
  us: { multiply: 1n, divide: 1000n },
  ns: { multiply: 1n, divide: 1_000_000n },
};

/**
 * Where a market bar's open time can plausibly lie: from the first Bitcoin block (2009-01-03) to
 * 2100. In each unit that range spans less than a factor of 1000, so the ranges of the four units
 * do not overlap and a value's magnitude tells its unit.
 */
export const PLAUSIBLE_FROM_MS = Date.UTC(2009, 0, 3);
export const PLAUSIBLE_TO_MS = Date.UTC(2100, 0, 1);

/** Number() reads up to 15 digits exactly (below 2^53); longer ones go through BigInt. */
const EXACT_DIGITS = 15;

/**
 * Milliseconds of a timestamp written as digits in `unit`, truncated as integer division does
 * (BigInt for more than 15 digits, so nanoseconds keep their precision).
 */
export function toMillis(digits: string, unit: TimeUnit): number {
  if (digits.length <= EXACT_DIGITS) return exactToMillis(Number(digits), unit);
  const { multiply, divide } = PER_MS[unit];
  return Number((BigInt(digits) * multiply) / divide);
}

/** `toMillis` of a whole number below 10^15 (exact as a double), in `unit`. */
export function exactToMillis(n: number, unit: TimeUnit): number {
  switch (unit) {
    case 's':
      return n * 1000;
    case 'ms':
      return n;
    case 'us':
      return (n - (n % 1000)) / 1000;
    case 'ns':
      return (n - (n % 1_000_000)) / 1_000_000;
  }
}

export const isPlausibleTime = (ms: number): boolean => ms >= PLAUSIBLE_FROM_MS && ms < PLAUSIBLE_TO_MS;

/** The unit in which `digits` reads as a plausible time, or undefined when none does. */
export function detectTimeUnit(digits: string): TimeUnit | undefined {
  if (digits.length <= EXACT_DIGITS) return detectExactTimeUnit(Number(digits));
  return TIME_UNITS.find((unit) => isPlausibleTime(toMillis(digits, unit)));
}

/** `detectTimeUnit` of a whole number below 10^15. */
export function detectExactTimeUnit(n: number): TimeUnit | undefined {
  for (const unit of TIME_UNITS) if (isPlausibleTime(exactToMillis(n, unit))) return unit;
  return undefined;
}

/** Parses a unit name given by a user (`s`, `ms`, `us` or `µs`, `ns`). */
export function timeUnitOf(name: string): TimeUnit | undefined {
  const unit = name.trim().toLowerCase().replace('µs', 'us');
  return (TIME_UNITS as readonly string[]).includes(unit) ? (unit as TimeUnit) : undefined;
}
