import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketData, OrderEvent } from '../../../src/contracts/index.ts';
import { catchUpPortfolio } from '../../../projections/portfolio/portfolio-catch-up.ts';
import {
  equityOf,
  foldPortfolio,
  initialPortfolio,
  markBars,
  type PortfolioState,
} from '../../../projections/portfolio/portfolio-fold.ts';
import { pendingOrder } from '../../support/messages.ts';

const SYMBOLS = ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'] as const;
const T0 = Date.UTC(2024, 0, 1);

const filledBuy = (
  id: number,
  symbol: string,
  quantity: number,
  price: number,
  time: number,
): OrderEvent => ({
  ...pendingOrder({
    order_id: `ORD-20240101-${String(id).padStart(3, '0')}`,
    symbol,
    timestamp: time - 1,
    action: 'BUY',
    quantity,
    price,
    total_value: quantity * price,
  }),
  status: 'FILLED',
  sequence: 1,
  event_time: time,
  fill_price: price,
  fill_fee: quantity * price * 0.001,
});

const barOf = (symbol: string, minute: number, price: number): MarketData => ({
  symbol,
  timestamp: T0 + minute * 60_000,
  open: price,
  high: price,
  low: price,
  price,
  volume: 1,
  price_change_pct: 0,
});

/** A portfolio holding some of the symbols, and bars of all of them (some older than its last event). */
const scenario = fc.record({
  buys: fc.array(
    fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      quantity: fc.double({ min: 0.001, max: 3, noNaN: true }),
      price: fc.double({ min: 0.01, max: 500, noNaN: true }),
    }),
    { maxLength: 4 },
  ),
  bars: fc.array(
    fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      minute: fc.integer({ min: 0, max: 40 }),
      price: fc.double({ min: 0.01, max: 500, noNaN: true }),
    }),
    { maxLength: 30 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function setUp(s: Scenario): { state: PortfolioState; bars: MarketData[] } {
  let state = initialPortfolio(100_000).state;
  s.buys.forEach((b, i) => {
    state = foldPortfolio(state, {
      kind: 'order',
      event: filledBuy(i + 1, b.symbol, b.quantity, b.price, T0 + 10 * 60_000),
    }).state;
  });
  return { state, bars: s.bars.map((b) => barOf(b.symbol, b.minute, b.price)) };
}

describe('marking a run of bars at once', () => {
  it('gives the state folding them one by one gives, and the equity after each bar', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { state, bars } = setUp(s);
        let oneByOne = state;
        const expected: Array<[number, boolean]> = [];
        for (const bar of bars) {
          oneByOne = foldPortfolio(oneByOne, { kind: 'bar', bar }).state;
          expected.push([equityOf(oneByOne), oneByOne.lots.size > 0]);
        }
        const holdingsBefore = structuredClone([...state.holdings]);
        const seen: Array<[number, boolean]> = [];
        const atOnce = markBars(state, bars, 0, bars.length, (_bar, equity, exposed) =>
          seen.push([equity, exposed]),
        );
        expect(atOnce).toEqual(oneByOne);
        expect(seen).toEqual(expected);
        // The state it started from is left as it was: its holdings are shared, never written.
        expect([...state.holdings]).toEqual(holdingsBefore);
      }),
      { numRuns: 300 },
    );
  });

  it('lets the catch-up interleave order events and bars as before', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { bars } = setUp(s);
        const sorted = [...bars].sort((a, b) => a.timestamp - b.timestamp);
        const orders = s.buys.map((b, i) =>
          filledBuy(i + 1, b.symbol, b.quantity, b.price, T0 + (i * 7 + 3) * 60_000),
        );
        let expected = initialPortfolio(100_000).state;
        let folded = 0;
        for (const bar of sorted) {
          while (folded < orders.length && (orders[folded]?.event_time as number) < bar.timestamp)
            expected = foldPortfolio(expected, {
              kind: 'order',
              event: orders[folded++] as OrderEvent,
            }).state;
          expected = foldPortfolio(expected, { kind: 'bar', bar }).state;
        }
        while (folded < orders.length)
          expected = foldPortfolio(expected, { kind: 'order', event: orders[folded++] as OrderEvent }).state;
        expect(catchUpPortfolio(initialPortfolio(100_000).state, sorted, orders)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
