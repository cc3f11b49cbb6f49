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

/**
 * Runs what makes an instance active (claiming its ids, rebuilding, starting its services): a
 * failure there (the broker going away just as the lease came) steps the instance down, so its
 * supervisor starts it again as a standby, instead of crashing it.
 */
export const stepDownOnFailure =
  (stepDown: (reason: string) => void) =>
  async <T>(becomeActive: () => Promise<T>): Promise<T> => {
    try {
      return await becomeActive();
    } catch (error) {
      stepDown(`could not become active: ${(error as Error).message}`);
      throw error;
    }
  };
