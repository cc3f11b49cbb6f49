import type { MlSignal } from '../../src/contracts/index.ts';
import type { DecisionState, RecentSignal } from './decision-state.ts';

const sourceOf = (signal: { model: string; prediction_type: string }): string =>
  `${signal.model}/${signal.prediction_type}`;

/**
 * Remembers a signal that counts as a vote (BUY or SELL, confidence at least `minConfidence`) as
 * its source's latest word on the symbol, and forgets the symbol's votes older than the window. A
 * source that changes its mind replaces its earlier vote.
 */
export function rememberSignal(
  state: DecisionState,
  signal: MlSignal,
  minConfidence: number,
  windowMs: number,
): DecisionState {
  const known = state.recentSignals.get(signal.symbol);
  const votes = signal.signal !== 'HOLD' && signal.confidence >= minConfidence;
  if (!votes && known !== undefined && known.size === 0) return state;
  let stale = false;
  if (known !== undefined)
    for (const vote of known.values())
      if (Math.abs(signal.timestamp - vote.timestamp) > windowMs) {
        stale = true;
        break;
      }
  // Most signals neither vote nor let a vote expire: the state stays as it is (no copy per signal).
  if (!votes && !stale && known !== undefined) return state;
  const next = new Map(known ?? []);
  for (const [source, vote] of next)
    if (Math.abs(signal.timestamp - vote.timestamp) > windowMs) next.delete(source);
  if (votes) {
    next.set(sourceOf(signal), {
      model: signal.model,
      predictionType: signal.prediction_type,
      signal: signal.signal,
      confidence: signal.confidence,
      timestamp: signal.timestamp,
    });
  }
  return { ...state, recentSignals: new Map(state.recentSignals).set(signal.symbol, next) };
}

/**
 * The vote of another source (another model, or the same model predicting another quantity)
 * that agrees with the signal within the window, if any. Votes are only ever at least medium
 * confidence: a low-confidence signal is ignored, so it confirms nothing either.
 */
export function agreeingVote(
  state: DecisionState,
  signal: MlSignal,
  windowMs: number,
): RecentSignal | undefined {
  const votes = state.recentSignals.get(signal.symbol);
  if (votes === undefined) return undefined;
  let source: string | undefined;
  for (const vote of votes.values()) {
    if (vote.signal !== signal.signal) continue;
    source ??= sourceOf(signal);
    if (sourceOf({ model: vote.model, prediction_type: vote.predictionType }) === source) continue;
    if (Math.abs(signal.timestamp - vote.timestamp) <= windowMs) return vote;
  }
  return undefined;
}
