import { isDeepStrictEqual } from 'node:util';
import type { MarketData, MlSignal } from '../contracts/index.ts';

/** A strategy as the check sees it: the signals it gives for a history, computed from scratch. */
export type SignalsOf = (bars: readonly MarketData[]) => MlSignal[];

export interface LookaheadMismatch {
  /** How many bars the truncated history had. */
  readonly cut: number;
  readonly time: number;
  readonly symbol: string;
  readonly model: string;
  /** The signal from the truncated history, and from the full one (undefined: missing there). */
  readonly truncated: MlSignal | undefined;
  readonly full: MlSignal | undefined;
}

export interface LookaheadReport {
  readonly cuts: readonly number[];
  /** Signals compared across all cuts. */
  readonly compared: number;
  readonly mismatches: readonly LookaheadMismatch[];
}

const keyOf = (s: MlSignal): string => `${s.timestamp}|${s.symbol}|${s.model}|${s.prediction_type}`;

/**
 * Detects a strategy or feature that uses the future: every signal computed from the history cut
 * after bar k must be the very signal computed for the same bar from the full history. A strategy
 * that reads later bars (a centred average, a label leaking into a feature, a normalisation over
 * the whole series) gives different signals once the future is there, and each difference is
 * reported.
 */
export function checkLookahead(
  bars: readonly MarketData[],
  signalsOf: SignalsOf,
  cuts: readonly number[],
): LookaheadReport {
  const full = new Map(signalsOf(bars).map((s) => [keyOf(s), s]));
  const mismatches: LookaheadMismatch[] = [];
  let compared = 0;
  for (const cut of cuts) {
    const until = (bars[cut - 1] as MarketData).timestamp;
    const truncated = new Map(signalsOf(bars.slice(0, cut)).map((s) => [keyOf(s), s]));
    const keys = new Set(truncated.keys());
    for (const [key, signal] of full) if (signal.timestamp <= until) keys.add(key);
    for (const key of keys) {
      compared++;
      const a = truncated.get(key);
      const b = full.get(key);
      if (!isDeepStrictEqual(a, b)) {
        const s = (a ?? b) as MlSignal;
        mismatches.push({ cut, time: s.timestamp, symbol: s.symbol, model: s.model, truncated: a, full: b });
      }
    }
  }
  return { cuts, compared, mismatches };
}

/** Evenly spread cut points through the history, past its first `from` bars. */
export const cutPoints = (length: number, count: number, from = 0): number[] =>
  Array.from({ length: count }, (_, n) => Math.floor(from + ((length - from) * (n + 1)) / (count + 1)));
