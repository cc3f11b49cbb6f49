import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  foldPortfolio,
  initialPortfolio,
  type PortfolioState,
} from '../../../projections/portfolio/portfolio-fold.ts';
import { PortfolioStore, type StoredRows } from '../../../projections/portfolio/portfolio-store.ts';
import { SignalStore, type SignalRow } from '../../../projections/signals/signal-store.ts';
import type { ApiDependencies } from '../../../src/api/api-context.ts';
import { buildApi } from '../../../src/api/build-api.ts';
import { createMetrics } from '../../../src/api/metrics.ts';
import type { ControlAction, OperatorControl, OrderEvent } from '../../../src/contracts/index.ts';
import { controlsView, type OperatorControls } from '../../../src/controls/index.ts';
import { CmlError, ErrorCodes } from '../../../src/errors/index.ts';
import { stepExchange } from '../../../streams/exchange/exchange-decide.ts';
import { DEFAULT_EXCHANGE_SETTINGS, initialExchangeState } from '../../../streams/exchange/exchange-state.ts';
import { at, script } from '../../support/exchange-script.ts';
import { pendingOrder, signalAt } from '../../support/messages.ts';

export const API_KEY = 'test-key-0123456789abcdef';

/** An order still PENDING at the end of the scripted market (offset 22 of crypto.orders). */
export const pending010 = pendingOrder({
  order_id: 'ORD-20240101-010',
  symbol: 'AAAUSDT',
  timestamp: at(11),
  quantity: 1,
  price: 100,
  total_value: 100,
  risk_management: { stop_loss: 98, take_profit: 105, stop_loss_pct: -2, take_profit_pct: 5 },
});

/** Six signals: BTCUSDT and ETHUSDT, two models, one a minute from `SIGNAL_T0`, over three partitions. */
export const SIGNAL_T0 = Date.UTC(2024, 0, 2);
export const signalRows = (): SignalRow[] =>
  [
    { symbol: 'BTCUSDT', model: 'random_forest', signal: 'BUY' },
    { symbol: 'ETHUSDT', model: 'svm', signal: 'SELL' },
    { symbol: 'BTCUSDT', model: 'svm', signal: 'HOLD' },
    { symbol: 'BTCUSDT', model: 'random_forest', signal: 'SELL' },
    { symbol: 'ETHUSDT', model: 'random_forest', signal: 'BUY' },
    { symbol: 'BTCUSDT', model: 'random_forest', signal: 'BUY' },
  ].map((s, i) => ({
    signal: signalAt(SIGNAL_T0 + i * 60_000, { ...s, signal: s.signal as 'BUY' | 'SELL' | 'HOLD' }),
    partition: i % 3,
    offset: Math.floor(i / 3),
  }));

/**
 * The scripted market folded into a store as the projection does it (each order event's row with
 * its crypto.orders offset, in log order: the input, then what the exchange appended on it),
 * plus a last PENDING order, and six signals in a signal store.
 */
export async function fixtureStores(): Promise<{
  store: PortfolioStore;
  signals: SignalStore;
  state: PortfolioState;
}> {
  const store = PortfolioStore.open(mkdtempSync(join(tmpdir(), 'cml-api-')));
  let { state, rows } = initialPortfolio(10_000);
  const allRows: StoredRows[] = [rows];
  let offset = 0;
  let exchange = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS);
  const inputs = [...script(), { kind: 'order' as const, event: pending010 }];
  for (const input of inputs) {
    const step = stepExchange(exchange, input, DEFAULT_EXCHANGE_SETTINGS);
    exchange = step.state;
    for (const next of [input, ...step.emitted.map((event) => ({ kind: 'order' as const, event }))]) {
      ({ state, rows } = foldPortfolio(state, next));
      allRows.push(next.kind === 'order' ? { ...rows, ordersOffset: offset++ } : rows);
    }
  }
  await store.commit(state, new Map(), allRows);
  const signals = SignalStore.open(mkdtempSync(join(tmpdir(), 'cml-api-signals-')));
  await signals.commit(new Map(), signalRows());
  return { store, signals, state };
}

/**
 * Operators' controls kept in memory: what was asked is recorded, a force-close of a symbol with
 * no open lot in the portfolio is refused, as the log-backed ones do.
 */
function recordingControls(portfolio: () => { lots: ReadonlyMap<string, { symbol: string }> }): {
  operator: OperatorControls;
  requested: OperatorControl[];
} {
  const requested: OperatorControl[] = [];
  const ask = (action: ControlAction, r: { symbol?: string; by: string; reason?: string }) => {
    requested.push({
      control_id: `control-${requested.length + 1}`,
      action,
      symbol: r.symbol ?? null,
      requested_at: at(12),
      requested_by: r.by,
      reason: r.reason ?? null,
      applied_from: null,
    });
    return Promise.resolve();
  };
  return {
    requested,
    operator: {
      pauseEntries: (r) => ask('PAUSE_ENTRIES', r),
      resumeEntries: (r) => ask('RESUME_ENTRIES', r),
      forceClose: (r) =>
        [...portfolio().lots.values()].some((lot) => lot.symbol === r.symbol)
          ? ask('FORCE_CLOSE', r)
          : Promise.reject(new CmlError(ErrorCodes.CONTROL_REFUSED, `no open ${r.symbol} position to close`)),
    },
  };
}

/** The API over the stores, with an appender and controls that record what they are given. */
export async function fixtureApi(
  stores: { store: PortfolioStore; signals: SignalStore },
  overrides: Partial<ApiDependencies> = {},
): Promise<{ app: FastifyInstance; appended: OrderEvent[][]; controlRequests: OperatorControl[] }> {
  const appended: OrderEvent[][] = [];
  const { operator, requested } = recordingControls(() => stores.store.summary(10_000));
  const app = await buildApi({
    store: stores.store,
    portfolio: () => stores.store.summary(10_000),
    signals: stores.signals,
    appendOrders: (events) => {
      appended.push([...events]);
      return Promise.resolve();
    },
    metrics: createMetrics({ defaultMetrics: false }),
    now: () => at(12),
    controls: { operator, view: () => Promise.resolve(controlsView(requested)) },
    ...overrides,
  });
  return { app, appended, controlRequests: requested };
}
