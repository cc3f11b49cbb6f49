import { describe, expect, it } from 'vitest';
import {
  foldPortfolio,
  initialPortfolio,
  type PortfolioState,
} from '../../../projections/portfolio/index.ts';
import type { OrderEvent } from '../../../src/contracts/index.ts';
import { pendingOrder } from '../../support/messages.ts';

const lifecycle = (id: string, quantity: number): OrderEvent[] => {
  const pending = pendingOrder({
    order_id: id,
    symbol: 'BTCUSDT',
    quantity,
    price: 100,
    total_value: quantity * 100,
  });
  return [
    pending,
    { ...pending, status: 'FILLED', sequence: 1, event_time: 1, fill_price: 100, fill_fee: 0 },
    {
      ...pending,
      status: 'CLOSED',
      sequence: 2,
      event_time: 2,
      exit_price: 101,
      exit_fee: 0,
      close_reason: 'TAKE_PROFIT',
      realized_pnl: quantity,
    },
  ];
};

describe('holdings', () => {
  it('are gone once their lots are closed, with no float dust left (regression)', () => {
    let state: PortfolioState = initialPortfolio(10_000).state;
    // Both filled, then both closed: (78674.76775 + 0.909087) - 78674.76775 - 0.909087 is
    // 7.3e-12 in floating point, above the 1e-12 the fold used to treat as zero.
    const [a, b] = [lifecycle('ORD-20240101-001', 78_674.76775), lifecycle('ORD-20240101-002', 0.909087)];
    for (const event of [a[0], a[1], b[0], b[1], a[2], b[2]] as OrderEvent[])
      state = foldPortfolio(state, { kind: 'order', event }).state;
    expect(state.lots.size).toBe(0);
    expect(state.holdings.size).toBe(0);
  });
});
