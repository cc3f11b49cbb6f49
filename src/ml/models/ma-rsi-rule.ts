import { DOWN, FLAT, UP } from '../dataset.ts';

/**
 * A moving-average crossover with an RSI filter, served like a model (the `ma_rsi_rule` artifact):
 * - BUY when SMA(7) crosses above SMA(25) on this bar (at or below on the previous bar, above on
 *   this one) and RSI(14) < `buyRsiBelow` (70: not buying into an overbought market);
 * - SELL when SMA(7) crosses below SMA(25) on this bar, or RSI(14) > `sellRsiAbove` (80);
 * - HOLD otherwise.
 * The periods are those of the features every model shares (ma_7, ma_25, rsi_14), so the rule reads
 * `ma_cross_pct` (SMA(7) / SMA(25) - 1) of this bar and of the previous one, and `rsi_14`.
 */
export interface MaRsiRuleParams {
  readonly fastPeriod: 7;
  readonly slowPeriod: 25;
  readonly rsiPeriod: 14;
  readonly buyRsiBelow: number;
  readonly sellRsiAbove: number;
}

export const MA_RSI_RULE: MaRsiRuleParams = {
  fastPeriod: 7,
  slowPeriod: 25,
  rsiPeriod: 14,
  buyRsiBelow: 70,
  sellRsiAbove: 80,
};

export type Crossing = 'above' | 'below' | 'none';

/**
 * Where the fast average went against the slow one between two bars, from their gaps
 * (fast / slow - 1, any unit; positive: fast above). Touching counts as not yet crossed, so a
 * cross is reported once, on the bar the fast average ends strictly on the other side. An
 * unknown previous gap (NaN) is no cross.
 */
export function crossingOf(previousGap: number, gap: number): Crossing {
  if (previousGap <= 0 && gap > 0) return 'above';
  if (previousGap >= 0 && gap < 0) return 'below';
  return 'none';
}

/** The rule's trend class (down, flat, up) for one bar. */
export function maRsiRuleTrend(
  bar: { readonly maCrossPct: number; readonly previousMaCrossPct: number; readonly rsi: number },
  params: MaRsiRuleParams = MA_RSI_RULE,
): number {
  const crossing = crossingOf(bar.previousMaCrossPct, bar.maCrossPct);
  if (crossing === 'above' && bar.rsi < params.buyRsiBelow) return UP;
  if (crossing === 'below' || bar.rsi > params.sellRsiAbove) return DOWN;
  return FLAT;
}
