import type { LogPort } from '../src/log/port.ts';

/** Key of a partition's next offset to fold in a projection's stored offsets. */
export const positionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * Records a projection has still to fold: per partition, the end offset minus the highest of the
 * stored offset, the group's commit and the log's first offset. The commit counts because on
 * Kafka it moves past transaction markers, which occupy offsets but fold nothing; the first offset
 * because records retention deleted can never be folded (a partition retention emptied would
 * otherwise lag forever, and a rebuild wait for it forever).
 */
export async function projectionLag(
  log: LogPort,
  sources: ReadonlyArray<{ readonly topic: string; readonly group: string }>,
  folded: ReadonlyMap<string, number>,
): Promise<number> {
  let lag = 0;
  for (const { topic, group } of sources) {
    const committed = await log.committedOffsets(group, topic);
    const starts = await log.startOffsets(topic);
    for (const [partition, end] of await log.endOffsets(topic)) {
      const done = Math.max(
        folded.get(positionKey(topic, partition)) ?? 0,
        committed.get(partition) ?? 0,
        starts.get(partition) ?? 0,
      );
      lag += Math.max(0, end - done);
    }
  }
  return lag;
}
