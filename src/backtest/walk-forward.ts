/** A span of history: a number of bars, or a duration. */
export type Span = { readonly bars: number } | { readonly ms: number };

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `500` (bars), or a duration: `90m`, `12h`, `7d`, `2w`; undefined when it is neither. */
export function parseSpan(value: string): Span | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) > 0 ? { bars: Number(text) } : undefined;
  const match = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 ? { ms } : undefined;
}

export const spanMs = (span: Span, intervalMs: number): number =>
  'bars' in span ? span.bars * intervalMs : span.ms;

/** `2000 bars`, `7 d`, `12 h`, `90 min`. */
export function describeSpan(span: Span): string {
  if ('bars' in span) return `${span.bars} bars`;
  const [unit, ms] =
    span.ms % 86_400_000 === 0
      ? ['d', 86_400_000]
      : span.ms % 3_600_000 === 0
        ? ['h', 3_600_000]
        : ['min', 60_000];
  return `${span.ms / ms} ${unit}`;
}

/**
 * One model generation of a backtest: trained on the bars of [trainFrom, trainTo), trading the
 * bars of [from, to). trainTo <= from: no model sees the bars it trades.
 */
export interface TradeWindow {
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
}

/**
 * The single split: the earliest `share` of the bars (of all symbols, in time order) train the
 * models, the bars from the first later time trade.
 */
export function singleSplit(times: readonly number[], share: number): TradeWindow {
  const first = times[0] as number;
  const split = times[Math.floor(times.length * share)] as number;
  return { trainFrom: first, trainTo: split, from: split, to: (times.at(-1) as number) + 1 };
}

/**
 * Walk-forward windows, as FreqAI plans them: the first trades from `first + trainMs`; each
 * trains on the `trainMs` before its start and trades `everyMs`, the last up to the last bar.
 */
export function walkForwardWindows(
  first: number,
  last: number,
  trainMs: number,
  everyMs: number,
): TradeWindow[] {
  const windows: TradeWindow[] = [];
  for (let from = first + trainMs; from <= last; from += everyMs)
    windows.push({ trainFrom: from - trainMs, trainTo: from, from, to: Math.min(from + everyMs, last + 1) });
  return windows;
}

/** First index in `sorted` (by `timeOf`) at or after `time`. */
function lowerBound<T>(sorted: readonly T[], time: number, timeOf: (item: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeOf(sorted[mid] as T) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The items of [from, to) of a list in time order, found by bisection (windows over millions of bars). */
export const sliceByTime = <T>(
  sorted: readonly T[],
  from: number,
  to: number,
  timeOf: (item: T) => number,
): T[] => sorted.slice(lowerBound(sorted, from, timeOf), lowerBound(sorted, to, timeOf));

/** The index of the window holding `time`, or -1 outside them all. */
export function windowOf(windows: readonly TradeWindow[], time: number): number {
  const k = lowerBound(windows, time + 1, (w) => w.from) - 1;
  return k >= 0 && time < (windows[k] as TradeWindow).to ? k : -1;
}
