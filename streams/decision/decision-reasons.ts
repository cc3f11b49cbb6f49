/** Why a signal led to no order; one value per signal, for logs and metrics. */
export const SkipReasonValues = [
  /** The signal says HOLD. */
  'HOLD',
  /** Confidence below minConfidence. */
  'LOW_CONFIDENCE',
  /** A BUY whose expected change is below buyThresholdPct. */
  'BELOW_BUY_THRESHOLD',
  /** Medium confidence and no other source agreed within the window. */
  'UNCONFIRMED',
  /** An order of the same side on the symbol is still PENDING. */
  'ORDER_PENDING',
  /** The symbol already has its maximum of open positions. */
  'POSITION_OPEN',
  /** A SELL with no open position of the symbol to close. */
  'NO_POSITION',
  /** A position of the symbol closed less than cooldownMs ago. */
  'COOLDOWN',
  /** Equity is more than maxDrawdownPct below its peak: no new entries. */
  'CIRCUIT_BREAKER',
  /** The cash left (after PENDING BUYs and the fee) buys less than the minimum order. */
  'INSUFFICIENT_CASH',
  /** The size the rules allow is below the minimum order value or the quantity step. */
  'ORDER_TOO_SMALL',
  /** A BUY while an operator's pause of entries (of every symbol, or of this one) is in effect. */
  'PAUSED',
] as const;
export type SkipReason = (typeof SkipReasonValues)[number];

export interface Skip {
  readonly reason: SkipReason;
  /** The numbers behind it, in words. */
  readonly detail: string;
}
