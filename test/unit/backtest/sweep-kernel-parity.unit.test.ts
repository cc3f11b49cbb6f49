import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SignalTape } from '../../../src/backtest/lockstep-engine.ts';
import { buildSignalTape } from '../../../src/backtest/lockstep-engine.ts';
import {
  expandGrid,
  parseGridAxis,
  prepareSweep,
  RowEvaluator,
  type SweepContext,
} from '../../../src/backtest/sweep/index.ts';
import { evaluateRow, tradeRowOnEngine } from '../../../src/backtest/sweep/sweep-evaluate.ts';
import {
  kernelRefuses,
  kernelTapeOf,
  tradeOnKernel,
  type KernelTape,
} from '../../../src/backtest/sweep/sweep-kernel.ts';
import type { SweepRow } from '../../../src/backtest/sweep/sweep-plan.ts';
import { loadConfig } from '../../../src/config/index.ts';
import type { MarketData, MlSignal, PredictionType, Signal } from '../../../src/contracts/index.ts';
import { MarketSimulator } from '../../../src/ingest/simulator/market-simulator.ts';
import { DEFAULT_DECISION_SETTINGS, type DecisionSettings } from '../../../streams/decision/index.ts';
import { DEFAULT_EXCHANGE_SETTINGS } from '../../../streams/exchange/index.ts';
import { signalAt } from '../../support/messages.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);
const FIVE_MINUTES = 300_000;
const SOURCES: readonly { model: string; prediction_type: PredictionType }[] = [
  { model: 'ma_rsi_rule', prediction_type: 'trend' },
  { model: 'random_forest', prediction_type: 'trend' },
  { model: 'random_forest', prediction_type: 'price' },
];

function kernelTape(tape: SignalTape, context: SweepContext): KernelTape {
  const laid = kernelTapeOf(tape, context);
  if (typeof laid === 'string') throw new Error(`the kernel refused the tape: ${laid}`);
  return laid;
}

const rowOf = (decision: DecisionSettings): SweepRow => ({
  id: 1,
  tape: 't',
  models: [],
  values: {},
  decision,
});

/** A random market and random signals of up to three sources, as a tape and its sweep context. */
const marketArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  bars: fc.integer({ min: 60, max: 500 }),
  volatility: fc.constantFrom(0.8, 2, 6),
  sources: fc.integer({ min: 1, max: 3 }),
  /** Per mille of bars with a signal from each source. */
  density: fc.integer({ min: 50, max: 1_000 }),
  feeRate: fc.constantFrom(0, 0.001, 0.0025),
  slippageBps: fc.constantFrom(0, 5, 30),
  initialCash: fc.constantFrom(10_000, 250, 1_000_000),
});

type MarketDraw = typeof marketArb extends fc.Arbitrary<infer T> ? T : never;

const decisionArb = fc
  .record({
    stopLossPct: fc.double({ min: -6, max: -0.1, noNaN: true }),
    takeProfitPct: fc.double({ min: 0.1, max: 8, noNaN: true }),
    buyThresholdPct: fc.double({ min: -1, max: 2, noNaN: true }),
    minConfidence: fc.double({ min: 0, max: 0.9, noNaN: true }),
    highConfidenceAbove: fc.double({ min: 0, max: 0.5, noNaN: true }),
    positionSizePct: fc.double({ min: 1, max: 100, noNaN: true }),
    maxPositionPct: fc.double({ min: 1, max: 100, noNaN: true }),
    volatilityScaling: fc.boolean(),
    cooldownMs: fc.constantFrom(0, FIVE_MINUTES, 3_600_000),
    maxDrawdownPct: fc.constantFrom(0.5, 2, 10, 100),
    agreementWindowMs: fc.constantFrom(0, FIVE_MINUTES, 3_600_000),
    minOrderValue: fc.constantFrom(0, 10, 500),
    quantityStep: fc.constantFrom(0.000001, 0.001, 1),
  })
  .map(({ highConfidenceAbove, ...d }): DecisionSettings => ({
    ...DEFAULT_DECISION_SETTINGS,
    ...d,
    highConfidence: Math.min(1, d.minConfidence + highConfidenceAbove),
    feeRate: 0.001,
  }));

function randomRun(market: MarketDraw) {
  const simulator = new MarketSimulator({
    symbols: [
      { symbol: 'BTCUSDT', startPrice: 30_000, annualVolatility: market.volatility, baseVolume: 1_000 },
    ],
    intervalMs: FIVE_MINUTES,
    start: Date.UTC(2024, 0, 1, 22),
    seed: market.seed,
  });
  // A second generator, seeded alike, draws the signals.
  let state = market.seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const bars: MarketData[] = [];
  const tape: SignalTape['steps'][number][] = [];
  for (let i = 0; i < market.bars; i++) {
    const bar = simulator.next()[0] as MarketData;
    bars.push(bar);
    const signals: MlSignal[] = [];
    for (const source of SOURCES.slice(0, market.sources)) {
      if (random() * 1_000 >= market.density) continue;
      const roll = random();
      const signal: Signal = roll < 0.4 ? 'BUY' : roll < 0.7 ? 'SELL' : 'HOLD';
      signals.push(
        signalAt(bar.timestamp, {
          ...source,
          current_price: bar.price,
          predicted_value: bar.price,
          signal,
          confidence: Math.round(random() * 100) / 100,
          expected_change_pct: (random() - 0.4) * 5,
          features: {
            ma_7: bar.price,
            ma_25: bar.price,
            rsi_14: 50,
            volatility_7d: random() * 2,
            volume_change_pct: 0,
          },
        }),
      );
    }
    tape.push({ time: bar.timestamp, bars: [bar], signals });
  }
  const tradedFrom = Math.floor(market.bars / 10);
  const context: SweepContext = {
    bars,
    tradedFrom,
    outOfSampleFrom: tradedFrom + Math.floor((market.bars - tradedFrom) * 0.6),
    symbol: 'BTCUSDT',
    partitions: { marketData: 3, signals: 3 },
    exchange: {
      ...DEFAULT_EXCHANGE_SETTINGS,
      feeRate: market.feeRate,
      slippageBps: market.slippageBps,
      initialCash: market.initialCash,
    },
    tapes: [],
    artifacts: {},
  };
  const signalTape: SignalTape = {
    steps: tape,
    counts: { bars: bars.length, signals: 0, deadLetteredBars: 0, rejectedSignals: 0 },
  };
  return { tape: signalTape, context };
}

describe('the sweep kernel trades as the research engine does', () => {
  it('over random markets, signals and settings (property)', () => {
    const seen = { trades: 0, reasons: new Set<string>(), rows: 0 };
    fc.assert(
      fc.property(marketArb, decisionArb, (market, decision) => {
        const { tape, context } = randomRun(market);
        const engine = tradeRowOnEngine(tape, rowOf(decision), context);
        const kernel = tradeOnKernel(kernelTape(tape, context), decision, context);
        expect(kernel).toStrictEqual(engine);
        seen.rows++;
        seen.trades += engine.trades.length;
        for (const trade of engine.trades) seen.reasons.add(trade.reason);
      }),
      { numRuns: 300 },
    );
    // The markets and settings drawn make trades, closed every way the exchange closes them.
    expect(seen.trades).toBeGreaterThan(seen.rows);
    expect([...seen.reasons].sort()).toEqual(['SELL_SIGNAL', 'STOP_LOSS', 'TAKE_PROFIT']);
  });

  it('on the bundled candles with the MA/RSI rule, row by row over a grid', { timeout: 120_000 }, () => {
    const config = loadConfig({
      env: {
        CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-kernel-')),
        ML_MODELS: 'ma_rsi_rule:trend',
        DECISION_COOLDOWN_MS: '0',
      },
    });
    const combinations = expandGrid(
      [
        'stopLossPct=-0.5,-1,-2,-4',
        'takeProfitPct=0.5,1,3,6',
        'positionSizePct=10,50,100',
        'maxPositionPct=25,100',
      ].map(parseGridAxis),
    );
    const { plan, context } = prepareSweep({
      config,
      file: FIXTURE,
      trainShare: 0.5,
      outOfSampleShare: 0.3,
      combinations,
    });
    const tape = buildSignalTape({
      bars: context.bars,
      artifacts: context.artifacts[plan.rows[0]?.tape as string] ?? [],
      partitions: context.partitions,
    });
    const laid = kernelTape(tape, context);
    let trades = 0;
    for (const row of plan.rows) {
      const engine = tradeRowOnEngine(tape, row, context);
      expect(tradeOnKernel(laid, row.decision, context), `row ${row.id}`).toStrictEqual(engine);
      trades += engine.trades.length;
    }
    expect(trades / plan.rows.length).toBeGreaterThan(50);
    // What a sweep reports for a row, on the kernel or (two positions) on the engine, is the engine's.
    const evaluator = new RowEvaluator(context);
    for (const row of [plan.rows[0], plan.rows[17], plan.rows.at(-1)] as SweepRow[]) {
      expect(evaluator.evaluate(row)).toStrictEqual(evaluateRow(tape, row, context));
      const two = { ...row, decision: { ...row.decision, maxPositionsPerSymbol: 2 } };
      expect(evaluator.evaluate(two)).toStrictEqual(evaluateRow(tape, two, context));
    }
  });

  it("at the exchange's cash tolerance: a fill that needs up to 1e-9 more than the cash, and one that needs more", () => {
    // Ten units bought with all the cash at a signal bar's close of 99 fill at the next open, 100:
    // 1,000 USDT needed, no fee. Random prices never land within 1e-9 of the cash; these do.
    const start = Date.UTC(2024, 0, 1);
    const bar = (i: number, open: number, close: number): MarketData => ({
      symbol: 'BTCUSDT',
      timestamp: start + i * FIVE_MINUTES,
      price: close,
      open,
      high: Math.max(open, close) + 1,
      low: Math.min(open, close) - 1,
      volume: 1_000,
      price_change_pct: ((close - open) / open) * 100,
    });
    const bars = [bar(0, 99, 99), bar(1, 100, 100), bar(2, 100, 101), bar(3, 101, 101)];
    const buy = signalAt(bars[0]?.timestamp, {
      model: 'ma_rsi_rule',
      prediction_type: 'trend',
      signal: 'BUY',
      confidence: 1,
      expected_change_pct: 5,
      current_price: 99,
      predicted_value: 99,
    });
    const tape: SignalTape = {
      steps: bars.map((b, i) => ({ time: b.timestamp, bars: [b], signals: i === 0 ? [buy] : [] })),
      counts: { bars: bars.length, signals: 1, deadLetteredBars: 0, rejectedSignals: 0 },
    };
    const decision: DecisionSettings = {
      ...DEFAULT_DECISION_SETTINGS,
      positionSizePct: 100,
      maxPositionPct: 100,
      quantityStep: 1,
      feeRate: 0,
    };
    const filled = (initialCash: number): boolean => {
      const context: SweepContext = {
        bars,
        tradedFrom: 0,
        outOfSampleFrom: 2,
        symbol: 'BTCUSDT',
        partitions: { marketData: 3, signals: 3 },
        exchange: { ...DEFAULT_EXCHANGE_SETTINGS, feeRate: 0, slippageBps: 0, initialCash },
        tapes: [],
        artifacts: {},
      };
      const engine = tradeRowOnEngine(tape, rowOf(decision), context);
      expect(tradeOnKernel(kernelTape(tape, context), decision, context)).toStrictEqual(engine);
      return engine.series.exposed.some((open) => open === 1);
    };
    expect(filled(1_000 - 5e-10)).toBe(true);
    expect(filled(1_000 - 2e-9)).toBe(false);
  });

  it('leaves to the engine the tapes and settings it does not cover', () => {
    const { tape, context } = randomRun({
      seed: 3,
      bars: 100,
      volatility: 2,
      sources: 1,
      density: 600,
      feeRate: 0.001,
      slippageBps: 0,
      initialCash: 10_000,
    });
    expect(kernelTapeOf(tape, { ...context, symbol: 'ETHUSDT' })).toBe('several symbols');
    expect(kernelTapeOf({ ...tape, counts: { ...tape.counts, deadLetteredBars: 1 } }, context)).toBe(
      'bars were dead-lettered',
    );
    expect(kernelRefuses({ ...DEFAULT_DECISION_SETTINGS, maxPositionsPerSymbol: 2 })).toBe(
      'maxPositionsPerSymbol is not 1',
    );
    expect(kernelRefuses({ ...DEFAULT_DECISION_SETTINGS, orderType: 'LIMIT' })).toBe('orders are not MARKET');
    expect(kernelRefuses(DEFAULT_DECISION_SETTINGS)).toBeUndefined();
  });
});
