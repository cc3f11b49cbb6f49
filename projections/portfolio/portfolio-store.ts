import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckedLmdb, projectionStore, type OpenLmdbOptions } from '../../src/data-dir/index.ts';
import { Map as PersistentMap } from 'immutable';
import type { Key, RootDatabase } from 'lmdb';
import type { OrderEvent } from '../../src/contracts/index.ts';
import type { Account, Posting } from './ledger-postings.ts';
import { journalTimeOf, portfolioAsOf, type AsOf, type JournalEntry } from './portfolio-as-of.ts';
import {
  initialPortfolio,
  type ClosedTrade,
  type EquityPoint,
  type Holding,
  type PortfolioRows,
  type PortfolioState,
} from './portfolio-fold.ts';
import {
  backfillOrderIndex,
  indexOrderEvent,
  listOrders,
  listRecentOrders,
  type OrderPage,
  type OrderQuery,
} from './order-index.ts';

/** A batch's row, with the crypto.orders offset of its order event when the projection knows it. */
export interface StoredRows extends PortfolioRows {
  readonly ordersOffset?: number;
}

/** The portfolio state as stored: maps as entry lists. */
interface StoredState {
  initialCash: number;
  cash: number;
  balances: Array<[Account, number]>;
  holdings: Array<[string, Holding]>;
  lots: Array<[string, { symbol: string; quantity: number; cost: number }]>;
  realizedPnl: number;
  fees: number;
  peakEquity: number;
  lastTime: number;
  /** Next offset to fold per `topic/partition`. */
  offsets: Array<[string, number]>;
  rows: number;
}

const toStored = (
  state: PortfolioState,
  offsets: ReadonlyMap<string, number>,
  rows: number,
): StoredState => ({
  initialCash: state.initialCash,
  cash: state.cash,
  balances: [...state.balances],
  holdings: [...state.holdings],
  lots: [...state.lots],
  realizedPnl: state.realizedPnl,
  fees: state.fees,
  peakEquity: state.peakEquity,
  lastTime: state.lastTime,
  offsets: [...offsets],
  rows,
});

/**
 * The portfolio read models in LMDB: the current state with the log offsets it covers, and the
 * append-only rows (postings, order history, trades, equity points, the journal of what changed
 * the state), all written in one transaction per batch, so a restart resumes exactly where the
 * stored state ends. The order index (latest snapshot per order, by status) is derived from the
 * order-history rows and written with them.
 */
export class PortfolioStore {
  private readonly db: RootDatabase<unknown, Key[]>;
  private rowCount = 0;

  /**
   * Identifies this store's contents: consumer groups are named after it, so a fresh store (a
   * rebuild into a new directory) reads the log from the start instead of resuming another's groups.
   */
  readonly id: string;

  private constructor(
    readonly path: string,
    options: OpenLmdbOptions,
  ) {
    if (options.readOnly !== true) mkdirSync(path, { recursive: true });
    this.db = openCheckedLmdb<unknown, Key[]>(
      join(path, 'portfolio.mdb'),
      {},
      projectionStore('portfolio', path),
      options,
    );
    const id = this.db.get(['id']) as string | undefined;
    this.id = id ?? randomUUID().slice(0, 8);
    if (options.readOnly === true) return;
    if (id === undefined) {
      this.db.putSync(['id'], this.id);
      this.db.putSync(['journal-complete'], true);
    } else if (this.db.get(['order-index']) === undefined) backfillOrderIndex(this.db);
    this.db.putSync(['order-index'], true);
  }

  /** Opens (or creates) the store; read-only, an existing one is only read (`verify`). */
  static open(path: string, options: OpenLmdbOptions = {}): PortfolioStore {
    return new PortfolioStore(path, options);
  }

  /** The stored state and offsets, or a fresh portfolio with the deposit posting to write. */
  load(initialCash: number): { state: PortfolioState; offsets: Map<string, number>; fresh?: PortfolioRows } {
    const stored = this.db.get(['state']) as StoredState | undefined;
    if (stored === undefined) {
      const { state, rows } = initialPortfolio(initialCash);
      return { state, offsets: new Map(), fresh: rows };
    }
    this.rowCount = stored.rows;
    return {
      offsets: new Map(stored.offsets),
      state: {
        initialCash: stored.initialCash,
        cash: stored.cash,
        balances: new Map(stored.balances),
        holdings: new Map(stored.holdings),
        lots: new Map(stored.lots),
        orders: this.latestOrderEvents(),
        realizedPnl: stored.realizedPnl,
        fees: stored.fees,
        peakEquity: stored.peakEquity,
        lastTime: stored.lastTime,
      },
    };
  }

  /** Writes the new state, its offsets and the rows of the batch in one transaction. */
  async commit(
    state: PortfolioState,
    offsets: ReadonlyMap<string, number>,
    rows: readonly StoredRows[],
  ): Promise<void> {
    await this.db.transaction(() => {
      for (const row of rows) {
        const n = ++this.rowCount;
        for (const [i, posting] of row.postings.entries()) void this.db.put(['posting', n, i], posting);
        if (row.orderEvent !== undefined) {
          void this.db.put(['order', row.orderEvent.order_id, row.orderEvent.sequence], row.orderEvent);
          indexOrderEvent(this.db, row.orderEvent);
        }
        const input: JournalEntry['input'] | undefined =
          row.orderEvent !== undefined
            ? { kind: 'order', event: row.orderEvent }
            : row.mark !== undefined
              ? { kind: 'bar', bar: row.mark }
              : undefined;
        if (input !== undefined)
          void this.db.put(['journal', n], {
            input,
            time: journalTimeOf(input),
            ...(row.orderEvent !== undefined && row.ordersOffset !== undefined
              ? { ordersOffset: row.ordersOffset }
              : {}),
          } satisfies JournalEntry);
        if (row.trade !== undefined)
          void this.db.put(['trade', row.trade.exitTime, row.trade.orderId], row.trade);
        if (row.equity !== undefined) void this.db.put(['equity', row.equity.time, n], row.equity);
      }
      const stored = toStored(state, offsets, this.rowCount);
      void this.db.put(['state'], stored);
      void this.db.put(['summary'], { ...stored, lots: [] });
    });
  }

  /**
   * The current portfolio without the per-order bookkeeping (which grows with every order), for
   * readers such as the API: cash, balances, holdings, totals.
   */
  summary(initialCash: number): PortfolioState {
    const stored = this.db.get(['summary']) as StoredState | undefined;
    if (stored === undefined) return initialPortfolio(initialCash).state;
    return {
      initialCash: stored.initialCash,
      cash: stored.cash,
      balances: new Map(stored.balances),
      holdings: new Map(stored.holdings),
      lots: new Map(),
      orders: PersistentMap(),
      realizedPnl: stored.realizedPnl,
      fees: stored.fees,
      peakEquity: stored.peakEquity,
      lastTime: stored.lastTime,
    };
  }

  /** Each order's latest event, from the order-history rows (the state does not repeat them). */
  private latestOrderEvents(): PersistentMap<string, OrderEvent> {
    return PersistentMap<string, OrderEvent>().withMutations((orders) => {
      for (const { value } of this.db.getRange({ start: ['order'], end: ['order\u0000'] })) {
        const event = value as OrderEvent;
        orders.set(event.order_id, event);
      }
    });
  }

  /**
   * The portfolio as of a past event time or crypto.orders offset, re-folded from the journal
   * (see `portfolioAsOf` for the cost). Undefined for a store written before the journal existed:
   * its early history is missing, so a rebuild into a fresh store is needed.
   */
  portfolioAsOf(initialCash: number, asOf: AsOf): PortfolioState | undefined {
    if (this.db.get(['journal-complete']) !== true) return undefined;
    const journal = this.db
      .getRange({ start: ['journal'], end: ['journal\u0000'] })
      .map(({ value }) => value as JournalEntry);
    return portfolioAsOf(initialCash, journal, asOf);
  }

  /** Orders' latest snapshots, one page in id order, filtered by status and symbol. */
  orders(query: OrderQuery): OrderPage {
    return listOrders(this.db, query);
  }

  /** The latest `limit` orders' snapshots, newest first. */
  recentOrders(limit: number): OrderEvent[] {
    return listRecentOrders(this.db, limit);
  }

  postings(): Posting[] {
    return [...this.db.getRange({ start: ['posting'], end: ['posting\u0000'] })].map(
      ({ value }) => value as Posting,
    );
  }

  orderHistory(orderId: string): OrderEvent[] {
    return [...this.db.getRange({ start: ['order', orderId], end: ['order', `${orderId}\u0000`] })].map(
      ({ value }) => value as OrderEvent,
    );
  }

  trades(): ClosedTrade[] {
    return [...this.db.getRange({ start: ['trade'], end: ['trade\u0000'] })].map(
      ({ value }) => value as ClosedTrade,
    );
  }

  equityCurve(from = 0, to = Number.MAX_SAFE_INTEGER): EquityPoint[] {
    return [
      ...this.db.getRange({ start: ['equity', from], end: ['equity', to, Number.MAX_SAFE_INTEGER] }),
    ].map(({ value }) => value as EquityPoint);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
