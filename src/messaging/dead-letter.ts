import { deadLetterTopicOf } from '../contracts/index.ts';
import { isCmlError } from '../errors/index.ts';
import type { AppendRecord, LogRecord, TopicAppend } from '../log/port.ts';

/** Header names on dead letters; a reader needs nothing else to find and understand the original. */
export const DeadLetterHeaders = {
  reason: 'dlq.reason',
  errorCode: 'dlq.error_code',
  topic: 'dlq.original_topic',
  partition: 'dlq.original_partition',
  offset: 'dlq.original_offset',
  timestamp: 'dlq.original_timestamp',
  consumer: 'dlq.consumer_group',
} as const;

const MAX_REASON_LENGTH = 2_000;

/** The dead letter of a record: its original key and bytes, untouched, with the reason in headers. */
export function deadLetterOf(record: LogRecord, error: unknown, group: string): TopicAppend {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON_LENGTH);
  const letter: AppendRecord = {
    key: record.key ?? '',
    value: record.value ?? Buffer.alloc(0),
    timestamp: record.timestamp,
    headers: {
      ...record.headers,
      [DeadLetterHeaders.reason]: reason,
      [DeadLetterHeaders.errorCode]: isCmlError(error) ? error.code : 'UNEXPECTED',
      [DeadLetterHeaders.topic]: record.topic,
      [DeadLetterHeaders.partition]: String(record.partition),
      [DeadLetterHeaders.offset]: String(record.offset),
      [DeadLetterHeaders.timestamp]: String(record.timestamp),
      [DeadLetterHeaders.consumer]: group,
    },
  };
  return { topic: deadLetterTopicOf(record.topic), records: [letter] };
}
