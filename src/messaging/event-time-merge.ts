import type { LogRecord, PartitionOffsets } from '../log/port.ts';

export interface MergeItem<V> {
  readonly record: LogRecord;
  readonly value: V;
}

/** What the merge asks the log, to know that a partition with nothing queued hides nothing unread. */
export type EndOffsets = () => Promise<PartitionOffsets>;

/** How many queued records one `ready` look-up may cover. */
const READY_LOOKAHEAD = 1_000;

const before = (a: LogRecord, b: LogRecord): boolean =>
  a.timestamp !== b.timestamp
    ? a.timestamp < b.timestamp
    : a.partition !== b.partition
      ? a.partition < b.partition
      : a.offset < b.offset;

/**
 * Merges the partitions of one topic into a single event-time order: (timestamp, partition,
 * offset). A queued record is released only when no partition can still deliver an earlier one:
 * a partition with nothing queued has delivered a record at or after that time (event times do
 * not decrease within a partition), or everything the log holds (its end offset). So the order is
 * the same however the partitions' batches interleave.
 */
export class EventTimeMerge<V> {
  private readonly queues = new Map<number, MergeItem<V>[]>();
  /** Next offset to receive, per partition. */
  private readonly received = new Map<number, number>();
  /** Per partition, the time of the latest record received: nothing earlier is unread there. */
  private readonly receivedTime = new Map<number, number>();
  /** Per partition: nothing unread is earlier than this time (learnt from the log). */
  private readonly clearBefore = new Map<number, number>();
  /** The latest time `ready` said yes to: every record up to it may go. */
  private readyThrough = Number.NEGATIVE_INFINITY;

  /**
   * @param start the next offset to be delivered per partition (where the subscription starts).
   * @param ready whether the topic's producers have written everything before a time: a record
   * is held until it holds (a partition with nothing in it yet may only be late). Once true for a
   * time it must stay true for that time and every earlier one (upstream progress only grows).
   */
  constructor(
    private readonly partitions: number,
    private readonly endOffsets: EndOffsets,
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
    this.receivedTime.set(
      partition,
      Math.max(this.receivedTime.get(partition) ?? Number.NEGATIVE_INFINITY, item.record.timestamp),
    );
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

  /**
   * Whether every partition has delivered all its records up to `time`: one after it, or
   * everything up to `ends` (the log's end offsets, read once what is wanted was written).
   */
  receivedThrough(time: number, ends: PartitionOffsets): boolean {
    for (const [partition, end] of ends) {
      if ((this.receivedTime.get(partition) ?? Number.NEGATIVE_INFINITY) > time) continue;
      if ((this.received.get(partition) ?? 0) < end) return false;
    }
    return true;
  }

  /** How many records wait to be released. */
  get size(): number {
    let size = 0;
    for (const queue of this.queues.values()) size += queue.length;
    return size;
  }

  /**
   * Releases, in order, the queued records (up to `until`, inclusive; at most `limit`) that
   * nothing unread can precede. When a look-up fails, nothing is released: what was taken goes
   * back, so the next release starts from the same record.
   */
  async release(until = Number.POSITIVE_INFINITY, limit = Number.POSITIVE_INFINITY): Promise<MergeItem<V>[]> {
    const out: MergeItem<V>[] = [];
    try {
      while (out.length < limit) {
        const head = this.earliestHead();
        if (head === undefined || head.record.timestamp > until) break;
        if (!(await this.isReady(head.record.timestamp, until))) break;
        if (!(await this.othersClear(head.record))) break;
        out.push(this.queues.get(head.record.partition)?.shift() as MergeItem<V>);
      }
    } catch (error) {
      this.requeue(out);
      throw error;
    }
    return out;
  }

  /**
   * Whether `ready` holds at `time`, asked as rarely as possible: a backlog (history read at
   * start-up) would otherwise cost a look-up in the log per record and hold the first release for
   * minutes. As `ready` only moves forward, one yes for the last of the next records covers them
   * all; when that is no, a binary search finds how far it goes in a few look-ups.
   */
  private async isReady(time: number, until: number): Promise<boolean> {
    if (this.ready === undefined || time <= this.readyThrough) return true;
    const times = this.upcomingTimes(READY_LOOKAHEAD, until);
    let low = 0;
    let high = times.length - 1;
    let found = -1;
    if (await this.ready(times[high] as number)) found = high;
    else high--;
    while (found < high && low <= high) {
      const middle = (low + high) >>> 1;
      if (await this.ready(times[middle] as number)) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found < 0) return false;
    this.readyThrough = times[found] as number;
    return true;
  }

  /** The times of the next `count` queued records in release order (at most `until`), ascending. */
  private upcomingTimes(count: number, until: number): number[] {
    const at = new Map<number, number>();
    const times: number[] = [];
    while (times.length < count) {
      let next: LogRecord | undefined;
      for (const [partition, queue] of this.queues) {
        const record = queue[at.get(partition) ?? 0]?.record;
        if (record !== undefined && (next === undefined || before(record, next))) next = record;
      }
      if (next === undefined || next.timestamp > until) break;
      at.set(next.partition, (at.get(next.partition) ?? 0) + 1);
      times.push(next.timestamp);
    }
    return times;
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

  /**
   * Whether every partition with nothing queued has nothing unread before `record`. A partition
   * that has read all the log holds is clear up to the latest time queued, as far as `ready` has
   * vouched that everything up to then is written (records still to be written may be earlier).
   */
  private async othersClear(record: LogRecord): Promise<boolean> {
    const waiting: number[] = [];
    for (let p = 0; p < this.partitions; p++) {
      if (p === record.partition || (this.queues.get(p)?.length ?? 0) > 0) continue;
      // Ties go to the lower partition: a lower one must be clear through the record's time.
      const bound = p < record.partition ? record.timestamp + 1 : record.timestamp;
      if ((this.clearBefore.get(p) ?? Number.NEGATIVE_INFINITY) >= bound) continue;
      if ((this.receivedTime.get(p) ?? Number.NEGATIVE_INFINITY) >= bound) continue;
      waiting.push(p);
    }
    if (waiting.length === 0) return true;
    const ends = await this.endOffsets();
    for (const p of waiting) if ((this.received.get(p) ?? 0) < (ends.get(p) ?? 0)) return false;
    // One look-up then covers every release up to the latest record queued.
    let through = Math.max(this.latestQueuedTime() + 1, record.timestamp + 1);
    if (this.ready !== undefined) through = Math.min(through, this.readyThrough + 1);
    for (const p of waiting) this.clearBefore.set(p, through);
    return true;
  }
}
