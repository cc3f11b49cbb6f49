import { isCmlError, userErrorOf } from '../errors/index.ts';

const STACK_LEVELS = new Set(['debug', 'trace']);

/**
 * What the CLI prints when a command fails: the code, the message and the hint of a CmlError (a
 * user's mistake in a system error becomes one); an unexpected error's message. Stacks only at
 * --log-level debug or trace.
 */
export function describeFailure(error: unknown, logLevel: string | undefined): string {
  const withStack = STACK_LEVELS.has(logLevel ?? '');
  const known = isCmlError(error) ? error : userErrorOf(error);
  const stack = (e: unknown): string =>
    withStack && e instanceof Error && e.stack !== undefined ? `\n${e.stack}` : '';
  if (known !== undefined) return `error [${known.code}]: ${known.describe()}${stack(known.cause ?? known)}`;
  const message = error instanceof Error ? error.message : String(error);
  return withStack
    ? `unexpected error: ${message}${stack(error)}`
    : `unexpected error: ${message}\n  -> Run again with --log-level debug for the stack, and report it.`;
}
