import { describe, expect, it } from 'vitest';
import { foldPortfolio, initialPortfolio } from '../../../projections/portfolio/portfolio-fold.ts';
import { validateOrder } from '../../../src/contracts/index.ts';
import { pendingOrder, T0 } from '../../support/messages.ts';

/**
 * Found by the topic fuzzer: an order event with NaN in fill_price (or exit_price, a fee, the
 * realized PnL) passed the contract, since only the status's required fields were checked for
 * presence. Folded, a NaN fill made the portfolio's cash NaN for good.
 */
const filled = (overrides: Parameters<typeof pendingOrder>[0]) =>
  pendingOrder({
    status: 'FILLED',
    sequence: 1,
    event_time: T0 + 60_000,
    fill_price: 68_000.5,
    fill_fee: 6.8,
    ...overrides,
  });

describe('regression: an order event with a non-number fill or close is refused', () => {
  it('a NaN fill price would have made the cash NaN', () => {
    const { state } = initialPortfolio(10_000);
    const pending = foldPortfolio(state, { kind: 'order', event: pendingOrder() }).state;
    const after = foldPortfolio(pending, { kind: 'order', event: filled({ fill_price: Number.NaN }) }).state;
    expect(after.cash).toBeNaN();
  });

  it.each([
    ['fill_price', Number.NaN],
    ['fill_price', Number.POSITIVE_INFINITY],
    ['fill_price', -1],
    ['fill_fee', Number.NaN],
    ['fill_fee', -0.5],
    ['exit_price', Number.NaN],
    ['exit_fee', Number.NEGATIVE_INFINITY],
    ['realized_pnl', Number.NaN],
  ] as const)('%s = %s', (field, value) => {
    const violations = validateOrder(filled({ [field]: value }));
    expect(violations.map((v) => v.field)).toEqual([field]);
  });

  it('also on a PENDING order, where the fields are usually null', () => {
    expect(validateOrder(pendingOrder({ fill_price: Number.NaN })).map((v) => v.field)).toEqual([
      'fill_price',
    ]);
    expect(validateOrder(pendingOrder())).toEqual([]);
    expect(validateOrder(filled({}))).toEqual([]);
  });
});
