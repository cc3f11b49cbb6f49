/** Time as users write it: timestamp units of files, ISO 8601 instants with a checked calendar. */
export {
  TIME_UNITS,
  PLAUSIBLE_FROM_MS,
  PLAUSIBLE_TO_MS,
  detectTimeUnit,
  detectExactTimeUnit,
  exactToMillis,
  isPlausibleTime,
  timeUnitOf,
  toMillis,
  type TimeUnit,
} from './time-unit.ts';
export { MAX_TIME_MS, parseIsoInstant } from './instant.ts';
