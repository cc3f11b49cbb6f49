import type { ValidationContext } from '../contracts/index.ts';
import type { LogRecord } from '../log/port.ts';

/**
 * The clock a consumer validates records against. It is asked for the context of each record
 * before validation, and told of the records that passed: a clock that keeps state (the stream's)
 * moves on accepted records alone, so a record that is refused never moves it.
 */
export interface ValidationClock {
  /** The time `record` is validated against, and the latest event time it may carry. */
  contextOf(record: LogRecord): ValidationContext;
  /** `record` passed validation. */
  accepted(record: LogRecord): void;
}

/** Live: the wall clock. Freshness rules refuse event times more than the allowed skew ahead of it. */
export const wallClock = (now: () => number = Date.now): ValidationClock => ({
  contextOf: () => ({ now: now() }),
  accepted: () => undefined,
});

/**
 * How far past both its partition's watermark and the wall clock a record's event time may be in
 * replay. Bars of any interval up to a day (and simulated time running ahead of the wall clock bar
 * by bar) stay within it; a bar from the year 3000 does not.
 */
export const STREAM_MAX_LEAD_MS = 24 * 3_600_000;

/**
 * Replay and backtest: the stream's own clock, the highest event time accepted so far in the
 * record's partition. A record far behind it is late and stale, whatever the wall clock says. Per
 * partition, because partitions are delivered in batches of their own: one read ahead must not
 * make the others look stale.
 *
 * A record more than `maxLeadMs` ahead of both its partition's watermark and the wall clock is
 * not believed (a clock bug, a garbled value that still parses): freshness rules refuse it, and
 * since the watermark moves only on accepted records, it cannot make every later record stale.
 * History imported later than the watermark is never ahead of the wall clock, so it passes.
 */
export function streamClock(
  options: { readonly maxLeadMs?: number; readonly wall?: () => number } = {},
): ValidationClock {
  const maxLeadMs = options.maxLeadMs ?? STREAM_MAX_LEAD_MS;
  const wall = options.wall ?? Date.now;
  /** Per topic, the watermark of each partition (by index). */
  const watermarks = new Map<string, number[]>();
  const watermarkOf = (record: LogRecord): number | undefined =>
    watermarks.get(record.topic)?.[record.partition];
  return {
    contextOf(record) {
      const watermark = watermarkOf(record);
      const now = wall();
      return {
        now: Math.max(watermark ?? Number.NEGATIVE_INFINITY, record.timestamp),
        latest: Math.max(watermark ?? now, now) + maxLeadMs,
      };
    },
    accepted(record) {
      let partitions = watermarks.get(record.topic);
      if (partitions === undefined) {
        partitions = [];
        watermarks.set(record.topic, partitions);
      }
      partitions[record.partition] = Math.max(
        partitions[record.partition] ?? Number.NEGATIVE_INFINITY,
        record.timestamp,
      );
    },
  };
}

/** A fixed context per record, for producers and tests: `now` from the record, nothing kept. */
export const recordClock = (nowOf: (record: LogRecord) => number): ValidationClock => ({
  contextOf: (record) => ({ now: nowOf(record) }),
  accepted: () => undefined,
});
