import type { LogRecord, PartitionOffsets } from '../log/port.ts';

export interface MergeItem<V> {
  readonly record: LogRecord;
  readonly value: V;
}

/** What the merge asks the log, to know that a partition with nothing queued hides nothing earlier. */
export type OffsetsForTime = (time: number) => Promise<PartitionOffsets>;

const before = (a: LogRecord, b: LogRecord): boolean =>
  a.timestamp !== b.timestamp
    ? a.timestamp < b.timestamp
    : a.partition !== b.partition
      ? a.partition < b.partition
      : a.offset < b.offset;

/**
 * Merges the partitions of one topic into a single event-time order: (timestamp, partition,
 * offset). A queued record is released only when no partition can still deliver an earlier one,
 * which for a partition with nothing queued is asked of the log (the first offset at the record's
 * time has been read). So the order is the same however the partitions' batches interleave.
 */
export class EventTimeMerge<V> {
  private readonly queues = new Map<number, MergeItem<V>[]>();
  /** Next offset to receive, per partition. */
  private readonly received = new Map<number, number>();
  /** Per partition: nothing unread is earlier than this time (learnt from the log). */
  private readonly clearBefore = new Map<number, number>();

  /**
   * @param start the next offset to be delivered per partition (where the subscription starts).
   * @param ready whether the topic's producers have written everything before a time: a record
   * is held until it holds (a partition with nothing in it yet may only be late).
   */
  constructor(
    private readonly partitions: number,
    private readonly offsetsForTime: OffsetsForTime,
    start: PartitionOffsets = new Map(),
    private readonly ready?: (time: number) => Promise<boolean>,
  ) {
    for (let p = 0; p < partitions; p++) this.queues.set(p, []);
    for (const [partition, offset] of start) this.received.set(partition, offset);
  }

  /** Queues a record; one already received (a redelivery after a group rejoin) is ignored. */
  push(item: MergeItem<V>): void {
    const { partition, offset } = item.record;
    if (offset < (this.received.get(partition) ?? 0)) return;
    this.queues.get(partition)?.push(item);
    this.received.set(partition, Math.max(this.received.get(partition) ?? 0, offset + 1));
  }

  /** Puts released records back at the head of their partitions (a step failed), in their order. */
  requeue(items: readonly MergeItem<V>[]): void {
    for (const item of [...items].reverse()) this.queues.get(item.record.partition)?.unshift(item);
  }

  /**
   * The subscription has read a partition up to `next` (records skipped as invalid and Kafka
   * transaction markers included).
   */
  delivered(partition: number, next: number): void {
    this.received.set(partition, Math.max(this.received.get(partition) ?? 0, next));
  }

  /** How far each partition has been read (the next offset to deliver). */
  receivedOffsets(): ReadonlyMap<number, number> {
    return this.received;
  }

  /** Whether the partitions have been read up to these offsets. */
  receivedAll(ends: PartitionOffsets): boolean {
    for (const [partition, end] of ends) if ((this.received.get(partition) ?? 0) < end) return false;
    return true;
  }

  /** How many records wait to be released. */
  get size(): number {
    let size = 0;
    for (const queue of this.queues.values()) size += queue.length;
    return size;
  }

  /** Releases, in order, every queued record (up to `until`, inclusive) that nothing unread can precede. */
  async release(until = Number.POSITIVE_INFINITY): Promise<MergeItem<V>[]> {
    const out: MergeItem<V>[] = [];
    for (;;) {
      const head = this.earliestHead();
      if (head === undefined || head.record.timestamp > until) return out;
      if (this.ready !== undefined && !(await this.ready(head.record.timestamp))) return out;
      if (!(await this.othersClear(head.record))) return out;
      out.push(this.queues.get(head.record.partition)?.shift() as MergeItem<V>);
    }
  }

  private earliestHead(): MergeItem<V> | undefined {
    let head: MergeItem<V> | undefined;
    for (const queue of this.queues.values()) {
      const first = queue[0];
      if (first !== undefined && (head === undefined || before(first.record, head.record))) head = first;
    }
    return head;
  }

  private latestQueuedTime(): number {
    let latest = Number.NEGATIVE_INFINITY;
    for (const queue of this.queues.values()) {
      const last = queue[queue.length - 1];
      if (last !== undefined) latest = Math.max(latest, last.record.timestamp);
    }
    return latest;
  }

  /** Whether every partition with nothing queued has nothing unread before `record`. */
  private async othersClear(record: LogRecord): Promise<boolean> {
    const waiting: number[] = [];
    for (let p = 0; p < this.partitions; p++) {
      if (p === record.partition || (this.queues.get(p)?.length ?? 0) > 0) continue;
      // Ties go to the lower partition: a lower one must be clear through the record's time.
      const bound = p < record.partition ? record.timestamp + 1 : record.timestamp;
      if ((this.clearBefore.get(p) ?? Number.NEGATIVE_INFINITY) < bound) waiting.push(p);
    }
    if (waiting.length === 0) return true;
    // Ask once for everything queued so far; one look-up then covers many releases.
    const wanted = Math.max(this.latestQueuedTime() + 1, record.timestamp + 1);
    if (await this.clearThrough(waiting, wanted)) return true;
    return this.clearThrough(waiting, record.timestamp + 1);
  }

  private async clearThrough(partitions: readonly number[], time: number): Promise<boolean> {
    const first = await this.offsetsForTime(time);
    for (const p of partitions) {
      if ((this.received.get(p) ?? 0) < (first.get(p) ?? 0)) return false;
    }
    for (const p of partitions) this.clearBefore.set(p, time);
    return true;
  }
}
