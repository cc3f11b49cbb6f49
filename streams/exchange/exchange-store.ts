import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckedLmdb, snapshotStore } from '../../src/data-dir/index.ts';
import { Map as PersistentMap } from 'immutable';
import type { Key, RootDatabase } from 'lmdb';
import type { OrderEvent } from '../../src/contracts/index.ts';
import {
  initialExchangeState,
  type ExchangeSettings,
  type ExchangeState,
  type Position,
} from './exchange-state.ts';

/** The exchange state as stored; final orders are rows of their own, written once each. */
interface StoredSnapshot {
  open: OrderEvent[];
  pending: string[];
  positions: Position[];
  cash: number;
  /** Next offset of crypto.orders the state has not folded. */
  ordersNext: number;
}

export interface ExchangeSnapshot {
  readonly state: ExchangeState;
  readonly ordersNext: number;
}

/**
 * A snapshot of the virtual exchange's state in LMDB with the orders offset it covers. The state
 * is a fold of crypto.orders alone, so the snapshot is only a shortcut: a restart folds the orders
 * after `ordersNext` on top of it, and losing it costs a fold from offset 0, never a wrong fill.
 */
export class ExchangeStore {
  private readonly db: RootDatabase<unknown, Key[]>;
  /** Final orders already written as rows. */
  private written = PersistentMap<string, OrderEvent>();

  private constructor(readonly path: string) {
    mkdirSync(path, { recursive: true });
    this.db = openCheckedLmdb<unknown, Key[]>(
      join(path, 'exchange.mdb'),
      {},
      snapshotStore('exchange', path),
    );
  }

  static open(path: string): ExchangeStore {
    return new ExchangeStore(path);
  }

  load(settings: ExchangeSettings): ExchangeSnapshot {
    const stored = this.db.get(['snapshot']) as StoredSnapshot | undefined;
    if (stored === undefined) return { state: initialExchangeState(settings), ordersNext: 0 };
    const final = PersistentMap<string, OrderEvent>().withMutations((map) => {
      for (const { key, value } of this.db.getRange({ start: ['final'], end: ['final\u0000'] }))
        map.set(key[1] as string, value as OrderEvent);
    });
    this.written = final;
    return {
      state: {
        open: new Map(stored.open.map((order) => [order.order_id, order])),
        final,
        pending: stored.pending,
        positions: new Map(stored.positions.map((position) => [position.orderId, position])),
        cash: stored.cash,
      },
      ordersNext: stored.ordersNext,
    };
  }

  /** Writes the snapshot and the orders that became final since the last save, in one transaction. */
  async save(state: ExchangeState, ordersNext: number): Promise<void> {
    const snapshot: StoredSnapshot = {
      open: [...state.open.values()],
      pending: [...state.pending],
      positions: [...state.positions.values()],
      cash: state.cash,
      ordersNext,
    };
    const written = this.written;
    await this.db.transaction(() => {
      for (const [id, order] of state.final) {
        if (written.get(id) !== order) void this.db.put(['final', id], order);
      }
      void this.db.put(['snapshot'], snapshot);
    });
    this.written = state.final;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
