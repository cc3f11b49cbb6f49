import {
  foldPortfolio,
  initialPortfolio,
  type PortfolioState,
} from '../../../projections/portfolio/portfolio-fold.ts';
import type { MlSignal, OrderEvent } from '../../../src/contracts/index.ts';
import { decide, type Decision } from '../../../streams/decision/decide.ts';
import {
  DEFAULT_DECISION_SETTINGS,
  type DecisionSettings,
} from '../../../streams/decision/decision-settings.ts';
import type { DecisionState } from '../../../streams/decision/decision-state.ts';
import { marketDataAt, signalAt } from '../../support/messages.ts';

/** 2024-01-02 10:00 UTC: the decision tests' clock starts here. */
export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);
export const MINUTE = 60_000;
export const at = (minutes: number): number => T0 + minutes * MINUTE;

/** The spec's defaults, with a round price so sizes can be checked by hand. */
export const SETTINGS: DecisionSettings = DEFAULT_DECISION_SETTINGS;

/** A high-confidence BUY of BTCUSDT at 100 USDT, one minute into the test day unless overridden. */
export const signal = (overrides: Partial<MlSignal> = {}): MlSignal =>
  signalAt(at(1), {
    current_price: 100,
    predicted_value: 102,
    expected_change_pct: 2,
    features: { ma_7: 99, ma_25: 98, rsi_14: 55, volatility_7d: 1, volume_change_pct: 0 },
    ...overrides,
  });

export const cashOnly = (cash = 10_000): PortfolioState => initialPortfolio(cash).state;

/** The portfolio after folding order events (and bars) as the ledger projection does. */
export function settle(
  portfolio: PortfolioState,
  ...events: (OrderEvent | { mark: string; price: number; time: number })[]
): PortfolioState {
  let state = portfolio;
  for (const event of events) {
    const input =
      'mark' in event
        ? ({
            kind: 'bar',
            bar: marketDataAt(event.time, event.mark, {
              price: event.price,
              open: event.price,
              high: event.price,
              low: event.price,
            }),
          } as const)
        : ({ kind: 'order', event } as const);
    state = foldPortfolio(state, input).state;
  }
  return state;
}

export const filled = (order: OrderEvent, price: number, time: number, fee = 0): OrderEvent => ({
  ...order,
  status: 'FILLED',
  sequence: 1,
  event_time: time,
  fill_price: price,
  fill_fee: fee,
});

export const closed = (
  fill: OrderEvent,
  exit: number,
  time: number,
  reason: 'STOP_LOSS' | 'TAKE_PROFIT' | 'SELL_SIGNAL' = 'STOP_LOSS',
): OrderEvent => ({
  ...fill,
  status: 'CLOSED',
  sequence: 2,
  event_time: time,
  exit_price: exit,
  exit_fee: 0,
  close_reason: reason,
  realized_pnl: fill.quantity * (exit - (fill.fill_price ?? fill.price)),
});

export const cancelled = (order: OrderEvent, time: number): OrderEvent => ({
  ...order,
  status: 'CANCELLED',
  sequence: 1,
  event_time: time,
  cancel_reason: 'INSUFFICIENT_CASH',
  cancel_detail: 'test',
});

/** Decides signals one after the other on the same portfolio, threading the state. */
export function decideAll(
  state: DecisionState,
  signals: readonly MlSignal[],
  portfolio: PortfolioState,
  settings: DecisionSettings = SETTINGS,
): { state: DecisionState; decisions: Decision[] } {
  const decisions: Decision[] = [];
  let current = state;
  for (const s of signals) {
    const decision = decide(current, s, portfolio, settings);
    current = decision.state;
    decisions.push(decision);
  }
  return { state: current, decisions };
}

/** The only order of a decision, or a failure naming why there is none. */
export function onlyOrder(decision: Decision): OrderEvent {
  if (decision.orders.length !== 1)
    throw new Error(`expected one order, got ${decision.orders.length}: ${JSON.stringify(decision.reasons)}`);
  return decision.orders[0] as OrderEvent;
}
