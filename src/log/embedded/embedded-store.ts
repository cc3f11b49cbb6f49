import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Key, RootDatabase } from 'lmdb';
import { openCheckedLmdb, type OpenLmdbOptions, type StoreIdentity } from '../../data-dir/open-lmdb.ts';

/** A record as the embedded log stores it, under the key [topic, partition, offset]. */
export interface StoredRecord {
  readonly k: string;
  readonly v: Buffer;
  readonly t: number;
  readonly h: Record<string, string>;
}

/** The embedded log as messages name it, and what to do when its file is damaged. */
export const EMBEDDED_LOG: StoreIdentity = {
  what: 'The embedded log',
  whenDamaged:
    'The log is the source of truth and cannot be rebuilt: restore the data directory from a backup or copy, ' +
    'or start over on a fresh --data-dir; `npm run cli -- verify` lists what is wrong.',
};

export interface EmbeddedStoreOptions extends OpenLmdbOptions {
  readonly durability?: 'flush' | 'commit';
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
    options: EmbeddedStoreOptions,
  ) {
    if (options.readOnly !== true) mkdirSync(path, { recursive: true });
    this.root = openCheckedLmdb(
      join(path, 'ledger.mdb'),
      { maxDbs: 8, noSync: options.durability === 'commit' },
      EMBEDDED_LOG,
      options,
    );
    this.records = this.root.openDB<StoredRecord, [string, number, number]>({ name: 'records' });
    this.meta = this.root.openDB<unknown, Key[]>({ name: 'meta' });
    this.schemas = this.root.openDB<unknown, Key[]>({ name: 'schemas' });
  }

  /** Opens (or creates) the log under `path`; see `openCheckedLmdb` for the check before mapping. */
  static open(path: string, options: EmbeddedStoreOptions = {}): EmbeddedStore {
    return new EmbeddedStore(path, options);
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
