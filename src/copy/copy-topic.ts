import { subjectOf } from '../contracts/index.ts';
import type { AppendRecord, LogRecord } from '../log/port.ts';
import type { Runtime } from '../runtime/index.ts';
import { frame, unframe } from '../serde/index.ts';

export interface CopyTopicOptions {
  readonly topic: string;
  /** First offset to copy in every partition (inclusive); 0 by default. */
  readonly fromOffset?: number;
  /** Offset to stop at in every partition (exclusive); the end by default. */
  readonly toOffset?: number;
  readonly chunk?: number;
  readonly onProgress?: (copied: number, total: number) => void;
}

export interface CopyTopicResult {
  readonly copied: number;
  readonly perPartition: ReadonlyMap<number, number>;
  /** Source schema id -> target schema id, for the values that were Avro in the wire format. */
  readonly schemaIds: ReadonlyMap<number, number>;
}

/**
 * Copies a range of a topic from one runtime to another, partition by partition, keeping keys,
 * timestamps, headers and order. Wire-format values get the target registry's id for the same
 * schema (registered under the topic's subject), since ids differ between registries; values that
 * are not in the wire format (dead letters) are copied as they are.
 */
export async function copyTopic(
  source: Runtime,
  target: Runtime,
  options: CopyTopicOptions,
): Promise<CopyTopicResult> {
  const { topic } = options;
  const chunk = options.chunk ?? 5_000;
  const partitions = await source.log.partitionCount(topic);
  const [existing] = await target.topicAdmin.describeTopics([topic]);
  if (existing === undefined) {
    const [spec] = await source.topicAdmin.describeTopics([topic]);
    await target.topicAdmin.createTopics([
      {
        name: topic,
        partitions,
        retentionMs: spec?.retentionMs ?? -1,
        keyField: 'key',
        description: `copied from ${source.kind}`,
      },
    ]);
  }
  const ends = await source.log.endOffsets(topic);
  const ranges = [...ends].map(([partition, end]) => ({
    partition,
    from: options.fromOffset ?? 0,
    to: Math.min(end, options.toOffset ?? end),
  }));
  const total = ranges.reduce((sum, r) => sum + Math.max(0, r.to - r.from), 0);

  const schemaIds = new Map<number, number>();
  const targetIdOf = async (sourceId: number): Promise<number> => {
    let id = schemaIds.get(sourceId);
    if (id === undefined) {
      id = await target.registry.register(subjectOf(topic), await source.registry.schemaById(sourceId));
      schemaIds.set(sourceId, id);
    }
    return id;
  };
  const translate = async (record: LogRecord): Promise<Buffer> => {
    if (record.value === null) return Buffer.alloc(0);
    let framed;
    try {
      framed = unframe(record.value);
      await source.registry.schemaById(framed.schemaId);
    } catch {
      return record.value;
    }
    return frame(await targetIdOf(framed.schemaId), framed.body);
  };

  let copied = 0;
  const perPartition = new Map<number, number>();
  for (const { partition, from, to } of ranges) {
    let offset = from;
    while (offset < to) {
      const records = (await source.log.read(topic, partition, offset, Math.min(chunk, to - offset))).filter(
        (r) => r.offset < to,
      );
      if (records.length === 0) break;
      const batch: AppendRecord[] = [];
      for (const record of records) {
        batch.push({
          key: record.key ?? '',
          value: await translate(record),
          timestamp: record.timestamp,
          headers: record.headers,
        });
      }
      await target.log.append([{ topic, records: batch }]);
      offset = (records.at(-1) as LogRecord).offset + 1;
      copied += records.length;
      perPartition.set(partition, (perPartition.get(partition) ?? 0) + records.length);
      options.onProgress?.(copied, total);
    }
  }
  return { copied, perPartition, schemaIds };
}
