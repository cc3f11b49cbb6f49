import type { CompressionTypes, Kafka, Offsets, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { chunkMessages } from './chunk-messages.ts';
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
 * A stable transactional id fences a zombie instance of the same processor after a restart.
 */
export class TransactionalProducer {
  private producer: Producer | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    readonly transactionalId: string,
    private readonly compression: CompressionTypes,
  ) {}

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
      await transaction.abort().catch(() => undefined);
      throw error;
    }
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
