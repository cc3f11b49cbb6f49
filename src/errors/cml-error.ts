import type { ErrorCode } from './codes.ts';

export interface CmlErrorOptions {
  /** The underlying failure, kept for logs. */
  cause?: unknown;
  /** True when trying the same operation again later can succeed (a broker restart, a timeout). */
  canRetry?: boolean;
  /** What the user can do about it, in one sentence. */
  hint?: string;
  /** Structured facts for logs and dead-letter headers (field, value, rule, topic, offset...). */
  details?: Record<string, unknown>;
}

/** Base of every error this system raises on purpose: a stable code, retryability and a hint. */
export class CmlError extends Error {
  readonly code: ErrorCode;
  readonly canRetry: boolean;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: CmlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.canRetry = options.canRetry ?? false;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** The message followed by the hint, as a user should read it. */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message}\n  -> ${this.hint}`;
  }
}

export const isCmlError = (error: unknown): error is CmlError => error instanceof CmlError;
