import type { DataTopic, TopicValues } from '../contracts/index.ts';
import { TOPIC_CONTRACTS, ValidationError } from '../contracts/index.ts';
import { CmlError, ErrorCodes, isCmlError } from '../errors/index.ts';
import {
  type AssignmentListener,
  UNREADABLE_HEADER,
  type BatchOutcome,
  type LogPort,
  type LogRecord,
  type Subscription,
  type TopicAppend,
} from '../log/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { AvroSerde } from '../serde/index.ts';
import type { ValidationClock } from './clocks.ts';
import { deadLetterOf } from './dead-letter.ts';
import { InputStall } from './input-stall.ts';

export interface ValidMessage<K extends DataTopic> {
  readonly record: LogRecord;
  readonly value: TopicValues[K];
}

export interface ValidatedSubscribeOptions<K extends DataTopic> {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly topic: K;
  /** The topic to read when it is not the contract's own (an isolated copy, a test topic); its dead letters go to `<it>.dlq`. */
  readonly readFrom?: string;
  readonly group: string;
  readonly fromBeginning: boolean;
  /** Start offsets that override the group's (see SubscribeOptions.startAt). */
  readonly startAt?: (topic: string, partition: number) => number | undefined;
  /** Told each new assignment of partitions (see SubscribeOptions.onAssigned). */
  readonly onAssigned?: AssignmentListener;
  readonly clock: ValidationClock;
  readonly logger: Logger;
  /**
   * Told after every batch how far the partition has been read (`RecordBatch.next`): dead-lettered
   * records and transaction markers included.
   */
  readonly onDelivered?: (partition: number, next: number) => void;
  /** Receives the valid messages of a batch, in offset order; may return records to append atomically. */
  readonly handler: (messages: readonly ValidMessage<K>[]) => Promise<BatchOutcome | void>;
  /** Every record read refused for this long while records keep coming: the input is stalled (default 60 s). */
  readonly stallAfterMs?: number;
}

/** A subscription that can tell when its input is stalled (see InputStall). */
export interface ValidatedSubscription extends Subscription {
  /** Why every record read lately was dead-lettered, or undefined. */
  stalled(): string | undefined;
}

/**
 * Consumes a data topic, decoding and validating each record. A record that cannot be decoded or
 * breaks the contract goes to the topic's dead-letter topic with the reason, in the same atomic
 * step as the batch's commit, and the consumer carries on: one bad message never stops it.
 */
export async function subscribeValidated<K extends DataTopic>(
  options: ValidatedSubscribeOptions<K>,
): Promise<ValidatedSubscription> {
  const contract = TOPIC_CONTRACTS[options.topic];
  const stall = new InputStall(options.stallAfterMs ?? 60_000);
  const subscription = await options.log.subscribe({
    group: options.group,
    topics: [options.readFrom ?? options.topic],
    fromBeginning: options.fromBeginning,
    startAt: options.startAt,
    onAssigned: options.onAssigned,
    handler: async (batch) => {
      const valid: ValidMessage<K>[] = [];
      const deadLetters: TopicAppend[] = [];
      for (const record of batch.records) {
        try {
          const unreadable = record.headers[UNREADABLE_HEADER];
          if (unreadable !== undefined)
            throw new CmlError(ErrorCodes.RECORD_UNREADABLE, unreadable, {
              hint: 'Its producer used a compression or format this client cannot read: have it produce with gzip, snappy, lz4, zstd or none.',
            });
          const value = await options.serde.decode(options.topic, record.value);
          const violations = contract.validate(value as never, options.clock.contextOf(record));
          if (violations.length > 0)
            throw new ValidationError(`${record.topic} message at offset ${record.offset}`, violations);
          options.clock.accepted(record);
          stall.read(true);
          valid.push({ record, value });
        } catch (error) {
          // The registry away is no fault of the record: fail the batch, which is handed over again.
          if (isCmlError(error) && error.canRetry) throw error;
          // An unreadable record is loud: every record of its batch is lost to this consumer.
          const unreadable = isCmlError(error) && error.code === ErrorCodes.RECORD_UNREADABLE;
          options.logger[unreadable ? 'error' : 'warn'](
            {
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              err: (error as Error).message,
            },
            unreadable ? 'unreadable record dead-lettered' : 'message dead-lettered',
          );
          deadLetters.push(deadLetterOf(record, error, options.group));
          stall.read(false);
        }
      }
      const outcome = valid.length > 0 ? await options.handler(valid) : undefined;
      options.onDelivered?.(batch.partition, batch.next);
      const append = [...deadLetters, ...(outcome?.append ?? [])];
      return append.length > 0 ? { append } : {};
    },
  });
  return { stop: () => subscription.stop(), stalled: () => stall.reason() };
}
