import type { OperatorControl } from '../generated/avro-types.ts';
import { RuleCheck, SYMBOL_PATTERN } from './rules.ts';
import type { Violation } from './violation.ts';

/** What a control must hold: a known action, a symbol where it needs one, who asked. */
export function validateControl(control: OperatorControl): Violation[] {
  const check = new RuleCheck();
  check.that(control.control_id.length > 0, 'control_id', control.control_id, 'must not be empty');
  check.that(control.action !== 'UNKNOWN', 'action', control.action, 'must be a known action');
  if (control.symbol !== null)
    check.matches('symbol', control.symbol, SYMBOL_PATTERN, 'a USDT pair such as BTCUSDT');
  check.that(
    control.action !== 'FORCE_CLOSE' || control.symbol !== null,
    'symbol',
    control.symbol,
    'a FORCE_CLOSE names the symbol to close',
  );
  check.that(control.requested_by.length > 0, 'requested_by', control.requested_by, 'must not be empty');
  check.finite('requested_at', control.requested_at);
  if (control.applied_from !== null) check.finite('applied_from', control.applied_from);
  return check.violations;
}
