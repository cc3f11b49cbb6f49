import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';

/** A record as the embedded log stores it, under the key [topic, partition, offset]. */
export interface StoredRecord {
  readonly k: string;
  readonly v: Buffer;
  readonly t: number;
  readonly h: Record<string, string>;
}

export interface StoredTopic {
  readonly partitions: number;
  readonly retentionMs: number;
}

/**
 * One LMDB environment holding the embedded runtime's log, consumer-group offsets, topics and
 * schemas. Commits resolve once flushed to disk (lmdb-js overlapping sync), so an acknowledged
 * append survives a process kill and a machine crash; `durability: 'commit'` trades the machine
 * crash for speed (noSync), never atomicity.
 */
export class EmbeddedStore {
  readonly root: RootDatabase;
  readonly records: Database<StoredRecord, [string, number, number]>;
  /** Keys: ['topic', name] -> StoredTopic; ['end'|'start', topic, partition] -> offset; ['group', group, topic, partition] -> committed offset. */
  readonly meta: Database<unknown, Key[]>;
  readonly schemas: Database<unknown, Key[]>;

  private constructor(
    readonly path: string,
    durability: 'flush' | 'commit',
  ) {
    mkdirSync(path, { recursive: true });
    this.root = open({
      path: join(path, 'ledger.mdb'),
      noSubdir: true,
      maxDbs: 8,
      noSync: durability === 'commit',
    });
    this.records = this.root.openDB<StoredRecord, [string, number, number]>({ name: 'records' });
    this.meta = this.root.openDB<unknown, Key[]>({ name: 'meta' });
    this.schemas = this.root.openDB<unknown, Key[]>({ name: 'schemas' });
  }

  static open(path: string, options: { durability?: 'flush' | 'commit' } = {}): EmbeddedStore {
    return new EmbeddedStore(path, options.durability ?? 'flush');
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
