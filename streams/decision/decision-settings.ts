import type { Config } from '../../src/config/index.ts';
import type { OrderType } from '../../src/contracts/index.ts';

/** The decision engine's rules, all configurable (configuration section `decision`); defaults follow the spec. */
export interface DecisionSettings {
  /** At or above: act on the signal alone (spec: >= 0.8). */
  readonly highConfidence: number;
  /** Below: ignore (spec: < 0.6). From here up to highConfidence: act only when another source agrees. */
  readonly minConfidence: number;
  /** How far apart in event time a medium signal and the one agreeing with it may be. */
  readonly agreementWindowMs: number;
  /** A BUY needs at least this expected change, in percent (the spec's signal mapping, +1.5). */
  readonly buyThresholdPct: number;
  /** Target size of a new position, in percent of equity. */
  readonly positionSizePct: number;
  /** No position may cost more than this percent of equity, whatever the sizing says. */
  readonly maxPositionPct: number;
  /** Scale the target size by volatilityTargetPct / the signal's features.volatility_7d. */
  readonly volatilityScaling: boolean;
  /** The bar-return volatility (percent) at which a position gets exactly positionSizePct. */
  readonly volatilityTargetPct: number;
  /** Stop-loss distance from the entry price, in percent (negative; spec: -2). */
  readonly stopLossPct: number;
  /** Take-profit distance from the entry price, in percent (positive; spec: +5). */
  readonly takeProfitPct: number;
  /** No new entry on a symbol for this long after one of its positions closed. */
  readonly cooldownMs: number;
  /** No new entries while equity is more than this percent below its peak. */
  readonly maxDrawdownPct: number;
  /** Order quantities are rounded down to a multiple of this (the exchange's lot size). */
  readonly quantityStep: number;
  /** Orders worth less than this (USDT) are not sent (the exchange's minimum notional). */
  readonly minOrderValue: number;
  /** Fee reserved with each BUY so cash stays non-negative (the exchange's taker fee). */
  readonly feeRate: number;
  readonly maxPositionsPerSymbol: number;
  readonly orderType: OrderType;
  /** The orders' `strategy` field. */
  readonly strategy: string;
}

export const DEFAULT_DECISION_SETTINGS: DecisionSettings = {
  highConfidence: 0.8,
  minConfidence: 0.6,
  agreementWindowMs: 300_000,
  buyThresholdPct: 1.5,
  positionSizePct: 10,
  maxPositionPct: 25,
  volatilityScaling: false,
  volatilityTargetPct: 0.5,
  stopLossPct: -2,
  takeProfitPct: 5,
  cooldownMs: 900_000,
  maxDrawdownPct: 10,
  quantityStep: 0.000001,
  minOrderValue: 10,
  feeRate: 0.001,
  maxPositionsPerSymbol: 1,
  orderType: 'MARKET',
  strategy: 'ml_signal_strategy',
};

/** The `created_by` of every order the engine issues. */
export const CREATED_BY = 'decision-engine';

/** The settings of the configuration's `decision` section (its consumer group is the runner's). */
export function decisionSettingsOf(config: Config['decision']): DecisionSettings {
  const { group: _group, ...settings } = config;
  return settings;
}
