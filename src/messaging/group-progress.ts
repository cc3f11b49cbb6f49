import type { LogPort } from '../log/port.ts';

/**
 * Whether a consumer group has processed every record of `topic` before `time`: on every
 * partition it has processed a record at or after `time` (event times do not decrease within a
 * partition), or everything the partition holds. Processors that commit their output with their
 * offsets (transactions) make this a statement about their output too: everything they derive
 * from records before `time` is in the log.
 */
export async function groupPassed(
  log: LogPort,
  group: string,
  topic: string,
  time: number,
): Promise<boolean> {
  const ends = await log.endOffsets(topic);
  const positions = await log.committedPositions(group, topic);
  for (const [partition, end] of ends) {
    const position = positions.get(partition);
    if ((position?.lastTime ?? Number.NEGATIVE_INFINITY) >= time) continue;
    if ((position?.offset ?? 0) < end) return false;
  }
  return true;
}
