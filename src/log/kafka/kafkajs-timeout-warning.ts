/**
 * kafkajs (no longer maintained) schedules its request queue's next check after
 * `throttledUntil - Date.now()` ms, a negative number whenever nothing throttles the client.
 * Node has always run such a timer after 1 ms, which is what kafkajs means; since Node 23 it also
 * prints a TimeoutNegativeWarning to stderr, so every command on Kafka ended with three lines of
 * noise about a library's internals. This drops that warning when kafkajs's request queue set the
 * timer, and lets every other warning through, ours included.
 */
let installed = false;

const FROM_REQUEST_QUEUE = /kafkajs[\\/]src[\\/]network[\\/]requestQueue/;

export function quietKafkajsNegativeTimeouts(): void {
  if (installed) return;
  installed = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const quieted = (warning: string | Error, ...rest: unknown[]): void => {
    const first = rest[0];
    const name =
      typeof warning !== 'string'
        ? warning.name
        : typeof first === 'string'
          ? first
          : (first as { type?: string } | undefined)?.type;
    if (name === 'TimeoutNegativeWarning' && FROM_REQUEST_QUEUE.test(new Error().stack ?? '')) return;
    emitWarning(warning, ...rest);
  };
  process.emitWarning = quieted;
}
