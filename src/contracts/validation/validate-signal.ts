import { type MlSignal, SignalValues } from '../generated/avro-types.ts';
import { MAX_CLOCK_SKEW_MS, RuleCheck, SYMBOL_PATTERN } from './rules.ts';
import type { ValidationContext, Violation } from './violation.ts';

/** Spec: a signal must be within the last 2 minutes of the clock. */
export const SIGNAL_MAX_AGE_MS = 2 * 60_000;

/**
 * Model names a signal may carry: the spec's three, `gradient_boosting` (an optional model kind),
 * `ma_rsi_rule` (the MA crossover / RSI rule the signals processor serves like a model) and `rule`
 * for other non-ML strategies.
 */
export const MODEL_NAMES = [
  'random_forest',
  'svm',
  'logistic_regression',
  'gradient_boosting',
  'ma_rsi_rule',
  'rule',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The spec's rules for crypto.ml_signals, plus finiteness of every number. */
export function validateSignal(signal: MlSignal, context: ValidationContext): Violation[] {
  const check = new RuleCheck();
  check.matches('symbol', signal.symbol, SYMBOL_PATTERN, 'a USDT pair such as BTCUSDT');
  check.fresh('timestamp', signal.timestamp, context, SIGNAL_MAX_AGE_MS, MAX_CLOCK_SKEW_MS);
  check.oneOf('model', signal.model, MODEL_NAMES);
  check.positive('predicted_value', signal.predicted_value);
  check.positive('current_price', signal.current_price);
  check.finite('expected_change_pct', signal.expected_change_pct);
  check.between('confidence', signal.confidence, 0, 1);
  check.oneOf('signal', signal.signal, SignalValues);
  // Own keys only: a decoded record's prototype carries avsc's methods.
  const features = signal.features as unknown as Record<string, number>;
  for (const name of Object.keys(features))
    if (!Number.isFinite(features[name])) check.finite(`features.${name}`, features[name] as number);
  check.that(
    signal.metadata.model_version.length > 0,
    'metadata.model_version',
    signal.metadata.model_version,
    'must not be empty',
  );
  check.finite('metadata.r2_score', signal.metadata.r2_score);
  check.nonNegative('metadata.mae', signal.metadata.mae);
  return check.violations;
}
