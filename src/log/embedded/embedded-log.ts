import { EventEmitter, once } from 'node:events';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { partitionFor } from '../partitioner.ts';
import type {
  AppendedRecord,
  GroupCommit,
  GroupPosition,
  LogPort,
  LogRecord,
  PartitionOffsets,
  SubscribeOptions,
  Subscription,
  TopicAppend,
} from '../port.ts';
import type { EmbeddedStore, StoredRecord, StoredTopic } from './embedded-store.ts';

/** Pause before a failed batch is handed over again. */
const HANDLER_RETRY_MS = 1_000;
const BATCH_SIZE = 2_000;

/**
 * The log port in one process, on LMDB: topics and partitions as ordered key ranges, offsets
 * assigned inside the append transaction, group offsets committed in the same transaction as
 * what a handler appends. Consumers sleep until an append wakes them; nothing polls.
 */
export class EmbeddedLog implements LogPort {
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private readonly activeGroups = new Set<string>();
  private readonly subscriptions = new Set<Subscription>();
  /** Bumped on every commit, so a consumer that found nothing can tell whether it missed a wake-up. */
  private version = 0;

  constructor(private readonly store: EmbeddedStore) {}

  topic(name: string): StoredTopic {
    const topic = this.store.meta.get(['topic', name]) as StoredTopic | undefined;
    if (topic === undefined) {
      throw new CmlError(
        ErrorCodes.UNKNOWN_TOPIC,
        `Topic ${name} does not exist in the embedded log at ${this.store.path}`,
        {
          hint: 'Create the declared topics with `npm run cli -- topics apply`.',
          details: { topic: name },
        },
      );
    }
    return topic;
  }

  partitionCount(topic: string): Promise<number> {
    return Promise.resolve(this.topic(topic).partitions);
  }

  private endOf(topic: string, partition: number): number {
    return (this.store.meta.get(['end', topic, partition]) as number | undefined) ?? 0;
  }

  private startOf(topic: string, partition: number): number {
    return (this.store.meta.get(['start', topic, partition]) as number | undefined) ?? 0;
  }

  /** Writes records inside the caller's transaction; returns their coordinates. */
  private writeAppends(appends: readonly TopicAppend[]): AppendedRecord[] {
    const out: AppendedRecord[] = [];
    const ends = new Map<string, number>();
    for (const { topic, records } of appends) {
      if (records.length === 0) continue;
      const { partitions } = this.topic(topic);
      for (const record of records) {
        const partition = partitionFor(record.key, partitions);
        const endKey = `${topic}\u0000${partition}`;
        const offset = ends.get(endKey) ?? this.endOf(topic, partition);
        const stored: StoredRecord = {
          k: record.key,
          v: record.value,
          t: record.timestamp,
          h: { ...record.headers },
        };
        void this.store.records.put([topic, partition, offset], stored);
        ends.set(endKey, offset + 1);
        out.push({ topic, partition, offset });
      }
    }
    for (const [endKey, end] of ends) {
      const [topic, partition] = endKey.split('\u0000') as [string, string];
      void this.store.meta.put(['end', topic, Number(partition)], end);
    }
    return out;
  }

  private committed(topics: Iterable<string>): void {
    this.version++;
    for (const topic of topics) this.appended.emit(topic);
    this.appended.emit('*');
  }

  onCommit(listener: () => void): () => void {
    this.appended.on('*', listener);
    return () => this.appended.off('*', listener);
  }

  async append(appends: readonly TopicAppend[], commit?: GroupCommit): Promise<AppendedRecord[]> {
    for (const { topic } of appends) this.topic(topic);
    const result = await this.store.root.transaction(() => {
      if (commit !== undefined) {
        for (const [partition, offset] of commit.offsets) {
          void this.store.meta.put(['group', commit.group, commit.topic, partition], offset);
          // As on Kafka, where the time is the offset's metadata: a commit without one clears it.
          const time = commit.lastTimes?.get(partition);
          const key = ['groupTime', commit.group, commit.topic, partition];
          void (time === undefined ? this.store.meta.remove(key) : this.store.meta.put(key, time));
        }
      }
      return this.writeAppends(appends);
    });
    this.committed(appends.map((a) => a.topic));
    return result;
  }

  async read(topic: string, partition: number, offset: number, limit: number): Promise<LogRecord[]> {
    this.topic(topic);
    return Promise.resolve(this.readSync(topic, partition, offset, limit));
  }

  private readSync(topic: string, partition: number, offset: number, limit: number): LogRecord[] {
    const from = Math.max(offset, this.startOf(topic, partition));
    const out: LogRecord[] = [];
    for (const { key, value } of this.store.records.getRange({
      start: [topic, partition, from],
      end: [topic, partition, Number.MAX_SAFE_INTEGER],
      limit,
    })) {
      out.push({
        topic,
        partition,
        offset: key[2],
        key: value.k,
        value: Buffer.from(value.v),
        timestamp: value.t,
        headers: value.h,
      });
    }
    return out;
  }

  endOffsets(topic: string): Promise<PartitionOffsets> {
    const { partitions } = this.topic(topic);
    return Promise.resolve(new Map(Array.from({ length: partitions }, (_, p) => [p, this.endOf(topic, p)])));
  }

  startOffsets(topic: string): Promise<PartitionOffsets> {
    const { partitions } = this.topic(topic);
    return Promise.resolve(
      new Map(Array.from({ length: partitions }, (_, p) => [p, this.startOf(topic, p)])),
    );
  }

  committedOffsets(group: string, topic: string): Promise<PartitionOffsets> {
    const { partitions } = this.topic(topic);
    const out = new Map<number, number>();
    for (let p = 0; p < partitions; p++) {
      const offset = this.store.meta.get(['group', group, topic, p]) as number | undefined;
      if (offset !== undefined) out.set(p, offset);
    }
    return Promise.resolve(out);
  }

  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, GroupPosition>> {
    const positions = new Map<number, GroupPosition>();
    for (const [partition, offset] of await this.committedOffsets(group, topic)) {
      const lastTime = this.store.meta.get(['groupTime', group, topic, partition]) as number | undefined;
      positions.set(partition, lastTime === undefined ? { offset } : { offset, lastTime });
    }
    return positions;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.activeGroups.has(options.group)) {
      throw new CmlError(ErrorCodes.USAGE, `Group ${options.group} already has a member in this process`, {
        hint: 'The embedded runtime runs one member per consumer group; use another group name.',
      });
    }
    for (const topic of options.topics) this.topic(topic);
    this.activeGroups.add(options.group);
    const positions = new Map<string, number>();
    for (const topic of options.topics) {
      const committed = await this.committedOffsets(options.group, topic);
      const ends = await this.endOffsets(topic);
      for (const [partition, end] of ends) {
        positions.set(
          `${topic}\u0000${partition}`,
          options.startAt?.(topic, partition) ??
            committed.get(partition) ??
            (options.fromBeginning ? this.startOf(topic, partition) : end),
        );
      }
    }
    options.onAssigned?.(
      await Promise.all(
        options.topics.map(async (topic) => ({
          topic,
          partitions: [...(await this.endOffsets(topic)).keys()],
        })),
      ),
    );
    const stopping = new AbortController();
    const loop = this.consume(options, positions, stopping.signal).finally(() =>
      this.activeGroups.delete(options.group),
    );
    const subscription: Subscription = {
      stop: async () => {
        stopping.abort();
        await loop.catch(() => undefined);
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    loop.catch(() => undefined);
    return subscription;
  }

  private async consume(
    options: SubscribeOptions,
    positions: Map<string, number>,
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted) {
      const seen = this.version;
      let progressed = false;
      for (const [position, from] of positions) {
        if (signal.aborted) return;
        const [topic, partitionText] = position.split('\u0000') as [string, string];
        const partition = Number(partitionText);
        const records = this.readSync(topic, partition, from, BATCH_SIZE);
        if (records.length === 0) continue;
        const next = (records[records.length - 1] as LogRecord).offset + 1;
        let outcome;
        try {
          outcome = await options.handler({ topic, partition, records, next });
        } catch {
          // A handler that fails (a dependency away) gets the same batch again, as on Kafka; the
          // consumer never dies of it.
          await new Promise((resolve) => setTimeout(resolve, HANDLER_RETRY_MS));
          progressed = true;
          continue;
        }
        const appends = outcome?.append ?? [];
        let lastTime =
          (this.store.meta.get(['groupTime', options.group, topic, partition]) as number | undefined) ??
          Number.NEGATIVE_INFINITY;
        for (const record of records) lastTime = Math.max(lastTime, record.timestamp);
        await this.store.root.transaction(() => {
          this.writeAppends(appends);
          void this.store.meta.put(['group', options.group, topic, partition], next);
          void this.store.meta.put(['groupTime', options.group, topic, partition], lastTime);
        });
        this.committed(appends.map((a) => a.topic));
        positions.set(position, next);
        progressed = true;
      }
      if (!progressed && this.version === seen) await this.nextAppend(options.topics, signal);
    }
  }

  private async nextAppend(topics: readonly string[], signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    const onAbort = (): void => wake.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race(topics.map((topic) => once(this.appended, topic, { signal: wake.signal })));
    } catch {
      // aborted: stopping
    } finally {
      wake.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Deletes records older than each topic's retention (by event time) from the head of each partition. */
  async enforceRetention(now: number): Promise<number> {
    let deleted = 0;
    await this.store.root.transaction(() => {
      for (const { key, value } of this.store.meta.getRange({ start: ['topic'], end: ['topic\u0000'] })) {
        const topic = key[1] as string;
        const { partitions, retentionMs } = value as StoredTopic;
        if (retentionMs < 0) continue;
        for (let p = 0; p < partitions; p++) {
          let start = this.startOf(topic, p);
          for (const entry of this.store.records.getRange({
            start: [topic, p, start],
            end: [topic, p, Number.MAX_SAFE_INTEGER],
          })) {
            if (entry.value.t >= now - retentionMs) break;
            void this.store.records.remove(entry.key);
            start = entry.key[2] + 1;
            deleted++;
          }
          void this.store.meta.put(['start', topic, p], start);
        }
      }
    });
    return deleted;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }
}
