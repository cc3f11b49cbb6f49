import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runLockstep, type LockstepResult } from '../../../src/backtest/lockstep-engine.ts';
import { replayPipeline } from '../../../src/backtest/run-backtest.ts';
import { loadConfig, type Config } from '../../../src/config/index.ts';
import { MARKET_DATA, ML_SIGNALS, ORDERS, type MarketData } from '../../../src/contracts/index.ts';
import { MarketSimulator } from '../../../src/ingest/simulator/market-simulator.ts';
import {
  modelSpecsOf,
  modelsDirOf,
  readBarsFile,
  servedSlotsOf,
  trainModels,
  trainSettingsOf,
} from '../../../src/ml/index.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { rebuildPortfolio } from '../../../projections/portfolio/rebuild-portfolio.ts';
import { decisionSettingsOf } from '../../../streams/decision/index.ts';
import { exchangeSettingsOf } from '../../../streams/exchange/open-exchange.ts';
import { ModelSource } from '../../../streams/signals/model-source.ts';
import { looseSettings, trainedWindow } from '../../support/pipeline-runs.ts';
import { silentLogger } from '../../support/runtimes.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);
const FIVE_MINUTES = 300_000;

/** The live processors over the bars on a fresh embedded log, and the state hash `rebuild` gives. */
async function pipelineRun(config: Config, bars: readonly MarketData[]) {
  const runConfig: Config = {
    ...config,
    dataDir: mkdtempSync(join(tmpdir(), 'cml-parity-pipeline-')),
    topics: {
      [MARKET_DATA]: { retentionMs: -1 },
      [ML_SIGNALS]: { retentionMs: -1 },
      [ORDERS]: { retentionMs: -1 },
    },
  };
  const runtime = openEmbeddedRuntime(runConfig);
  try {
    await prepareRuntime(runtime, runConfig);
    const serde = await AvroSerde.create(runtime.registry);
    const replayed = await replayPipeline({ config: runConfig, runtime, serde, logger: silentLogger, bars });
    const rebuilt = await rebuildPortfolio(runtime.log, serde, config.exchange.initialCash);
    return { ...replayed, hash: rebuilt.hash };
  } finally {
    await runtime.close();
  }
}

const lockstepRun = (config: Config, bars: readonly MarketData[]): LockstepResult =>
  runLockstep({
    bars,
    artifacts: new ModelSource(modelsDirOf(config), servedSlotsOf(config)).load(),
    decision: decisionSettingsOf(config.decision),
    exchange: exchangeSettingsOf(config),
  });

/** Both engines over the same bars: the same order events, trades, totals and state hash. */
async function expectParity(config: Config, bars: readonly MarketData[], minOrders: number) {
  const lockstep = lockstepRun(config, bars);
  const pipeline = await pipelineRun(config, bars);
  expect(lockstep.orders.length).toBeGreaterThanOrEqual(minOrders);
  expect(lockstep.orders).toEqual(pipeline.orders);
  expect(lockstep.hash).toBe(pipeline.hash);
  expect(lockstep.trades).toEqual(pipeline.trades);
  expect(lockstep.portfolio.cash).toBe(pipeline.summary.cash);
  expect(lockstep.portfolio.fees).toBe(pipeline.summary.fees);
  return lockstep;
}

/** Simulated bars of several symbols, interleaved by time as a feed appends them. */
function simulatedBars(symbols: readonly string[], count: number, seed: number): MarketData[] {
  const simulator = new MarketSimulator({
    symbols: symbols.map((symbol, i) => ({
      symbol,
      startPrice: [30_000, 2_000, 0.0016, 150][i % 4] as number,
      annualVolatility: 1.2 + i * 0.3,
      baseVolume: 1_000,
    })),
    intervalMs: FIVE_MINUTES,
    start: Date.UTC(2024, 0, 1),
    seed,
  });
  const bars: MarketData[] = [];
  for (let i = 0; i < count; i++) bars.push(...simulator.next());
  return bars;
}

describe('the research engine decides what the pipeline decides', () => {
  it('on the bundled candles with the MA/RSI rule', { timeout: 300_000 }, async () => {
    const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
    const config = looseSettings(
      mkdtempSync(join(tmpdir(), 'cml-parity-')),
      mkdtempSync(join(tmpdir(), 'cml-parity-models-')),
      'ma_rsi_rule:trend',
    );
    const window = trainedWindow(config, bars, 1_500, 2_500);
    const run = await expectParity(config, window, 100);
    expect(run.trades.length).toBeGreaterThan(20);
  });

  it('on the bundled candles with the forest and logistic regression', { timeout: 300_000 }, async () => {
    const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
    const config = looseSettings(
      mkdtempSync(join(tmpdir(), 'cml-parity-')),
      mkdtempSync(join(tmpdir(), 'cml-parity-models-')),
      'random_forest:price_change,logistic_regression:trend',
    );
    const window = trainedWindow(config, bars, 1_500, 1_500);
    await expectParity(config, window, 10);
  });

  it('on simulated bars of three symbols sharing one account', { timeout: 300_000 }, async () => {
    const config = looseSettings(
      mkdtempSync(join(tmpdir(), 'cml-parity-')),
      mkdtempSync(join(tmpdir(), 'cml-parity-models-')),
      'ma_rsi_rule:trend,logistic_regression:trend',
    );
    const bars = simulatedBars(['BTCUSDT', 'ETHUSDT', 'PEPEUSDT'], 1_000, 7);
    trainModels({
      bars: bars.slice(0, 1_800).filter((b) => b.symbol === 'BTCUSDT'),
      modelsDir: modelsDirOf(config),
      specs: modelSpecsOf(config),
      settings: trainSettingsOf(config),
    });
    // Each symbol's features warm up on the 290 bars before the 400 traded.
    const run = await expectParity(config, bars.slice((600 - 290) * 3), 30);
    expect(new Set(run.orders.map((o) => o.symbol)).size).toBeGreaterThan(1);
  });

  it('over random markets and settings (property)', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          symbols: fc.integer({ min: 1, max: 3 }),
          stopLossPct: fc.double({ min: -4, max: -0.3, noNaN: true }),
          takeProfitPct: fc.double({ min: 0.3, max: 6, noNaN: true }),
          positionSizePct: fc.integer({ min: 5, max: 60 }),
          cooldownMs: fc.constantFrom(0, 600_000, 3_600_000),
          maxDrawdownPct: fc.constantFrom(2, 10, 100),
          feeRate: fc.constantFrom(0, 0.001, 0.0025),
          slippageBps: fc.constantFrom(0, 5, 30),
        }),
        async (p) => {
          const base = loadConfig({
            env: {
              CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-parity-')),
              ML_MODELS_DIR: mkdtempSync(join(tmpdir(), 'cml-parity-models-')),
              ML_MODELS: 'ma_rsi_rule:trend',
              DECISION_STOP_LOSS_PCT: String(p.stopLossPct),
              DECISION_TAKE_PROFIT_PCT: String(p.takeProfitPct),
              DECISION_POSITION_SIZE_PCT: String(p.positionSizePct),
              DECISION_MAX_POSITION_PCT: '100',
              DECISION_COOLDOWN_MS: String(p.cooldownMs),
              DECISION_MAX_DRAWDOWN_PCT: String(p.maxDrawdownPct),
              EXCHANGE_FEE_RATE: String(p.feeRate),
              EXCHANGE_SLIPPAGE_BPS: String(p.slippageBps),
            },
          });
          const bars = simulatedBars(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].slice(0, p.symbols), 800, p.seed);
          trainModels({
            bars: bars.filter((b) => b.symbol === 'BTCUSDT').slice(0, 700),
            modelsDir: modelsDirOf(base),
            specs: modelSpecsOf(base),
            settings: trainSettingsOf(base),
          });
          await expectParity(base, bars, 0);
        },
      ),
      // A pipeline run takes seconds: no shrinking, the failing case is reported as it came.
      { numRuns: 8, endOnFailure: true },
    );
  });
});
