import { describe, expect, it } from 'vitest';
import { validateMarketData } from '../../../src/contracts/index.ts';
import type { LogRecord } from '../../../src/log/port.ts';
import { streamClock, STREAM_MAX_LEAD_MS, type ValidationClock } from '../../../src/messaging/index.ts';
import { marketDataAt } from '../../support/messages.ts';

const record = (partition: number, timestamp: number): LogRecord => ({
  topic: 't',
  partition,
  offset: 0,
  key: null,
  value: null,
  timestamp,
  headers: {},
});

const WALL = Date.UTC(2026, 10, 30, 12);
const MINUTE = 60_000;
const YEAR_3000 = Date.UTC(3000, 0, 1);

/** Validates a bar at `timestamp` as a consumer does: the clock moves only when it passes. */
function consume(clock: ValidationClock, partition: number, timestamp: number): boolean {
  const r = record(partition, timestamp);
  const ok = validateMarketData(marketDataAt(timestamp), clock.contextOf(r)).length === 0;
  if (ok) clock.accepted(r);
  return ok;
}

describe('stream clock', () => {
  it('keeps one watermark per partition (regression: a partition read ahead made the others stale)', () => {
    const clock = streamClock({ wall: () => WALL });
    for (const [p, t] of [
      [0, 1_000_000],
      [2, 10],
    ] as const)
      clock.accepted(record(p, t));
    expect(clock.contextOf(record(0, 20)).now).toBe(1_000_000);
    expect(clock.contextOf(record(2, 5)).now).toBe(10);
    expect(clock.contextOf(record(2, 30)).now).toBe(30);
  });

  it('a bar from the year 3000 is refused and does not move the clock: later bars still pass (regression)', () => {
    const clock = streamClock({ wall: () => WALL });
    expect(consume(clock, 0, WALL - 10 * MINUTE)).toBe(true);
    for (let i = 0; i < 3; i++) expect(consume(clock, 0, YEAR_3000 + i * MINUTE)).toBe(false);
    expect(consume(clock, 0, WALL - 5 * MINUTE)).toBe(true);
    expect(consume(clock, 0, WALL)).toBe(true);
    const context = clock.contextOf(record(0, YEAR_3000));
    expect(validateMarketData(marketDataAt(YEAR_3000), context)[0]?.rule).toMatch(
      /past the latest believable time/,
    );
  });

  it('a record refused for another reason does not move the clock either', () => {
    const clock = streamClock({ wall: () => WALL });
    expect(consume(clock, 0, WALL - 60 * MINUTE)).toBe(true);
    const bad = record(0, WALL - 30 * MINUTE);
    const context = clock.contextOf(bad);
    expect(validateMarketData({ ...marketDataAt(bad.timestamp), price: -1 }, context)).not.toEqual([]);
    // Not accepted: the bar 40 minutes before the wall clock is only 20 minutes after the watermark.
    expect(clock.contextOf(record(0, WALL - 59 * MINUTE)).now).toBe(WALL - 59 * MINUTE);
  });

  it('history later than the watermark passes while it is not ahead of the wall clock', () => {
    const clock = streamClock({ wall: () => WALL });
    expect(consume(clock, 0, Date.UTC(2023, 0, 1))).toBe(true);
    expect(consume(clock, 0, Date.UTC(2025, 5, 1))).toBe(true);
    expect(consume(clock, 0, WALL + MINUTE)).toBe(true);
  });

  it('simulated time running ahead of the wall clock passes bar by bar, not by a leap', () => {
    const clock = streamClock({ wall: () => WALL });
    let t = WALL;
    for (let i = 0; i < 1_000; i++, t += 5 * MINUTE) expect(consume(clock, 1, t)).toBe(true);
    expect(t - WALL).toBeGreaterThan(3 * STREAM_MAX_LEAD_MS);
    expect(consume(clock, 1, t + 2 * STREAM_MAX_LEAD_MS)).toBe(false);
    expect(consume(clock, 1, t)).toBe(true);
  });

  it('the first record of a partition may lead the wall clock by the bound, not more', () => {
    const clock = streamClock({ wall: () => WALL });
    expect(consume(clock, 0, WALL + STREAM_MAX_LEAD_MS + MINUTE)).toBe(false);
    expect(consume(clock, 0, WALL + STREAM_MAX_LEAD_MS - MINUTE)).toBe(true);
  });
});
