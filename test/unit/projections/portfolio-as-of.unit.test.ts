import { describe, expect, it } from 'vitest';
import { portfolioAsOf, type JournalEntry } from '../../../projections/portfolio/portfolio-as-of.ts';
import {
  foldPortfolio,
  initialPortfolio,
  type PortfolioInput,
} from '../../../projections/portfolio/portfolio-fold.ts';
import { portfolioStateHash } from '../../../projections/portfolio/state-hash.ts';
import { stepExchange } from '../../../streams/exchange/exchange-decide.ts';
import { DEFAULT_EXCHANGE_SETTINGS, initialExchangeState } from '../../../streams/exchange/exchange-state.ts';
import { script } from '../../support/exchange-script.ts';

/** The scripted market's journal as the store writes it: what changed the state, with order offsets. */
function journalOfScript(): { journal: JournalEntry[]; inputs: PortfolioInput[] } {
  const inputs: PortfolioInput[] = [];
  let exchange = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS);
  for (const input of script()) {
    const step = stepExchange(exchange, input, DEFAULT_EXCHANGE_SETTINGS);
    exchange = step.state;
    inputs.push(input, ...step.emitted.map((event) => ({ kind: 'order' as const, event })));
  }
  let { state } = initialPortfolio(10_000);
  const journal: JournalEntry[] = [];
  let offset = 0;
  for (const input of inputs) {
    const next = foldPortfolio(state, input);
    state = next.state;
    if (next.rows.orderEvent !== undefined)
      journal.push({
        input,
        time: next.rows.orderEvent.event_time ?? next.rows.orderEvent.timestamp,
        ordersOffset: offset,
      });
    else if (next.rows.mark !== undefined) journal.push({ input, time: next.rows.mark.timestamp });
    if (input.kind === 'order') offset++;
  }
  return { journal, inputs };
}

describe('the portfolio as of a past point, re-folded from the journal', () => {
  it('past the end, the journal alone re-folds to the same state as every input did', () => {
    const { journal, inputs } = journalOfScript();
    let { state } = initialPortfolio(10_000);
    for (const input of inputs) state = foldPortfolio(state, input).state;
    const replayed = portfolioAsOf(10_000, journal, { kind: 'offset', offset: Number.MAX_SAFE_INTEGER });
    expect(portfolioStateHash(replayed)).toBe(portfolioStateHash(state));
    expect(replayed.holdings).toEqual(state.holdings);
    expect(portfolioAsOf(10_000, journal, { kind: 'time', at: Number.MAX_SAFE_INTEGER })).toEqual(replayed);
  });

  it('an offset cut is the prefix of the order log: each later offset adds exactly its event', () => {
    const { journal } = journalOfScript();
    const statuses = (offset: number): string[] =>
      [...portfolioAsOf(10_000, journal, { kind: 'offset', offset }).orders.values()].map((o) => o.status);
    expect(statuses(0)).toEqual([]);
    expect(statuses(1)).toEqual(['PENDING']);
    expect(statuses(3)).toEqual(['CLOSED']); // offsets 0-2: 001 PENDING, FILLED, CLOSED
    expect(statuses(4)).toEqual(['CLOSED', 'PENDING']);
  });
});
