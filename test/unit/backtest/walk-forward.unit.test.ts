import { describe, expect, it } from 'vitest';
import {
  describeSpan,
  parseSpan,
  singleSplit,
  sliceByTime,
  spanMs,
  walkForwardWindows,
  windowOf,
} from '../../../src/backtest/walk-forward.ts';

const H = 3_600_000;

describe('walk-forward windows', () => {
  it('read spans in bars or durations', () => {
    expect(parseSpan('2000')).toEqual({ bars: 2000 });
    expect(parseSpan('12h')).toEqual({ ms: 12 * H });
    expect(parseSpan('7d')).toEqual({ ms: 7 * 24 * H });
    expect(parseSpan('90m')).toEqual({ ms: 90 * 60_000 });
    expect(parseSpan('2w')).toEqual({ ms: 14 * 24 * H });
    for (const bad of ['0', '-3', '7x', 'd', '', '1.5']) expect(parseSpan(bad)).toBeUndefined();
    expect(spanMs({ bars: 12 }, 300_000)).toBe(H);
  });

  it('train each window on the span just before it and trade up to the next, the last to the end', () => {
    const windows = walkForwardWindows(0, 100 * H - 1, 48 * H, 24 * H);
    expect(windows).toEqual([
      { trainFrom: 0, trainTo: 48 * H, from: 48 * H, to: 72 * H },
      { trainFrom: 24 * H, trainTo: 72 * H, from: 72 * H, to: 96 * H },
      { trainFrom: 48 * H, trainTo: 96 * H, from: 96 * H, to: 100 * H },
    ]);
    for (const w of windows) expect(w.trainTo).toBeLessThanOrEqual(w.from);
    // The windows tile the traded period.
    for (let k = 1; k < windows.length; k++) expect(windows[k]?.from).toBe(windows[k - 1]?.to);
  });

  it('leave nothing to trade when the training span covers the data', () => {
    expect(walkForwardWindows(0, 10 * H, 10 * H + 1, H)).toEqual([]);
  });

  it('split once at a share of the bars of every symbol', () => {
    const times = [0, 0, 1, 1, 2, 2, 3, 3].map((t) => t * H);
    expect(singleSplit(times, 0.5)).toEqual({ trainFrom: 0, trainTo: 2 * H, from: 2 * H, to: 3 * H + 1 });
  });

  it('find the items and the window of a time', () => {
    const times = [0, 1, 1, 2, 3, 5, 8].map((t) => t * H);
    expect(sliceByTime(times, H, 3 * H, (t) => t)).toEqual([H, H, 2 * H]);
    expect(sliceByTime(times, 4 * H, 5 * H, (t) => t)).toEqual([]);
    const windows = walkForwardWindows(0, 100 * H - 1, 48 * H, 24 * H);
    expect([0, 48 * H, 72 * H - 1, 72 * H, 99 * H, 100 * H].map((t) => windowOf(windows, t))).toEqual([
      -1, 0, 0, 1, 2, -1,
    ]);
    expect(
      [{ ms: 14 * 24 * H }, { ms: 12 * H }, { ms: 90 * 60_000 }, { bars: 500 }].map(describeSpan),
    ).toEqual(['14 d', '12 h', '90 min', '500 bars']);
  });
});
