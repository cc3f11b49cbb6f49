import type { ValidationContext, Violation } from './violation.ts';

/** Small rule helpers: each pushes a violation when its rule does not hold. */
export class RuleCheck {
  readonly violations: Violation[] = [];

  private fail(field: string, value: unknown, rule: string): void {
    this.violations.push({ field, value, rule });
  }

  finite(field: string, value: number): boolean {
    if (Number.isFinite(value)) return true;
    this.fail(field, value, 'must be a finite number');
    return false;
  }

  positive(field: string, value: number): void {
    if (this.finite(field, value) && value <= 0) this.fail(field, value, 'must be > 0');
  }

  nonNegative(field: string, value: number): void {
    if (this.finite(field, value) && value < 0) this.fail(field, value, 'must be >= 0');
  }

  between(field: string, value: number, min: number, max: number): void {
    if (this.finite(field, value) && (value < min || value > max))
      this.fail(field, value, `must be in [${min}, ${max}]`);
  }

  matches(field: string, value: string, pattern: RegExp, what: string): void {
    if (!pattern.test(value)) this.fail(field, value, `must match ${pattern.source} (${what})`);
  }

  oneOf(field: string, value: string, allowed: readonly string[]): void {
    if (!allowed.includes(value)) this.fail(field, value, `must be one of ${allowed.join(', ')}`);
  }

  /** `rule` may be a function: a message built from values is then only built when the rule fails. */
  that(condition: boolean, field: string, value: unknown, rule: string | (() => string)): void {
    if (!condition) this.fail(field, value, typeof rule === 'string' ? rule : rule());
  }

  /**
   * Event time within `maxAgeMs` before the clock, not more than `maxSkewMs` after it, and not past
   * the context's `latest`.
   */
  fresh(
    field: string,
    timestamp: number,
    context: ValidationContext,
    maxAgeMs: number,
    maxSkewMs: number,
  ): void {
    if (!this.finite(field, timestamp)) return;
    if (context.latest !== undefined && timestamp > context.latest) {
      this.fail(
        field,
        timestamp,
        `is ${Math.round((timestamp - context.latest) / 1000)} s past the latest believable time (${isoOrMs(context.latest)}: a bounded lead over the stream's watermark and the wall clock)`,
      );
      return;
    }
    const age = context.now - timestamp;
    if (age > maxAgeMs) {
      this.fail(
        field,
        timestamp,
        `is ${Math.round(age / 1000)} s old; must be within ${maxAgeMs / 1000} s of the clock (${context.now})`,
      );
    } else if (-age > maxSkewMs) {
      this.fail(
        field,
        timestamp,
        `is ${Math.round(-age / 1000)} s in the future; at most ${maxSkewMs / 1000} s of clock skew allowed`,
      );
    }
  }
}

const isoOrMs = (ms: number): string => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`);

/** Spec: `^[A-Z]{3,6}USDT$`. */
export const SYMBOL_PATTERN = /^[A-Z]{3,6}USDT$/;
/** Clock skew tolerated for event times ahead of the validating clock. */
export const MAX_CLOCK_SKEW_MS = 60_000;
