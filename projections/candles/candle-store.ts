import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckedLmdb, projectionStore, type OpenLmdbOptions } from '../../src/data-dir/index.ts';
import type { Key, RootDatabase } from 'lmdb';
import type { Candle } from './candle-rows.ts';

const MAX = Number.MAX_SAFE_INTEGER;

export interface CandleQuery {
  readonly symbol: string;
  /** Bar time, ms since epoch, inclusive: the page starts there. Without it, the latest bars. */
  readonly from?: number;
  readonly limit: number;
}

/**
 * The candles in LMDB: one row per bar at `['bar', symbol, time]`, the symbols seen at
 * `['symbol', symbol]`, and the offsets of crypto.market_data the rows cover, all written in one
 * transaction per batch like the signal store, so a restart resumes exactly.
 */
export class CandleStore {
  private readonly db: RootDatabase<unknown, Key[]>;
  /** Names this store's consumer group, so a fresh store reads the topic from its start. */
  readonly id: string;

  private constructor(
    readonly path: string,
    options: OpenLmdbOptions,
  ) {
    if (options.readOnly !== true) mkdirSync(path, { recursive: true });
    this.db = openCheckedLmdb<unknown, Key[]>(
      join(path, 'candles.mdb'),
      {},
      projectionStore('candles', path),
      options,
    );
    const id = this.db.get(['id']) as string | undefined;
    this.id = id ?? randomUUID().slice(0, 8);
    if (id === undefined && options.readOnly !== true) this.db.putSync(['id'], this.id);
  }

  /** Opens (or creates) the store; read-only, an existing one is only read (`verify`). */
  static open(path: string, options: OpenLmdbOptions = {}): CandleStore {
    return new CandleStore(path, options);
  }

  /** Next offset to fold per `topic/partition`. */
  offsets(): Map<string, number> {
    return new Map((this.db.get(['offsets']) as Array<[string, number]> | undefined) ?? []);
  }

  async commit(offsets: ReadonlyMap<string, number>, candles: readonly Candle[]): Promise<void> {
    await this.db.transaction(() => {
      for (const candle of candles) {
        void this.db.put(['bar', candle.symbol, candle.time], candle);
        void this.db.put(['symbol', candle.symbol], null);
      }
      void this.db.put(['offsets'], [...offsets]);
    });
  }

  /**
   * Bars of a symbol in time order: from `from` on, or the latest `limit` bars when no `from` is
   * given (Binance's klines answer the same way).
   */
  candles(query: CandleQuery): Candle[] {
    const { symbol, from, limit } = query;
    const range =
      from !== undefined
        ? this.db.getRange({ start: ['bar', symbol, from], end: ['bar', symbol, MAX], limit })
        : this.db.getRange({ start: ['bar', symbol, MAX], end: ['bar', symbol, 0], limit, reverse: true });
    const candles = [...range].map(({ value }) => value as Candle);
    return from !== undefined ? candles : candles.reverse();
  }

  /** The symbols that have bars, in name order. */
  symbols(): string[] {
    return [...this.db.getKeys({ start: ['symbol'], end: ['symbol\u0000'] })].map((key) => key[1] as string);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
