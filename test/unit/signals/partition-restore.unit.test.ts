import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_DATA, type MarketData } from '../../../src/contracts/index.ts';
import { partitionFor } from '../../../src/log/partitioner.ts';
import { latestArtifacts, readArtifact, warmupBars, type ModelArtifact } from '../../../src/ml/index.ts';
import type { Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { createSignalEngine, type SignalEngine } from '../../../streams/signals/index.ts';
import { restorePartition, type RestoreContext } from '../../../streams/signals/partition-restore.ts';
import { createTestTopic, embeddedHarness } from '../../support/runtimes.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';
import { trainSmallModels } from './trained-models.ts';

/** BTCUSDT and ETHUSDT share partition 2 of 3; SOLUSDT is on partition 0. */
const barsOf = (symbol: string, from: number, count: number): MarketData[] =>
  fixtureBars()
    .slice(from, from + count)
    .map((bar) => ({ ...bar, symbol }));

describe('restorePartition', () => {
  let runtime: Runtime;
  let serde: AvroSerde;
  let artifacts: ModelArtifact[];
  let window: number;

  beforeAll(async () => {
    runtime = await embeddedHarness().open();
    serde = await AvroSerde.create(runtime.registry);
    const modelsDir = trainSmallModels([{ model: 'logistic_regression', target: 'trend' }]);
    artifacts = [...latestArtifacts(modelsDir).values()].map((slot) => readArtifact(slot.path));
    window = warmupBars(artifacts[0]!.features);
  });
  afterAll(async () => {
    await runtime.close();
  });

  const topicWith = async (bars: readonly MarketData[]): Promise<string> => {
    const topic = await createTestTopic(runtime, 3, -1);
    await runtime.log.append([
      {
        topic,
        records: bars.map((bar) => ({
          key: bar.symbol,
          value: serde.encode(MARKET_DATA, bar),
          timestamp: bar.timestamp,
        })),
      },
    ]);
    return topic;
  };
  const contextOf = (topic: string, engine: SignalEngine, span: number): RestoreContext => ({
    log: runtime.log,
    serde,
    engine,
    topic,
    partitions: 3,
    barsPerSymbol: window,
    span,
    maxRecords: 200_000,
  });

  it('does nothing when the windows cover the committed offset, reads a short gap forward', async () => {
    expect(partitionFor('BTCUSDT', 3)).toBe(2);
    const bars = barsOf('BTCUSDT', 6000, 500);
    const topic = await topicWith(bars);
    const engine = createSignalEngine(artifacts);
    for (const bar of bars.slice(0, 450)) engine.onBar(bar);
    const context = contextOf(topic, engine, 100);
    expect(await restorePartition(context, 2, 450, 450)).toEqual({
      kind: 'current',
      from: 450,
      to: 450,
      bars: 0,
    });
    expect(await restorePartition(context, 2, 450, 500)).toEqual({
      kind: 'forward',
      from: 450,
      to: 500,
      bars: 50,
    });
    const reference = createSignalEngine(artifacts);
    for (const bar of bars) reference.onBar(bar);
    expect(engine.snapshot()).toEqual(reference.snapshot());
  });

  it('rebuilds a partition by re-reading one span back from the committed offset when it holds a window of each symbol', async () => {
    const bars = barsOf('BTCUSDT', 6000, 800);
    const topic = await topicWith(bars);
    const engine = createSignalEngine(artifacts);
    const restored = await restorePartition(contextOf(topic, engine, 300), 2, undefined, 800);
    expect(restored).toEqual({ kind: 'reread', from: 500, to: 800, bars: 300 });
    const reference = createSignalEngine(artifacts);
    for (const bar of bars) reference.onBar(bar);
    // The windows hold the same last bars; the next bar's signal agrees to rounding.
    expect(engine.snapshot()).toEqual(reference.snapshot());
    const next = { ...fixtureBars()[6800]!, symbol: 'BTCUSDT' };
    const [got] = engine.onBar(next);
    const [expected] = reference.onBar(next);
    expect(got!.signal).toBe(expected!.signal);
    expect(got!.confidence).toBeCloseTo(expected!.confidence, 9);
  });

  it('reads further back while a symbol has less than a window, and keeps the other partitions', async () => {
    expect(partitionFor('ETHUSDT', 3)).toBe(2);
    expect(partitionFor('SOLUSDT', 3)).toBe(0);
    const btc = barsOf('BTCUSDT', 6000, 400);
    const eth = barsOf('ETHUSDT', 6000, 400);
    const topic = await topicWith(btc.flatMap((bar, i) => [bar, eth[i]!]));
    const engine = createSignalEngine(artifacts);
    for (const bar of barsOf('SOLUSDT', 7000, 50)) engine.onBar(bar);
    // Stale windows of partition 2 are forgotten, not added to.
    for (const bar of barsOf('BTCUSDT', 3000, 10)) engine.onBar(bar);
    // 300 records hold 150 bars of each: short of a window, so 1,200 are asked for (all 800 there).
    const restored = await restorePartition(contextOf(topic, engine, 300), 2, 10, 800);
    expect(restored).toEqual({ kind: 'reread', from: 0, to: 800, bars: 800 });
    const symbols = new Map(engine.snapshot().groups[0]!.symbols);
    expect(symbols.get('SOLUSDT')).toHaveLength(50);
    expect(symbols.get('BTCUSDT')!.at(-1)![0]).toBe(btc.at(-1)!.timestamp);
    expect(symbols.get('ETHUSDT')).toHaveLength(window);
  });
});
