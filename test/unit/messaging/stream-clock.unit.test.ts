import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/log/port.ts';
import { streamClock } from '../../../src/messaging/index.ts';

const record = (partition: number, timestamp: number): LogRecord => ({
  topic: 't',
  partition,
  offset: 0,
  key: null,
  value: null,
  timestamp,
  headers: {},
});

describe('stream clock', () => {
  it('keeps one watermark per partition (regression: a partition read ahead made the others stale)', () => {
    const clock = streamClock();
    expect(clock(record(0, 1_000_000))).toBe(1_000_000);
    expect(clock(record(2, 10))).toBe(10);
    expect(clock(record(2, 5))).toBe(10);
    expect(clock(record(0, 20))).toBe(1_000_000);
  });
});
