import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckedLmdb, snapshotStore } from '../../src/data-dir/index.ts';
import type { RootDatabase } from 'lmdb';
import type { EngineSnapshot } from './signal-engine.ts';

/** A saved state of the feature windows with the log offsets it covers (next offset per `topic/partition`). */
export interface SavedWindows {
  readonly snapshot: EngineSnapshot;
  readonly offsets: Array<[string, number]>;
  readonly savedAt: number;
}

/**
 * The signals processor's feature windows in LMDB, one entry per consumer group, so a restart
 * resumes from them instead of re-reading the market-data topic's 24 h.
 */
export class WindowStore {
  private constructor(private readonly db: RootDatabase<SavedWindows, string>) {}

  static open(dir: string): WindowStore {
    mkdirSync(dir, { recursive: true });
    return new WindowStore(
      openCheckedLmdb<SavedWindows, string>(
        join(dir, 'windows.mdb'),
        {},
        snapshotStore('signals windows', dir),
      ),
    );
  }

  load(group: string): SavedWindows | undefined {
    return this.db.get(group);
  }

  async save(group: string, windows: SavedWindows): Promise<void> {
    await this.db.put(group, windows);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
