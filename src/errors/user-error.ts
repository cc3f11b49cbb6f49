import { CmlError } from './cml-error.ts';
import { ErrorCodes } from './codes.ts';

/** What Node's system errors carry (fs: `path`; dns: `hostname`). */
interface SystemError {
  readonly code?: unknown;
  readonly path?: unknown;
  readonly hostname?: unknown;
  readonly cause?: unknown;
}

/** The error and its causes, outermost first (fetch wraps the dns error in `cause`). */
function* causes(error: unknown): Generator<SystemError> {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    yield current;
    current = (current as SystemError).cause;
  }
}

/**
 * A user's mistake hidden in a system error, as a CmlError with a hint: a file that is not there
 * or cannot be read, a host name that does not resolve. Undefined for anything else.
 */
export function userErrorOf(error: unknown): CmlError | undefined {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code === 'ENOENT' && typeof e.path === 'string')
      return new CmlError(ErrorCodes.FILE_NOT_FOUND, `No such file or directory: ${e.path}`, {
        cause: error,
        hint: 'Check the path (relative paths start from the current directory).',
        details: { path: e.path },
      });
    if ((code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') && typeof e.path === 'string')
      return new CmlError(
        ErrorCodes.FILE_UNREADABLE,
        `Cannot read ${e.path}: ${code === 'EISDIR' ? 'it is a directory' : 'permission denied'}`,
        { cause: error, hint: 'Give a readable file.', details: { path: e.path } },
      );
    if ((code === 'ENOTFOUND' || code === 'EAI_AGAIN') && typeof e.hostname === 'string')
      return new CmlError(ErrorCodes.HOST_NOT_FOUND, `Host "${e.hostname}" does not resolve`, {
        cause: error,
        canRetry: code === 'EAI_AGAIN',
        hint: 'Check the host name in the URL or broker list, and that DNS answers from here.',
        details: { hostname: e.hostname },
      });
  }
  return undefined;
}
