/**
 * The log port: what processors and projections need from a partitioned, replayable log, and
 * nothing more. Two adapters implement it: Kafka (kafkajs) and the embedded LMDB log. Values are
 * opaque bytes here; the serde above the port turns them into typed messages.
 */

export type Headers = Readonly<Record<string, string>>;

/** A record to append. Its partition comes from the key, as the Java client's default partitioner does. */
export interface AppendRecord {
  readonly key: string;
  readonly value: Buffer;
  /** Event time, ms since epoch. */
  readonly timestamp: number;
  readonly headers?: Headers;
}

/**
 * Header of a record the log could not read (on Kafka: a batch compressed with a codec no client
 * here knows, or whose bytes do not decompress): it has no key and no value, and this header says
 * why. Consumers dead-letter it and move on.
 */
export const UNREADABLE_HEADER = 'cml.unreadable';

export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

export interface AppendedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Records to append to one topic. */
export interface TopicAppend {
  readonly topic: string;
  readonly records: readonly AppendRecord[];
}

/**
 * The records of one partition handed to a consumer at once, in offset order. `records` may be
 * empty when a fetch held only Kafka transaction markers or aborted records.
 */
export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly LogRecord[];
  /** The offset after this batch, skipped records and transaction markers included. */
  readonly next: number;
}

/**
 * What a handler returns: records to append, written atomically with the commit of the batch's
 * offsets (a Kafka transaction with sendOffsets, or one LMDB write transaction), so a
 * consume-transform-append step takes effect exactly once. The commit carries the latest event
 * time the group has processed on the partition too (see `GroupPosition`).
 */
export interface BatchOutcome {
  readonly append?: readonly TopicAppend[];
}

export type BatchHandler = (batch: RecordBatch) => Promise<BatchOutcome | void>;

/** The partitions of one topic a group member is given. */
export interface TopicAssignment {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/**
 * Told the member's whole assignment each time the group hands it one (at the first join and at
 * every rebalance), before the first batch of that assignment. Partitions missing from it are no
 * longer this member's: each batch of them was committed before the group moved them.
 */
export type AssignmentListener = (assignment: readonly TopicAssignment[]) => void;

export interface SubscribeOptions {
  /** Consumer group: committed offsets are kept per group, so a restarted member resumes. */
  readonly group: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts: the beginning, or only new records (live). */
  readonly fromBeginning: boolean;
  readonly handler: BatchHandler;
  /**
   * Where to start each partition instead of the group's committed offset: for a processor that
   * keeps the offsets it covers with its own state (undefined: the group's offset applies).
   */
  readonly startAt?: (topic: string, partition: number) => number | undefined;
  /** Told each new assignment (the embedded log's one member is assigned every partition once). */
  readonly onAssigned?: AssignmentListener;
}

export interface Subscription {
  /** Stops consuming after the batch in flight; committed offsets stay. */
  stop(): Promise<void>;
}

/** Offset of the next record to be written, per partition (so lag = end - committed). */
export type PartitionOffsets = ReadonlyMap<number, number>;

/** Offsets to commit for a group together with an append: the processor's progress. */
export interface GroupCommit {
  readonly group: string;
  readonly topic: string;
  /** Next offset to process, per partition. */
  readonly offsets: PartitionOffsets;
  /** Per partition, the event time of the latest record processed (kept with the offset). */
  readonly lastTimes?: PartitionOffsets;
}

/**
 * How far a group has processed one partition. Event times being non-decreasing within a
 * partition (how every producer here appends), a group whose `lastTime` is at or after T has
 * processed every record of the partition before T.
 */
export interface GroupPosition {
  /** The next offset to process. */
  readonly offset: number;
  /** The event time of the latest record processed, when the group committed one. */
  readonly lastTime?: number;
}

export interface LogPort {
  /**
   * Appends to one or several topics atomically: all records become visible, or none. With
   * `commit`, the group's offsets are committed in the same atomic step (a Kafka transaction with
   * sendOffsets; one LMDB transaction), so a processor that is not a subscriber can record its progress
   * exactly once with its output.
   */
  append(appends: readonly TopicAppend[], commit?: GroupCommit): Promise<AppendedRecord[]>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Reads up to `limit` records of one partition from `offset`, without a group. */
  read(topic: string, partition: number, offset: number, limit: number): Promise<LogRecord[]>;
  partitionCount(topic: string): Promise<number>;
  endOffsets(topic: string): Promise<PartitionOffsets>;
  /** Per partition, the first offset the log still holds (above 0 once retention deleted records). */
  startOffsets(topic: string): Promise<PartitionOffsets>;
  committedOffsets(group: string, topic: string): Promise<PartitionOffsets>;
  /**
   * The group's committed offsets with the event time of the latest record it processed, per
   * partition. This, not a search of the log by time, is how a stage knows that another has passed
   * a time: on Kafka, ListOffsets by time also finds transaction markers, which the broker stamps
   * with its wall clock, so it can answer an offset far before the records at that event time.
   */
  committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, GroupPosition>>;
  /**
   * Calls `listener` after every append or group commit made through this log object; returns
   * what stops it. Only a log whose writers share the process offers it (the embedded log): there
   * a stage waiting for another's progress wakes at its commit instead of at its next poll. On
   * Kafka, where the writers are other processes, stages poll.
   */
  onCommit?(listener: () => void): () => void;
  close(): Promise<void>;
}
