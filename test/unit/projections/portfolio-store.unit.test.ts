import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type Key } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { foldPortfolio, initialPortfolio } from '../../../projections/portfolio/portfolio-fold.ts';
import { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import { pendingOrder, T0 } from '../../support/messages.ts';

const fill = (id: string) =>
  pendingOrder({
    order_id: id,
    status: 'FILLED',
    sequence: 1,
    event_time: T0 + 1,
    fill_price: 68000.5,
    fill_fee: 6.8,
  });

describe('the portfolio store', () => {
  it('a store written before the order index and the journal: the index is rebuilt on open, time travel refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cml-store-'));
    const store = PortfolioStore.open(dir);
    let { state, rows } = initialPortfolio(10_000);
    const all = [rows];
    for (const event of [
      pendingOrder({ order_id: 'ORD-20231128-001' }),
      pendingOrder({ order_id: 'ORD-20231128-002' }),
      fill('ORD-20231128-001'),
    ]) {
      ({ state, rows } = foldPortfolio(state, { kind: 'order', event }));
      all.push(rows);
    }
    await store.commit(state, new Map(), all);
    expect(store.orders({ limit: 10 }).orders.map((o) => o.status)).toEqual(['FILLED', 'PENDING']);
    await store.close();

    // What a store of the previous version holds: no index, no journal marker.
    const db = open<unknown, Key[]>({ path: join(dir, 'portfolio.mdb'), noSubdir: true });
    await db.transaction(() => {
      for (const prefix of ['latest', 'status'])
        for (const key of db.getKeys({ start: [prefix], end: [`${prefix}\u0000`] })) void db.remove(key);
      void db.remove(['order-index']);
      void db.remove(['journal-complete']);
    });
    expect(db.getKeysCount({ start: ['latest'], end: ['latest\u0000'] })).toBe(0);
    expect(db.getKeysCount({ start: ['order'], end: ['order\u0000'] })).toBe(3);
    await db.close();

    const reopened = PortfolioStore.open(dir);
    expect(reopened.orders({ limit: 10 }).orders.map((o) => [o.order_id, o.status])).toEqual([
      ['ORD-20231128-001', 'FILLED'],
      ['ORD-20231128-002', 'PENDING'],
    ]);
    expect(reopened.orders({ status: 'PENDING', limit: 10 }).orders.map((o) => o.order_id)).toEqual([
      'ORD-20231128-002',
    ]);
    expect(reopened.portfolioAsOf(10_000, { kind: 'time', at: T0 })).toBeUndefined();
    await reopened.close();
  });
});
