import type { OrderEvent } from '../contracts/index.ts';
import type { ClosedTrade } from '../../projections/portfolio/index.ts';

/** One confidence tier of the decision rules: what the models said in it and what it traded. */
export interface ConfidenceTier {
  readonly label: string;
  /** BUY and SELL signals with a confidence in the tier (HOLD aside). */
  readonly signals: number;
  /** Closed trades opened on a signal of the tier. */
  readonly trades: number;
  /** Their mean return on the cost of the position, net of fees, percent (0 with no trade). */
  readonly meanReturnPct: number;
}

/**
 * The spec's tiers (>= high: act; min to high: act with a second agreeing signal; < min: ignore),
 * with the decision settings' thresholds.
 */
export function confidenceTiers(input: {
  /** Confidence of every BUY or SELL signal. */
  readonly signalConfidences: readonly number[];
  readonly orders: readonly OrderEvent[];
  readonly trades: readonly ClosedTrade[];
  readonly highConfidence: number;
  readonly minConfidence: number;
}): ConfidenceTier[] {
  const { highConfidence: high, minConfidence: min } = input;
  const tierOf = (confidence: number): number => (confidence >= high ? 0 : confidence >= min ? 1 : 2);
  const labels = [`≥ ${high}`, `${min} – ${high}`, `< ${min}`];
  const signals = [0, 0, 0];
  for (const confidence of input.signalConfidences)
    signals[tierOf(confidence)] = (signals[tierOf(confidence)] as number) + 1;
  const trigger = new Map<string, number>();
  for (const event of input.orders)
    if (!trigger.has(event.order_id)) trigger.set(event.order_id, event.trigger_signal.confidence);
  const returns: number[][] = [[], [], []];
  for (const trade of input.trades) {
    const confidence = trigger.get(trade.orderId);
    if (confidence === undefined) continue;
    returns[tierOf(confidence)]?.push((trade.realizedPnl / (trade.entryPrice * trade.quantity)) * 100);
  }
  return labels.map((label, k) => {
    const tier = returns[k] as number[];
    return {
      label,
      signals: signals[k] as number,
      trades: tier.length,
      meanReturnPct: tier.length > 0 ? tier.reduce((s, r) => s + r, 0) / tier.length : 0,
    };
  });
}
