import type { EmbeddedStore, StoredRecord, StoredTopic } from './embedded-store.ts';

/** One partition of the embedded log as `verify` found it. */
export interface PartitionSummary {
  readonly topic: string;
  readonly partition: number;
  /** First retained offset and end offset, as the log's metadata says. */
  readonly start: number;
  readonly end: number;
  readonly records: number;
}

export interface LogVerification {
  readonly partitions: readonly PartitionSummary[];
  readonly problems: readonly string[];
}

export interface VerifyLogOptions {
  /** Decodes a record's value (Avro with its writer schema), throwing when it cannot. */
  readonly decode: (topic: string, value: Buffer) => Promise<void>;
  readonly onProgress?: (records: number) => void;
}

const isDeadLetterTopic = (topic: string): boolean => topic.endsWith('.dlq');

/** Why a stored record is not one the log could have written, or undefined. */
function malformed(record: StoredRecord): string | undefined {
  if (typeof record.k !== 'string') return 'its key is not a string';
  if (!(record.v instanceof Uint8Array)) return 'its value is not bytes';
  if (!Number.isFinite(record.t)) return 'its timestamp is not a number';
  if (typeof record.h !== 'object' || record.h === null) return 'its headers are not a map';
  return undefined;
}

/**
 * Checks what the embedded log holds against what it says it holds: per partition, offsets dense
 * from the first retained one to the end offset (no hole, nothing outside), each record readable
 * and, outside dead-letter topics (which keep refused bytes on purpose), decodable with its writer
 * schema; committed group offsets within the partition. Reads only.
 */
export async function verifyEmbeddedLog(
  store: EmbeddedStore,
  options: VerifyLogOptions,
): Promise<LogVerification> {
  const problems: string[] = [];
  const partitions: PartitionSummary[] = [];
  const endOf = (topic: string, p: number): number =>
    (store.meta.get(['end', topic, p]) as number | undefined) ?? 0;
  let seen = 0;
  for (const { key, value } of store.meta.getRange({ start: ['topic'], end: ['topic\u0000'] })) {
    const topic = key[1] as string;
    const { partitions: count } = value as StoredTopic;
    for (let partition = 0; partition < count; partition++) {
      const start = (store.meta.get(['start', topic, partition]) as number | undefined) ?? 0;
      const end = endOf(topic, partition);
      const where = `${topic}[${partition}]`;
      if (start > end) problems.push(`${where}: its first offset ${start} is past its end ${end}`);
      let expected = start;
      let records = 0;
      let undecodable = 0;
      try {
        for (const entry of store.records.getRange({
          start: [topic, partition, 0],
          end: [topic, partition, Number.MAX_SAFE_INTEGER],
        })) {
          const offset = entry.key[2];
          if (offset < start || offset >= end) {
            problems.push(`${where}: a record at offset ${offset}, outside its offsets ${start}..${end - 1}`);
          } else if (offset !== expected) {
            problems.push(`${where}: offsets ${expected}..${offset - 1} are missing`);
          }
          expected = Math.max(expected, offset + 1);
          records++;
          const bad = malformed(entry.value);
          if (bad !== undefined) problems.push(`${where}@${offset}: ${bad}`);
          else if (!isDeadLetterTopic(topic)) {
            try {
              await options.decode(topic, Buffer.from(entry.value.v));
            } catch (error) {
              if (undecodable++ === 0)
                problems.push(`${where}@${offset}: not decodable: ${(error as Error).message}`);
            }
          }
          if (++seen % 10_000 === 0) options.onProgress?.(seen);
        }
      } catch (error) {
        problems.push(`${where}: unreadable after offset ${expected - 1}: ${(error as Error).message}`);
      }
      if (undecodable > 1) problems.push(`${where}: ${undecodable} records in all are not decodable`);
      if (expected < end) problems.push(`${where}: offsets ${expected}..${end - 1} are missing`);
      partitions.push({ topic, partition, start, end, records });
    }
  }
  for (const { key, value } of store.meta.getRange({ start: ['group'], end: ['group\u0000'] })) {
    const [, group, topic, partition] = key as [string, string, string, number];
    if (typeof value === 'number' && value > endOf(topic, partition))
      problems.push(
        `group ${group} has committed offset ${value} on ${topic}[${partition}], past its end ${endOf(topic, partition)}`,
      );
  }
  options.onProgress?.(seen);
  return { partitions, problems };
}
