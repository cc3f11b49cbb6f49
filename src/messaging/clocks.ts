import type { LogRecord } from '../log/port.ts';

/** The clock a consumer validates freshness against, given the record at hand. */
export type ValidationClock = (record: LogRecord) => number;

/** Live: the wall clock. */
export const wallClock =
  (now: () => number = Date.now): ValidationClock =>
  () =>
    now();

/**
 * Replay and backtest: the stream's own clock, the highest event time seen so far in the record's
 * partition. A record far behind it is late and stale, whatever the wall clock says. Per
 * partition, because partitions are delivered in batches of their own: one read ahead must not
 * make the others look stale.
 */
export function streamClock(): ValidationClock {
  const watermarks = new Map<string, number>();
  return (record) => {
    const key = `${record.topic}\u0000${record.partition}`;
    const watermark = Math.max(watermarks.get(key) ?? Number.NEGATIVE_INFINITY, record.timestamp);
    watermarks.set(key, watermark);
    return watermark;
  };
}
