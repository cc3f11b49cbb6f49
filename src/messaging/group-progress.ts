import type { LogPort } from '../log/port.ts';

/**
 * Whether a consumer group has processed every record of `topic` before `time`: on every
 * partition its committed offset reaches the first offset at or after that time. Processors that
 * commit their output with their offsets (transactions) make this a statement about their output
 * too: everything they derive from records before `time` is in the log.
 */
export async function groupPassed(
  log: LogPort,
  group: string,
  topic: string,
  time: number,
): Promise<boolean> {
  const first = await log.offsetsForTime(topic, time);
  const committed = await log.committedOffsets(group, topic);
  for (const [partition, needed] of first) {
    if ((committed.get(partition) ?? 0) < needed) return false;
  }
  return true;
}
