import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldPortfolio, type PortfolioState } from '../../../projections/portfolio/portfolio-fold.ts';
import {
  validateOrder,
  type MarketData,
  type MlSignal,
  type OrderEvent,
  type PredictionType,
  type Signal,
} from '../../../src/contracts/index.ts';
import { decide } from '../../../streams/decision/decide.ts';
import type { DecisionSettings } from '../../../streams/decision/decision-settings.ts';
import { initialDecisionState } from '../../../streams/decision/decision-state.ts';
import { stepExchange, type ExchangeInput } from '../../../streams/exchange/exchange-decide.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  initialExchangeState,
  type ExchangeState,
} from '../../../streams/exchange/exchange-state.ts';
import { SETTINGS, T0, cashOnly, signal } from './decision-fixtures.ts';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] as const;
const MODELS = ['random_forest', 'svm', 'logistic_regression'] as const;
const TYPES: readonly PredictionType[] = ['price', 'price_change', 'trend'];

/** A uniform number in [min, max] with two decimals (fc.double favours tiny values and edge cases). */
const uniform = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((n) => n / 100);

const vote = fc.record({
  model: fc.constantFrom(...MODELS),
  type: fc.constantFrom(...TYPES),
  signal: fc.constantFrom<Signal>('BUY', 'BUY', 'SELL', 'HOLD'),
  // Half of them at least medium, so orders are frequent.
  confidence: fc.oneof(uniform(0, 1), uniform(0.6, 1)),
  change: uniform(0, 6),
  volatility: uniform(0, 3),
});

/** One minute: a bar of one symbol, then the models' signals on it. */
const minute = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  move: uniform(-6, 6).map((pct) => pct / 100),
  votes: fc.array(vote, { minLength: 1, maxLength: 4, size: 'max' }),
});

const settings = fc.record({
  positionSizePct: uniform(1, 100),
  maxPositionPct: uniform(1, 100),
  volatilityScaling: fc.boolean(),
  quantityStep: fc.constantFrom(0.000001, 0.001, 0.1, 1),
  maxPositionsPerSymbol: fc.integer({ min: 1, max: 3 }),
  cooldownMs: fc.constantFrom(0, 60_000, 900_000),
  maxDrawdownPct: fc.constantFrom(5, 10, 50),
  minOrderValue: fc.constantFrom(0, 10),
});

const START_PRICES: Record<string, number> = { BTCUSDT: 42_000.17, ETHUSDT: 2_250.5, SOLUSDT: 0.0123 };

/** Cash the exchange still owes to PENDING BUYs at the decision price, with the fee. */
const promised = (exchange: ExchangeState, feeRate: number): number =>
  [...exchange.open.values()]
    .filter((o) => o.status === 'PENDING' && o.action === 'BUY')
    .reduce((sum, o) => sum + o.total_value * (1 + feeRate), 0);

describe('decide: properties over random markets and signals, through the real exchange and ledger', () => {
  it('every order passes the contract, no BUY spends cash it does not have, and the exchange never has to refuse one', () => {
    fc.assert(
      fc.property(
        fc.array(minute, { minLength: 1, maxLength: 60, size: 'max' }),
        settings,
        (minutes, overrides) => {
          const rules: DecisionSettings = { ...SETTINGS, ...overrides };
          const exchangeSettings = { ...DEFAULT_EXCHANGE_SETTINGS, feeRate: rules.feeRate };
          let exchange = initialExchangeState(exchangeSettings);
          let portfolio: PortfolioState = cashOnly();
          let state = initialDecisionState();
          const prices = new Map(Object.entries(START_PRICES));
          const ids = new Set<string>();
          const events: OrderEvent[] = [];
          const feed = (input: ExchangeInput): void => {
            const step = stepExchange(exchange, input, exchangeSettings);
            exchange = step.state;
            portfolio = foldPortfolio(portfolio, input).state;
            for (const event of step.emitted)
              portfolio = foldPortfolio(portfolio, { kind: 'order', event }).state;
            events.push(...step.emitted);
          };

          minutes.forEach(({ symbol, move, votes }, i) => {
            const time = T0 + (i + 1) * 60_000;
            const open = prices.get(symbol) as number;
            const close = Number((open * (1 + move)).toFixed(8));
            prices.set(symbol, close);
            const bar: MarketData = {
              symbol,
              timestamp: time,
              price: close,
              open,
              high: Math.max(open, close),
              low: Math.min(open, close),
              volume: 1,
              price_change_pct: move * 100,
            };
            feed({ kind: 'bar', bar });
            for (const v of votes) {
              const s: MlSignal = signal({
                symbol,
                timestamp: time,
                model: v.model,
                prediction_type: v.type,
                signal: v.signal,
                confidence: v.confidence,
                current_price: close,
                expected_change_pct: v.signal === 'SELL' ? -v.change : v.change,
                features: {
                  ma_7: close,
                  ma_25: close,
                  rsi_14: 50,
                  volatility_7d: v.volatility,
                  volume_change_pct: 0,
                },
              });
              const available = portfolio.cash - promised(exchange, rules.feeRate);
              const decision = decide(state, s, portfolio, rules);
              state = decision.state;
              expect(decision.orders.length + decision.reasons.length).toBe(1);
              for (const order of decision.orders) {
                expect(validateOrder(order)).toEqual([]);
                expect(order.total_value).toBe(order.quantity * order.price);
                expect(ids.has(order.order_id)).toBe(false);
                ids.add(order.order_id);
                if (order.action === 'BUY')
                  expect(order.total_value * (1 + rules.feeRate)).toBeLessThanOrEqual(available + 1e-9);
                feed({ kind: 'order', event: order });
              }
            }
            expect(portfolio.cash).toBeGreaterThanOrEqual(-1e-9);
            for (const sym of SYMBOLS) {
              const open = [...exchange.positions.values()].filter((p) => p.symbol === sym).length;
              expect(open).toBeLessThanOrEqual(rules.maxPositionsPerSymbol);
            }
          });
          // MARKET orders at the decision price (the next bar opens at the last close): nothing to cancel.
          expect(events.filter((e) => e.status === 'CANCELLED')).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
