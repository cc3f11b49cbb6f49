import { DOWN, FLAT, UP } from './dataset.ts';

/** The exit levels of a long trade, in percent of the entry (the decision settings' stop and take-profit). */
export interface Barriers {
  /** Negative, e.g. -2. */
  readonly stopLossPct: number;
  /** Positive, e.g. 5. */
  readonly takeProfitPct: number;
}

/** How a long trade opened at a bar's close would have ended within the horizon. */
export interface BarrierOutcome {
  /** up: take-profit first; down: stop-loss first; flat: neither within the horizon. */
  readonly trend: number;
  /** The trade's return, percent, before fees: the barrier's level, or the change at the horizon's close. */
  readonly returnPct: number;
  /** Bars after the entry at which it ended (the horizon when no barrier was touched). */
  readonly bars: number;
}

/** What the barrier scan reads of a bar. */
export interface BarrierBar {
  readonly high: number;
  readonly low: number;
  readonly price: number;
}

/**
 * The triple-barrier label (López de Prado, 2018) aligned with the virtual exchange's exits: a long
 * entered at `entry` (the signal bar's close) is followed through the next `horizonBars` bars
 * (`future[0]` is the bar after the entry); the first bar whose low reaches the stop or whose high
 * reaches the take-profit ends it, and a bar that touches both counts as the stop, as the exchange
 * assumes. Only those bars are read: nothing beyond the horizon.
 */
export function barrierOutcome(
  entry: number,
  future: readonly BarrierBar[],
  horizonBars: number,
  barriers: Barriers,
): BarrierOutcome {
  const stop = entry * (1 + barriers.stopLossPct / 100);
  const target = entry * (1 + barriers.takeProfitPct / 100);
  const n = Math.min(horizonBars, future.length);
  for (let j = 0; j < n; j++) {
    const bar = future[j] as BarrierBar;
    if (bar.low <= stop) return { trend: DOWN, returnPct: barriers.stopLossPct, bars: j + 1 };
    if (bar.high >= target) return { trend: UP, returnPct: barriers.takeProfitPct, bars: j + 1 };
  }
  const last = future[n - 1];
  return { trend: FLAT, returnPct: last === undefined ? 0 : (last.price / entry - 1) * 100, bars: n };
}
