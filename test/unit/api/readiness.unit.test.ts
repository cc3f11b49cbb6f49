import { describe, expect, it } from 'vitest';
import { isReady } from '../../../src/api/readiness.ts';
import { BatchWatchdog } from '../../../src/api/probes.ts';

describe('readiness and liveness rules', () => {
  const settings = { maxLag: 2, graceMs: 1_000 };

  it('ready within the lag bound, or within the grace after it last was', () => {
    expect(isReady(2, undefined, 0, settings)).toBe(true);
    expect(isReady(3, undefined, 0, settings)).toBe(false);
    expect(isReady(3, 5_000, 6_000, settings)).toBe(true);
    expect(isReady(3, 5_000, 6_001, settings)).toBe(false);
  });

  it('a watchdog reports stuck only while a batch has run longer than its limit', () => {
    let now = 0;
    const watchdog = new BatchWatchdog(100, () => now);
    now = 1_000;
    expect(watchdog.stuck()).toBe(false); // idle is not stuck
    watchdog.begin();
    now += 100;
    expect(watchdog.stuck()).toBe(false);
    now += 1;
    expect(watchdog.stuck()).toBe(true);
    watchdog.end();
    expect(watchdog.stuck()).toBe(false);
  });
});
