import { CmlError, ErrorCodes } from '../../errors/index.ts';

/** One broken rule: which field, the offending value, and the rule in words. */
export interface Violation {
  readonly field: string;
  readonly value: unknown;
  readonly rule: string;
}

/** The clock a freshness rule is measured against: the wall clock live, the stream's own clock in replay. */
export interface ValidationContext {
  readonly now: number;
  /**
   * The latest event time believable (replay: a bound past the stream's watermark and the wall
   * clock); a later one is refused whatever `now` says. None: only the clock skew bounds it.
   */
  readonly latest?: number;
}

const show = (value: unknown): string => {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  // JSON has no text for a function or a symbol.
  const text =
    (JSON.stringify(value) as string | undefined) ??
    (typeof value === 'function' ? value.toString() : typeof value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export const describeViolation = (v: Violation): string => `${v.field}=${show(v.value)}: ${v.rule}`;

/** A message that breaks the contract; it names every broken rule, not only the first. */
export class ValidationError extends CmlError {
  readonly violations: readonly Violation[];

  constructor(subject: string, violations: readonly Violation[]) {
    super(
      ErrorCodes.VALIDATION_FAILED,
      `Invalid ${subject}: ${violations.map(describeViolation).join('; ')}`,
      {
        hint: 'Fix the producer of this message; the rules are in SPEC.md and avro/*.avsc.',
        details: { violations },
      },
    );
    this.violations = violations;
  }
}
