import { pino, destination, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr, so stdout stays free for command output. */
export const createLogger = (level: LevelWithSilent, name = 'cml'): Logger =>
  pino({ name, level, base: { pid: process.pid } }, destination(2));
