/**
 * The spec's confidence tiers judged on out-of-sample signals: a tier is earned when its signals
 * were right at least as often as its lower bound says (≥ 0.8: 80% of the time), on enough of
 * them to tell.
 */
export interface TierBounds {
  readonly high: number;
  readonly min: number;
}

export const SPEC_TIERS: TierBounds = { high: 0.8, min: 0.6 };

/** Fewer signals than this in a tier: too few to call it earned. */
export const MIN_TIER_SIGNALS = 20;

export interface TierScore {
  readonly label: string;
  /** The hit rate the tier promises (its lower bound; 0 for the ignored tier). */
  readonly promise: number;
  readonly signals: number;
  readonly right: number;
  readonly hitRate: number;
  readonly verdict: string;
}

export const tierOf = (confidence: number, bounds: TierBounds = SPEC_TIERS): number =>
  confidence >= bounds.high ? 0 : confidence >= bounds.min ? 1 : 2;

export const tierLabels = (bounds: TierBounds = SPEC_TIERS): string[] => [
  `≥ ${bounds.high}`,
  `${bounds.min} – ${bounds.high}`,
  `< ${bounds.min}`,
];

/** The verdict on a tier from its signals and how many were right. */
export function tierVerdict(
  tier: number,
  signals: number,
  right: number,
  bounds: TierBounds = SPEC_TIERS,
): string {
  if (tier === 2) return 'ignored by the rules';
  if (signals === 0) return 'not earned: no signal fell in it';
  const promise = tier === 0 ? bounds.high : bounds.min;
  const rate = `${right} of ${signals} right (${((right / signals) * 100).toFixed(0)}%)`;
  if (signals < MIN_TIER_SIGNALS) return `not earned: only ${rate}, too few to tell`;
  return right / signals >= promise
    ? `earned: ${rate}`
    : `not earned: ${rate}, below ${(promise * 100).toFixed(0)}%`;
}

/** Actionable (BUY or SELL) signals per tier and how often their class happened. */
export function scoreTiers(
  signals: ReadonlyArray<{ readonly confidence: number; readonly right: boolean }>,
  bounds: TierBounds = SPEC_TIERS,
): TierScore[] {
  const count = [0, 0, 0];
  const right = [0, 0, 0];
  for (const s of signals) {
    const t = tierOf(s.confidence, bounds);
    count[t] = (count[t] as number) + 1;
    if (s.right) right[t] = (right[t] as number) + 1;
  }
  return tierLabels(bounds).map((label, t) => ({
    label,
    promise: t === 0 ? bounds.high : t === 1 ? bounds.min : 0,
    signals: count[t] as number,
    right: right[t] as number,
    hitRate: (count[t] as number) > 0 ? (right[t] as number) / (count[t] as number) : 0,
    verdict: tierVerdict(t, count[t] as number, right[t] as number, bounds),
  }));
}
