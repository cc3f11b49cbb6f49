import { pino, destination, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { MASK, SECRET_KEYS } from '../config/secrets.ts';

export type { Logger };

/**
 * Where a secret can sit in a log line: a config key at the top of the object or one level down
 * (e.g. `{ config }`), and kafkajs's own `sasl.password`.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'sasl.password',
  '*.sasl.password',
];

/** Structured JSON logs on stderr, so stdout stays free for command output. */
export const createLogger = (
  level: LevelWithSilent,
  name = 'cml',
  stream: DestinationStream = destination(2),
): Logger =>
  pino(
    { name, level, base: { pid: process.pid }, redact: { paths: [...REDACTED_PATHS], censor: MASK } },
    stream,
  );
