import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  foldPortfolio,
  equityOf,
  initialPortfolio,
  type PortfolioInput,
  type PortfolioRows,
  type PortfolioState,
} from '../../../projections/portfolio/portfolio-fold.ts';
import type { ExchangeInput } from '../../../streams/exchange/exchange-decide.ts';
import { stepExchange } from '../../../streams/exchange/exchange-decide.ts';
import { DEFAULT_EXCHANGE_SETTINGS, initialExchangeState } from '../../../streams/exchange/exchange-state.ts';
import { at, bar, order, script } from '../../support/exchange-script.ts';

/** Runs the exchange over the inputs, and the portfolio over what crypto.orders would then hold, interleaved as the log has it. */
function runPipeline(inputs: ExchangeInput[], check?: (state: PortfolioState, rows: PortfolioRows) => void) {
  let exchange = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS);
  let { state: portfolio } = initialPortfolio(DEFAULT_EXCHANGE_SETTINGS.initialCash);
  const rows: PortfolioRows[] = [];
  const feed = (input: PortfolioInput): void => {
    const next = foldPortfolio(portfolio, input);
    portfolio = next.state;
    rows.push(next.rows);
    check?.(portfolio, next.rows);
  };
  for (const input of inputs) {
    const step = stepExchange(exchange, input, DEFAULT_EXCHANGE_SETTINGS);
    exchange = step.state;
    feed(input);
    for (const event of step.emitted) feed({ kind: 'order', event });
  }
  return { exchange, portfolio, rows };
}

const sumOfLines = (rows: PortfolioRows[]): number =>
  rows
    .flatMap((r) => r.postings)
    .flatMap((p) => p.lines)
    .reduce((sum, l) => sum + l.amount, 0);

describe('the portfolio projection', () => {
  it('reconciles with the exchange on the scripted market, to the cent computed by hand', () => {
    const { exchange, portfolio, rows } = runPipeline(script());
    expect(portfolio.cash).toBeCloseTo(exchange.cash, 9);
    expect(portfolio.cash).toBeCloseTo(9_068.574, 9);
    expect(portfolio.realizedPnl).toBeCloseTo(59.564, 9);
    expect(portfolio.fees).toBeCloseTo(16.436 + 0.99, 9);
    expect([...portfolio.holdings.values()]).toEqual([
      { symbol: 'AAAUSDT', quantity: 10, cost: 990, markPrice: 99 },
    ]);
    // Marked at its fill price, 99: the bar it filled in was folded before the fill, as the log has it.
    expect(equityOf(portfolio)).toBeCloseTo(9_068.574 + 10 * 99, 9);
    const trades = rows.flatMap((r) => (r.trade === undefined ? [] : [r.trade]));
    expect(trades.map((t) => [t.orderId.slice(-3), t.reason, t.realizedPnl])).toEqual([
      ['001', 'TAKE_PROFIT', 47.95],
      ['002', 'STOP_LOSS', -26.138],
      ['003', 'SELL_SIGNAL', 39.95],
      ['008', 'STOP_LOSS', -2.198],
    ]);
    expect(trades[0]).toMatchObject({
      entryTime: at(1),
      exitTime: at(2),
      entryPrice: 100,
      exitPrice: 105,
      fees: 2.05,
    });
  });

  it('keeps a balanced double-entry ledger whose accounts match the portfolio', () => {
    const { portfolio, rows } = runPipeline(script());
    expect(Math.abs(sumOfLines(rows))).toBeLessThan(1e-9);
    const balance = (account: string): number => portfolio.balances.get(account as never) ?? 0;
    expect(balance('cash')).toBeCloseTo(portfolio.cash, 9);
    expect(balance('position:AAAUSDT')).toBeCloseTo(990, 9);
    expect(balance('fees')).toBeCloseTo(portfolio.fees, 9);
    // Realized PnL net of fees = -(realized_pnl account) - fees of the closed trades.
    expect(-balance('realized_pnl') - 16.436).toBeCloseTo(portfolio.realizedPnl, 9);
    expect(balance('capital')).toBe(-10_000);
  });

  it('ignores repeated events', () => {
    const { portfolio, rows } = runPipeline(script());
    const events = rows.flatMap((r) => (r.orderEvent === undefined ? [] : [r.orderEvent]));
    let again = portfolio;
    for (const event of events) again = foldPortfolio(again, { kind: 'order', event }).state;
    expect(again).toBe(portfolio);
  });

  it('holds its invariants after every event on random markets and orders', () => {
    const market = fc.array(
      fc.record({
        move: fc.double({ min: -0.04, max: 0.04, noNaN: true }),
        range: fc.double({ min: 0, max: 0.03, noNaN: true }),
        order: fc.option(fc.record({ buy: fc.boolean(), quantity: fc.integer({ min: 1, max: 80 }) }), {
          nil: undefined,
        }),
      }),
      { minLength: 5, maxLength: 60 },
    );
    fc.assert(
      fc.property(market, (steps) => {
        const inputs: ExchangeInput[] = [];
        let price = 100;
        steps.forEach((step, i) => {
          if (step.order !== undefined) {
            const { buy, quantity } = step.order;
            inputs.push(
              order(i, buy ? 'BUY' : 'SELL', quantity, price, buy ? [price * 0.98, price * 1.05] : [0, 0]),
            );
          }
          const open = price;
          price = Math.max(1, open * (1 + step.move));
          const high = Math.max(open, price) * (1 + step.range);
          const low = Math.min(open, price) * (1 - step.range);
          inputs.push(bar(i + 1, open, high, low, price));
        });
        const rows: PortfolioRows[] = [];
        runPipeline(inputs, (state, row) => {
          rows.push(row);
          for (const posting of row.postings)
            expect(Math.abs(posting.lines.reduce((s, l) => s + l.amount, 0))).toBeLessThan(1e-9);
          expect(state.cash).toBeGreaterThanOrEqual(-1e-9);
          expect(state.balances.get('cash') ?? 0).toBeCloseTo(state.cash, 6);
          const marked = [...state.holdings.values()].reduce((s, h) => s + h.quantity * h.markPrice, 0);
          expect(equityOf(state)).toBeCloseTo(state.cash + marked, 6);
        });
        const orderIds = rows.flatMap((r) =>
          r.orderEvent?.status === 'FILLED' ? [r.orderEvent.order_id] : [],
        );
        expect(new Set(orderIds).size).toBe(orderIds.length);
      }),
      { numRuns: 300 },
    );
  });
});
