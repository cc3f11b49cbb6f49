import type { CompressionTypes, Kafka, Offsets, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { chunkMessages } from './chunk-messages.ts';
import { isFencedError } from './fenced-error.ts';
import { producerSettings } from './producer-settings.ts';

/** Consumer offsets to commit inside a transaction. */
export type TransactionOffsets = Offsets & { consumerGroupId: string };

/** What one produce request of a transaction carried, and where the broker put it. */
export interface SentChunk {
  readonly topicMessages: TopicMessages[];
  readonly metadata: RecordMetadata[];
}

/**
 * One transactional kafkajs producer, used one transaction at a time (kafkajs allows no more).
 * A stable transactional id fences a zombie instance of the same processor after a restart:
 * once the broker has refused this producer as fenced, it never sends again (every run fails with
 * CML_PRODUCER_FENCED) and `onFenced` is told once.
 */
export class TransactionalProducer {
  private producer: Producer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private fenced = false;

  constructor(
    private readonly kafka: Kafka,
    readonly transactionalId: string,
    private readonly compression: CompressionTypes,
    private readonly onFenced: (transactionalId: string) => void = () => undefined,
  ) {}

  /**
   * Takes the transactional id: initialising it bumps its epoch, which fences any other producer
   * holding it and aborts the transaction that one left open (so read_committed readers are not
   * held back until the transaction timeout).
   */
  claim(): Promise<void> {
    const result = this.queue.then(async () => {
      const producer = await this.connected();
      // Beginning a transaction initialises the producer id; ending it with nothing sent sends nothing.
      await (await producer.transaction()).abort();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Sends the records (in requests small enough for the broker) and, when given, commits the
   * consumer offsets, all in one transaction.
   */
  run(topicMessages: TopicMessages[], offsets: TransactionOffsets | undefined): Promise<SentChunk[]> {
    const result = this.queue.then(() => this.transact(topicMessages, offsets));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async transact(
    topicMessages: TopicMessages[],
    offsets: TransactionOffsets | undefined,
  ): Promise<SentChunk[]> {
    if (this.fenced) throw this.fencedError();
    const producer = await this.connected();
    const transaction = await producer.transaction();
    try {
      const sent: SentChunk[] = [];
      for (const chunk of chunkMessages(topicMessages)) {
        const metadata = await transaction.sendBatch({
          topicMessages: chunk,
          acks: -1,
          compression: this.compression,
        });
        sent.push({ topicMessages: chunk, metadata });
      }
      if (offsets !== undefined) await transaction.sendOffsets(offsets);
      await transaction.commit();
      return sent;
    } catch (error) {
      if (isFencedError(error)) {
        this.fenced = true;
        this.onFenced(this.transactionalId);
        throw this.fencedError(error);
      }
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  private fencedError(cause?: unknown): CmlError {
    return new CmlError(
      ErrorCodes.PRODUCER_FENCED,
      `Another instance took transactional id ${this.transactionalId}: this one may write no more`,
      {
        cause,
        hint: 'Another instance of this service is active (a standby took over); stop this one.',
        details: { transactionalId: this.transactionalId },
      },
    );
  }

  private async connected(): Promise<Producer> {
    if (this.producer === undefined) {
      this.producer = this.kafka.producer({ ...producerSettings, transactionalId: this.transactionalId });
      await this.producer.connect();
    }
    return this.producer;
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
  }
}
