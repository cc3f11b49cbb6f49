import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckedLmdb, projectionStore, type OpenLmdbOptions } from '../../src/data-dir/index.ts';
import type { Key, RootDatabase } from 'lmdb';
import type { MlSignal, Signal } from '../../src/contracts/index.ts';

/** Where a signal sits in crypto.ml_signals; with its time, it orders and identifies the row. */
export interface SignalPosition {
  readonly time: number;
  readonly partition: number;
  readonly offset: number;
}

export interface SignalRow {
  readonly signal: MlSignal;
  readonly partition: number;
  readonly offset: number;
}

export interface SignalQuery {
  readonly symbol?: string;
  readonly model?: string;
  readonly signal?: Signal;
  /** Prediction times, ms since epoch, both inclusive. */
  readonly from?: number;
  readonly to?: number;
  /** The last row of the previous page (exclusive). */
  readonly after?: SignalPosition;
  readonly limit: number;
}

export interface SignalPage {
  readonly rows: SignalRow[];
  readonly next?: SignalPosition;
}

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * The signal history in LMDB: one row per signal at `['signal', time, partition, offset]`, an
 * index by symbol at `['symbol', symbol, time, partition, offset]`, and the offsets the rows cover,
 * written in one transaction per batch like the portfolio store, so a restart resumes exactly.
 */
export class SignalStore {
  private readonly db: RootDatabase<unknown, Key[]>;
  /** Names this store's consumer group, so a fresh store reads the topic from its start. */
  readonly id: string;

  private constructor(
    readonly path: string,
    options: OpenLmdbOptions,
  ) {
    if (options.readOnly !== true) mkdirSync(path, { recursive: true });
    this.db = openCheckedLmdb<unknown, Key[]>(
      join(path, 'signals.mdb'),
      {},
      projectionStore('signals', path),
      options,
    );
    const id = this.db.get(['id']) as string | undefined;
    this.id = id ?? randomUUID().slice(0, 8);
    if (id === undefined && options.readOnly !== true) this.db.putSync(['id'], this.id);
  }

  /** Opens (or creates) the store; read-only, an existing one is only read (`verify`). */
  static open(path: string, options: OpenLmdbOptions = {}): SignalStore {
    return new SignalStore(path, options);
  }

  /** Next offset to fold per `topic/partition`. */
  offsets(): Map<string, number> {
    return new Map((this.db.get(['offsets']) as Array<[string, number]> | undefined) ?? []);
  }

  async commit(offsets: ReadonlyMap<string, number>, rows: readonly SignalRow[]): Promise<void> {
    await this.db.transaction(() => {
      for (const row of rows) {
        const { timestamp: time, symbol } = row.signal;
        void this.db.put(['signal', time, row.partition, row.offset], row);
        void this.db.put(['symbol', symbol, time, row.partition, row.offset], null);
      }
      void this.db.put(['offsets'], [...offsets]);
    });
  }

  /**
   * One page of signals in time order (then partition and offset). A symbol filter walks its
   * index; model and signal filters are applied while walking, so a rare one may read many rows.
   */
  signals(query: SignalQuery): SignalPage {
    const from = query.from ?? 0;
    const to = query.to ?? MAX - 1;
    const after = query.after;
    const start: Key[] =
      after !== undefined && after.time >= from ? [after.time, after.partition, after.offset + 1] : [from];
    const positions =
      query.symbol === undefined
        ? this.db.getKeys({ start: ['signal', ...start], end: ['signal', to + 1] }).map((key) => key.slice(1))
        : this.db
            .getKeys({ start: ['symbol', query.symbol, ...start], end: ['symbol', query.symbol, to + 1] })
            .map((key) => key.slice(2));
    const rows: SignalRow[] = [];
    for (const position of positions) {
      const row = this.db.get(['signal', ...position]) as SignalRow | undefined;
      if (row === undefined) continue;
      if (query.model !== undefined && row.signal.model !== query.model) continue;
      if (query.signal !== undefined && row.signal.signal !== query.signal) continue;
      if (rows.length === query.limit) {
        const last = rows.at(-1) as SignalRow;
        return {
          rows,
          next: { time: last.signal.timestamp, partition: last.partition, offset: last.offset },
        };
      }
      rows.push(row);
    }
    return { rows };
  }

  count(): number {
    return this.db.getKeysCount({ start: ['signal'], end: ['signal\u0000'] });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
