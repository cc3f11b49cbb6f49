import type { LogRecord } from '../log/port.ts';

/** The clock a consumer validates freshness against, given the record at hand. */
export type ValidationClock = (record: LogRecord) => number;

/** Live: the wall clock. */
export const wallClock =
  (now: () => number = Date.now): ValidationClock =>
  () =>
    now();

/**
 * Replay and backtest: the stream's own clock, the highest event time seen so far. A record far
 * behind it is late and stale, whatever the wall clock says.
 */
export function streamClock(): ValidationClock {
  let watermark = Number.NEGATIVE_INFINITY;
  return (record) => {
    watermark = Math.max(watermark, record.timestamp);
    return watermark;
  };
}
