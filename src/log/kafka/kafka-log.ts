import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type CompressionTypes as CompressionType,
  type Admin,
  type Consumer,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { CompressionTypes } from './kafkajs.ts';
import { estimatedBytes, MAX_REQUEST_BYTES } from './chunk-messages.ts';
import { producerSettings } from './producer-settings.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import type { Logger } from '../../observability/logger.ts';
import { partitionFor } from '../partitioner.ts';
import type {
  AppendedRecord,
  BatchOutcome,
  Headers,
  GroupCommit,
  GroupPosition,
  LogPort,
  LogRecord,
  PartitionOffsets,
  RecordBatch,
  SubscribeOptions,
  Subscription,
  TopicAppend,
} from '../port.ts';
import { decodeLastTime, encodeLastTime } from './position-metadata.ts';
import { TransactionalProducer } from './transactional-producer.ts';

export interface KafkaLogOptions {
  readonly compression: 'gzip' | 'none';
  /**
   * Prefix of transactional ids. `<prefix>.commit.<group>` for appends with a group's offsets (a
   * processor's output with its progress) is the same on every host, so a second instance of a
   * singleton fences the first (see src/standby). `<prefix>.<host>.append` for other appends stays
   * per host: feeders on several hosts never fence each other, and one restarted on its host
   * aborts at once what its predecessor left open. A subscription's batches are committed per
   * input partition (see partitionTransactionalIdPrefix).
   */
  readonly transactionalIdPrefix: string;
  /**
   * Prefix of the transactional ids a subscription commits its batches with, one per input
   * partition (`<prefix>.<group>.<topic>.<partition>`). It is the same in every instance of a
   * service, so the member the group gives a partition fences the one that had it, aborting any
   * transaction that one left open, before its first commit there (default: transactionalIdPrefix).
   */
  readonly partitionTransactionalIdPrefix?: string;
  readonly logger: Logger;
  /** How long a silent group member keeps its partitions (kafkajs default 30 s). */
  readonly sessionTimeoutMs?: number;
}

/**
 * How long the broker may hold a fetch that finds nothing new. kafkajs's 5 s default is also how
 * long stopping a subscription can wait for the fetch in flight, and a service stops several.
 */
const FETCH_MAX_WAIT_MS = 1_000;
/** How soon a member kafkajs gave up is replaced (doubling while the broker stays away). */
const RESTART_MEMBER_MS = 1_000;

/** A topic-partition as one map key (split again at the NUL). */
const partitionKey = (topic: string, partition: number | undefined): string => `${topic}\u0000${partition}`;

const toHeaders = (headers: IHeaders | undefined): Headers => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
};

const toLogRecord = (topic: string, partition: number, message: KafkaMessage): LogRecord => ({
  topic,
  partition,
  offset: Number(message.offset),
  key: message.key === null ? null : message.key.toString('utf8'),
  value: message.value,
  timestamp: Number(message.timestamp),
  headers: toHeaders(message.headers),
});

/**
 * The log port on Kafka through kafkajs. Producers are idempotent with acks=all and one request in
 * flight (ordering, no loss, no duplicates on retry). An append that touches one partition is one
 * record batch, atomic by itself; an append that spans partitions or topics is a transaction.
 * A subscription commits each batch's offsets after its handler, inside the same transaction as
 * the records the handler returns (consume-transform-produce, read_committed).
 */
export class KafkaLog implements LogPort {
  private readonly partitionCounts = new Map<string, number>();
  private readonly consumers = new Set<Consumer>();
  private readonly transactional = new Map<string, TransactionalProducer>();
  private producer: Producer | undefined;
  private readonly fencedListeners: Array<(transactionalId: string) => void> = [];
  /** Per group, topic and partition: the latest event time this member committed. */
  private readonly lastTimes = new Map<string, number>();

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: KafkaLogOptions,
  ) {}

  static async connect(kafka: Kafka, options: KafkaLogOptions): Promise<KafkaLog> {
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (cause) {
      throw new CmlError(
        ErrorCodes.BROKER_UNAVAILABLE,
        `Cannot connect to Kafka: ${(cause as Error).message}`,
        {
          cause,
          canRetry: true,
          hint: 'Start the local stack (npm run stack:up) or point KAFKA_BROKERS at a running broker.',
        },
      );
    }
    return new KafkaLog(kafka, admin, options);
  }

  private get compression(): CompressionType {
    return this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async partitionCount(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const existing = new Set(await this.admin.listTopics());
    if (!existing.has(topic)) {
      throw new CmlError(ErrorCodes.UNKNOWN_TOPIC, `Topic ${topic} does not exist`, {
        hint: 'Create the declared topics with `npm run cli -- topics apply`.',
        details: { topic },
      });
    }
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    this.partitionCounts.set(topic, count);
    return count;
  }

  private async toTopicMessages(appends: readonly TopicAppend[]): Promise<TopicMessages[]> {
    const out: TopicMessages[] = [];
    for (const { topic, records } of appends) {
      if (records.length === 0) continue;
      const count = await this.partitionCount(topic);
      const messages: Message[] = records.map((record) => ({
        key: record.key,
        value: record.value,
        partition: partitionFor(record.key, count),
        timestamp: String(record.timestamp),
        headers: { ...record.headers },
      }));
      out.push({ topic, messages });
    }
    return out;
  }

  async append(appends: readonly TopicAppend[], commit?: GroupCommit): Promise<AppendedRecord[]> {
    const topicMessages = await this.toTopicMessages(appends);
    if (commit !== undefined) return this.appendCommitting(topicMessages, commit);
    if (topicMessages.length === 0) return [];
    const partitions = new Set(
      topicMessages.flatMap((t) => t.messages.map((m) => partitionKey(t.topic, m.partition))),
    );
    try {
      // One partition and one request: a record batch, atomic by itself. Anything more is a transaction.
      if (partitions.size === 1 && estimatedBytes(topicMessages) <= MAX_REQUEST_BYTES) {
        const metadata = await (
          await this.plainProducer()
        ).sendBatch({ topicMessages, acks: -1, compression: this.compression });
        return appendedOffsets(topicMessages, metadata);
      }
      const sent = await this.transactionalProducer(`${hostname()}.append`).run(topicMessages, undefined);
      const appended = sent.flatMap((chunk) => appendedOffsets(chunk.topicMessages, chunk.metadata));
      await this.untilVisible(appended);
      return appended;
    } catch (cause) {
      if (cause instanceof CmlError) throw cause;
      throw new CmlError(
        ErrorCodes.LOG_APPEND_FAILED,
        `Append to ${[...new Set(topicMessages.map((t) => t.topic))].join(', ')} failed: ${(cause as Error).message}`,
        { cause, canRetry: (cause as { retriable?: boolean }).retriable === true },
      );
    }
  }

  /** Records and a group's offsets in one transaction, whose id is the group's (fencing a zombie). */
  private async appendCommitting(
    topicMessages: TopicMessages[],
    commit: GroupCommit,
  ): Promise<AppendedRecord[]> {
    const offsets = {
      consumerGroupId: commit.group,
      topics: [
        {
          topic: commit.topic,
          partitions: [...commit.offsets].map(([partition, offset]) => ({
            partition,
            offset: String(offset),
            metadata: encodeLastTime(commit.lastTimes?.get(partition)),
          })),
        },
      ],
    };
    try {
      const sent = await this.transactionalProducer(`commit.${commit.group}`).run(topicMessages, offsets);
      const appended = sent.flatMap((chunk) => appendedOffsets(chunk.topicMessages, chunk.metadata));
      await this.untilVisible(appended);
      await this.untilCommitted(commit);
      return appended;
    } catch (cause) {
      if (cause instanceof CmlError) throw cause;
      throw new CmlError(
        ErrorCodes.LOG_APPEND_FAILED,
        `Append with the offsets of group ${commit.group} failed: ${(cause as Error).message}`,
        { cause, canRetry: (cause as { retriable?: boolean }).retriable === true },
      );
    }
  }

  /**
   * A committed transaction becomes visible to read_committed readers once the broker has written
   * its markers, a moment after the commit returns. Waiting for that keeps the port's promise on
   * both runtimes: once append resolves, reads and end offsets include what it wrote.
   */
  private async untilVisible(appended: readonly AppendedRecord[]): Promise<void> {
    const needed = new Map<string, Map<number, number>>();
    for (const { topic, partition, offset } of appended) {
      const byPartition = needed.get(topic) ?? new Map<number, number>();
      byPartition.set(partition, Math.max(byPartition.get(partition) ?? 0, offset + 1));
      needed.set(topic, byPartition);
    }
    const deadline = Date.now() + 10_000;
    for (const [topic, byPartition] of needed) {
      for (;;) {
        const ends = await this.endOffsets(topic);
        if ([...byPartition].every(([partition, end]) => (ends.get(partition) ?? 0) >= end)) break;
        if (Date.now() > deadline) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  /**
   * Offsets committed in a transaction are applied by the group coordinator once the transaction's
   * markers are written, a moment after the commit returns; until then a fetch still returns the
   * previous offsets. Waiting keeps the port's promise: once append resolves, committedOffsets
   * includes what it committed (a processor restarted right after would otherwise redo a step).
   */
  private async untilCommitted(commit: GroupCommit): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const committed = await this.committedOffsets(commit.group, commit.topic);
      if ([...commit.offsets].every(([partition, offset]) => (committed.get(partition) ?? -1) >= offset))
        return;
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async plainProducer(): Promise<Producer> {
    if (this.producer === undefined) {
      this.producer = this.kafka.producer(producerSettings);
      await this.producer.connect();
    }
    return this.producer;
  }

  private transactionalProducer(
    name: string,
    prefix = this.options.transactionalIdPrefix,
  ): TransactionalProducer {
    const id = `${prefix}.${name}`;
    let producer = this.transactional.get(id);
    if (producer === undefined) {
      producer = new TransactionalProducer(this.kafka, id, this.compression, (fenced) => {
        for (const listener of this.fencedListeners) listener(fenced);
      });
      this.transactional.set(id, producer);
    }
    return producer;
  }

  /** The producer that commits a group's batches of one input partition (see partitionTransactionalIdPrefix). */
  private partitionProducer(group: string, topic: string, partition: number): TransactionalProducer {
    return this.transactionalProducer(
      `${group}.${topic}.${partition}`,
      this.options.partitionTransactionalIdPrefix ?? this.options.transactionalIdPrefix,
    );
  }

  /**
   * Drops the producer of a partition this member no longer holds, or whose transaction failed
   * (another member may have fenced it): the next commit there starts a new one, which fences in turn.
   */
  private dropPartitionProducer(group: string, topic: string, partition: number): void {
    const producer = this.partitionProducer(group, topic, partition);
    this.transactional.delete(producer.transactionalId);
    void producer.disconnect().catch(() => undefined);
  }

  /**
   * Takes the transactional id a group's progress is committed with (see append with `commit`),
   * fencing whichever other instance held it: from then on that one's commits are refused, and a
   * transaction it left open is aborted at once. A singleton's new active instance claims before
   * it reads, so it folds the log without waiting for the old transaction's timeout.
   */
  claim(group: string): Promise<void> {
    return this.transactionalProducer(`commit.${group}`).claim();
  }

  /** Told the transactional id when the broker refuses one of this log's producers as fenced. */
  onFenced(listener: (transactionalId: string) => void): void {
    this.fencedListeners.push(listener);
  }

  /**
   * A group member. kafkajs restarts a consumer that crashed on an error it deems retriable; on
   * any other (the broker restarting can answer a join or a commit with one), the consumer would
   * stay stopped and the subscription silently read nothing more. Such a consumer is replaced by a
   * new member of the group, which resumes at the committed offsets.
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    let consumer: Consumer | undefined;
    let stopped = false;
    let restart: NodeJS.Timeout | undefined;
    const state = { held: new Set<string>(), markerCommits: Promise.resolve() as Promise<unknown> };
    const begin = async (attempt: number): Promise<void> => {
      if (stopped) return;
      try {
        // A replacement resumes at the group's committed offsets, as kafkajs's own restart does.
        const member = await this.startMember(
          attempt === 0 ? options : { ...options, startAt: undefined },
          state,
          (error) => {
            this.options.logger.warn(
              { group: options.group, err: error.message },
              'consumer stopped on an error kafkajs does not retry; a new member replaces it',
            );
            restart = setTimeout(() => void begin(1), RESTART_MEMBER_MS);
          },
        );
        consumer = member;
        if (stopped) {
          await member.disconnect();
          this.consumers.delete(member);
        }
      } catch (error) {
        if (attempt === 0) throw error;
        this.options.logger.warn(
          { group: options.group, err: (error as Error).message },
          'consumer restart failed; trying again',
        );
        restart = setTimeout(
          () => void begin(attempt + 1),
          Math.min(30_000, RESTART_MEMBER_MS * 2 ** attempt),
        );
      }
    };
    await begin(0);
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(restart);
        if (consumer === undefined) return;
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  /** Starts one member of a subscription's group; `onDead` is told if kafkajs gives it up. */
  private async startMember(
    options: SubscribeOptions,
    state: { held: Set<string>; markerCommits: Promise<unknown> },
    onDead: (error: Error) => void,
  ): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: options.group,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    });
    this.consumers.add(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.consumers.delete(consumer);
      onDead(payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    /** Partitions this member has committed a batch of: from then on, its commits say where it is. */
    const handled = new Set<string>();
    // kafkajs rejoins only between batches, each committed by then, so a revoked partition has no
    // batch half done; fetches of the previous assignment are dropped as stale.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assignment = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({
        topic,
        partitions,
      }));
      // Seeks made at the join win over the committed offsets: the generation's first fetch comes
      // after it. Made at every join until the partition's first batch, so a join that kafkajs
      // retries after a crash (a coordinator still loading) starts there too, not at the group's offset.
      for (const { topic, partitions } of assignment) {
        for (const partition of partitions) {
          if (handled.has(partitionKey(topic, partition))) continue;
          const offset = options.startAt?.(topic, partition);
          if (offset !== undefined) consumer.seek({ topic, partition, offset: String(offset) });
        }
      }
      const now = new Set(
        assignment.flatMap(({ topic, partitions }) => partitions.map((p) => partitionKey(topic, p))),
      );
      for (const position of state.held) {
        if (now.has(position)) continue;
        const [topic, partition] = position.split('\u0000') as [string, string];
        this.dropPartitionProducer(options.group, topic, Number(partition));
      }
      state.held = now;
      options.onAssigned?.(assignment);
    });
    // Fetches that held only transaction markers or aborted records: handed over empty, so the
    // handler sees the position move, and committed. Queued, so a later batch's commit can never
    // be overtaken by an earlier one.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      // Without a record at or after the fetch offset, kafkajs reports the high watermark as the
      // last offset, which can lie past records of a transaction still open (read_committed stops
      // at the last stable offset): moving there would skip them. Only markers actually read count.
      if (payload.firstOffset === null || payload.firstOffset === undefined) return;
      const next = Number(payload.lastOffset) + 1;
      state.markerCommits = state.markerCommits
        .then(async () => {
          const outcome = await options.handler({
            topic: payload.topic,
            partition: payload.partition,
            records: [],
            next,
          });
          await this.commitBatch(
            consumer,
            options.group,
            { topic: payload.topic, partition: payload.partition, records: [], next },
            outcome,
          );
          handled.add(partitionKey(payload.topic, payload.partition));
        })
        .catch((error: unknown) =>
          this.options.logger.warn(
            { err: error, group: options.group },
            'offset commit past transaction markers failed',
          ),
        );
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!payload.isRunning() || payload.isStale()) return;
        await state.markerCommits;
        const records = batch.messages.map((message) => toLogRecord(batch.topic, batch.partition, message));
        // Past the last offset of the fetch, control records (transaction markers) included.
        const next = Number(batch.lastOffset()) + 1;
        const outcome = await options.handler({
          topic: batch.topic,
          partition: batch.partition,
          records,
          next,
        });
        await this.commitBatch(
          consumer,
          options.group,
          { topic: batch.topic, partition: batch.partition, records, next },
          outcome,
        );
        handled.add(partitionKey(batch.topic, batch.partition));
        payload.resolveOffset(batch.lastOffset());
        await payload.heartbeat();
      },
    });
    return consumer;
  }

  /**
   * Commits a handled batch: with its outputs in one transaction, or the offset alone; either way
   * with the latest event time processed on the partition (a fetch of markers alone keeps the
   * last one this member committed).
   */
  private async commitBatch(
    consumer: Consumer,
    group: string,
    { topic, partition, records, next }: RecordBatch,
    outcome: BatchOutcome | void,
  ): Promise<void> {
    const key = `${group}\u0000${topic}\u0000${partition}`;
    let lastTime = this.lastTimes.get(key);
    for (const record of records) lastTime = Math.max(lastTime ?? record.timestamp, record.timestamp);
    const metadata = encodeLastTime(lastTime);
    const outputs = await this.toTopicMessages(outcome?.append ?? []);
    if (outputs.length > 0) {
      const offsets = { topic, partitions: [{ partition, offset: String(next), metadata }] };
      try {
        await this.partitionProducer(group, topic, partition).run(outputs, {
          consumerGroupId: group,
          topics: [offsets],
        });
      } catch (error) {
        this.dropPartitionProducer(group, topic, partition);
        throw error;
      }
    } else {
      await consumer.commitOffsets([{ topic, partition, offset: String(next), metadata }]);
    }
    if (lastTime !== undefined) this.lastTimes.set(key, lastTime);
  }

  async read(topic: string, partition: number, from: number, limit: number): Promise<LogRecord[]> {
    const offsets = (await this.topicOffsets(topic)).find((o) => o.partition === partition);
    const end = Number(offsets?.high ?? 0);
    // Below the log start (retention deleted it) reads from the first record still there.
    const offset = Math.max(from, Number(offsets?.low ?? 0));
    if (limit <= 0 || offset >= end) return [];
    const groupId = `cml-read-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
    const records: LogRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        // Fires for every fetch, also those holding only transaction markers, which occupy offsets too.
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          if (payload.partition !== partition) return;
          if (records.length >= limit || Number(payload.lastOffset) >= end - 1) resolve();
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: ({ batch }) => {
              if (batch.partition !== partition) return Promise.resolve();
              for (const message of batch.messages) {
                if (Number(message.offset) >= offset && records.length < limit)
                  records.push(toLogRecord(topic, partition, message));
              }
              return Promise.resolve();
            },
          })
          .then(() => consumer.seek({ topic, partition, offset: String(offset) }))
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records;
  }

  private offsetQueue: Promise<unknown> = Promise.resolve();

  /**
   * kafkajs's fetchTopicOffsets races with itself: concurrent calls for different topics can
   * refresh the metadata under each other and fail with a TypeError. Calls are serialised here,
   * and that failure is retried.
   */
  private topicOffsets(topic: string): Promise<Array<{ partition: number; high: string; low: string }>> {
    const run = this.offsetQueue.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.admin.fetchTopicOffsets(topic);
        } catch (error) {
          if (!(error instanceof TypeError) || attempt >= 3) throw error;
        }
      }
    });
    this.offsetQueue = run.catch(() => undefined);
    return run;
  }

  async endOffsets(topic: string): Promise<PartitionOffsets> {
    const offsets = await this.topicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  }

  async startOffsets(topic: string): Promise<PartitionOffsets> {
    const offsets = await this.topicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.low)]));
  }

  async committedOffsets(group: string, topic: string): Promise<PartitionOffsets> {
    const positions = await this.committedPositions(group, topic);
    return new Map([...positions].map(([partition, { offset }]) => [partition, offset]));
  }

  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, GroupPosition>> {
    const [result] = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
    const positions = new Map<number, GroupPosition>();
    for (const p of result?.partitions ?? []) {
      const offset = Number(p.offset);
      if (offset < 0) continue;
      const lastTime = decodeLastTime(p.metadata);
      positions.set(p.partition, lastTime === undefined ? { offset } : { offset, lastTime });
    }
    return positions;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    await Promise.all([...this.transactional.values()].map((producer) => producer.disconnect()));
    await this.producer?.disconnect();
    await this.admin.disconnect();
  }
}

/** Offsets of appended records: a partition's batch gets consecutive offsets from its base offset. */
function appendedOffsets(
  topicMessages: readonly TopicMessages[],
  metadata: ReadonlyArray<{ topicName: string; partition: number; baseOffset?: string }>,
): AppendedRecord[] {
  const next = new Map(
    metadata.map((m) => [partitionKey(m.topicName, m.partition), Number(m.baseOffset ?? -1)]),
  );
  return topicMessages.flatMap(({ topic, messages }) =>
    messages.map((message) => {
      const key = partitionKey(topic, message.partition);
      const offset = next.get(key) ?? -1;
      next.set(key, offset + 1);
      return { topic, partition: message.partition as number, offset };
    }),
  );
}
