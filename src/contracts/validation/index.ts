export { ValidationError, describeViolation, type ValidationContext, type Violation } from './violation.ts';
export { SYMBOL_PATTERN, MAX_CLOCK_SKEW_MS } from './rules.ts';
export { validateMarketData, MARKET_DATA_MAX_AGE_MS } from './validate-market-data.ts';
export { validateSignal, SIGNAL_MAX_AGE_MS, MODEL_NAMES, type ModelName } from './validate-signal.ts';
export { validateOrder, ORDER_ID_PATTERN, totalValueTolerance } from './validate-order.ts';
export { validateControl } from './validate-control.ts';
