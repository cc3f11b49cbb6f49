import type { MarketData } from '../generated/avro-types.ts';
import { MAX_CLOCK_SKEW_MS, RuleCheck, SYMBOL_PATTERN } from './rules.ts';
import type { ValidationContext, Violation } from './violation.ts';

/** Spec: market data must be within the last 5 minutes of the clock. */
export const MARKET_DATA_MAX_AGE_MS = 5 * 60_000;

/** The spec's rules for crypto.market_data, plus finiteness and OHLC consistency. */
export function validateMarketData(bar: MarketData, context: ValidationContext): Violation[] {
  const check = new RuleCheck();
  check.matches('symbol', bar.symbol, SYMBOL_PATTERN, 'a USDT pair such as BTCUSDT');
  check.fresh('timestamp', bar.timestamp, context, MARKET_DATA_MAX_AGE_MS, MAX_CLOCK_SKEW_MS);
  for (const field of ['price', 'open', 'high', 'low'] as const) check.positive(field, bar[field]);
  check.nonNegative('volume', bar.volume);
  check.finite('price_change_pct', bar.price_change_pct);
  check.that(!(bar.high < bar.low), 'high', bar.high, () => `must be >= low (${bar.low})`);
  for (const field of ['open', 'price'] as const) {
    const value = bar[field];
    check.that(
      !(value > bar.high || value < bar.low),
      field,
      value,
      () => `must lie within [low, high] = [${bar.low}, ${bar.high}]`,
    );
  }
  return check.violations;
}
