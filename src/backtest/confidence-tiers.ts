import type { OrderEvent } from '../contracts/index.ts';
import type { ClosedTrade } from '../../projections/portfolio/index.ts';
import { bootstrapMean, tierVerdict, type MeanInterval } from '../ml/index.ts';

/** One confidence tier of the decision rules: what the models said in it, how often it was right, what it traded. */
export interface ConfidenceTier {
  readonly label: string;
  /** BUY and SELL signals with a confidence in the tier (HOLD aside). */
  readonly signals: number;
  /** Of them, those whose outcome is known (the bars reach their horizon), and how many were right. */
  readonly judged: number;
  readonly right: number;
  /** Closed trades opened on a signal of the tier. */
  readonly trades: number;
  /** Their mean return on the cost of the position, net of fees, percent (0 with no trade). */
  readonly meanReturnPct: number;
  /** The same mean with its 95% block-bootstrap interval. */
  readonly meanReturn: MeanInterval;
  /** Whether the tier's signals were right as often as it promises (see the ML stage's tiers). */
  readonly verdict: string;
}

/**
 * The spec's tiers (>= high: act; min to high: act with a second agreeing signal; < min: ignore),
 * with the decision settings' thresholds. The backtest's signals come from models trained before
 * the bars they trade, so their hit rates are out of sample.
 */
export function confidenceTiers(input: {
  /** Every BUY or SELL signal: its confidence and whether its class happened (undefined: unknown). */
  readonly signals: ReadonlyArray<{ readonly confidence: number; readonly right: boolean | undefined }>;
  readonly orders: readonly OrderEvent[];
  readonly trades: readonly ClosedTrade[];
  readonly highConfidence: number;
  readonly minConfidence: number;
}): ConfidenceTier[] {
  const { highConfidence: high, minConfidence: min } = input;
  const tierOf = (confidence: number): number => (confidence >= high ? 0 : confidence >= min ? 1 : 2);
  const labels = [`≥ ${high}`, `${min} – ${high}`, `< ${min}`];
  const signals = [0, 0, 0];
  const judged = [0, 0, 0];
  const right = [0, 0, 0];
  for (const s of input.signals) {
    const t = tierOf(s.confidence);
    signals[t] = (signals[t] as number) + 1;
    if (s.right !== undefined) judged[t] = (judged[t] as number) + 1;
    if (s.right === true) right[t] = (right[t] as number) + 1;
  }
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
      judged: judged[k] as number,
      right: right[k] as number,
      trades: tier.length,
      meanReturnPct: tier.length > 0 ? tier.reduce((s, r) => s + r, 0) / tier.length : 0,
      meanReturn: bootstrapMean(tier),
      verdict: tierVerdict(k, judged[k] as number, right[k] as number, { high, min }),
    };
  });
}
