import type { Logger } from '../observability/logger.ts';
import { EXIT_STEPPED_DOWN } from './become-active.ts';

/**
 * Ends an instance that may write no more, at once: no stop, no flush, no commit (whatever it
 * would write belongs to the instance that replaced it). The line goes to stderr synchronously.
 */
export const stepDownNow =
  (logger: Logger, exit: (code: number) => never = (code) => process.exit(code)) =>
  (reason: string): never => {
    logger.error({ reason }, 'stepping down');
    process.stderr.write(
      `stepping down: ${reason}; this instance writes nothing more (exit ${EXIT_STEPPED_DOWN})\n`,
    );
    return exit(EXIT_STEPPED_DOWN);
  };
