import { afterAll, describe, expect, it } from 'vitest';
import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  TOPIC_CONTRACTS,
  type DataTopic,
} from '../../src/contracts/index.ts';
import type { Config } from '../../src/config/index.ts';
import { startServices, type Services } from '../../src/pipeline/services.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { trainSmallModels } from '../unit/signals/trained-models.ts';
import { embeddedHarness, eventually, silentLogger } from '../support/runtimes.ts';
import { positionOf, readDeadLetters, tallyDeadLetters } from './dead-letters.ts';
import { BAD_CASES, WEDGE_CASES, fuzzStream, type BadCase } from './fuzz-cases.ts';
import { SeededRandom, fuzzSeed } from './seeded-random.ts';
import { FUZZ_SPECS, barAt, orderIdOf, signalFor } from './topic-specs.ts';

/**
 * Bad input on every data topic, through the whole pipeline as `npm start` composes it
 * (startServices on an embedded runtime): every bad record is dead-lettered once by every group
 * that reads the topic, with its reason; every valid one reaches the read models; nothing dies.
 */
const VALID = 40;
const PER_CASE = 2;
const modelsDir = trainSmallModels([{ model: 'logistic_regression', target: 'trend' }]);

/** The subscriptions that read each topic when all four services run (their dead letters' origin group). */
const READERS: Readonly<Record<DataTopic, readonly RegExp[]>> = {
  [MARKET_DATA]: [
    /^portfolio-projection\..+\.crypto\.market_data$/,
    /^candle-projection\..+\.crypto\.market_data$/,
    /^signals-processor$/,
    /^decision-engine\.portfolio\.market_data$/,
    /^virtual-exchange\.input$/,
  ],
  [ML_SIGNALS]: [/^signal-projection\..+\.crypto\.ml_signals$/, /^decision-engine\.input$/],
  [ORDERS]: [
    /^portfolio-projection\..+\.crypto\.orders$/,
    /^decision-engine\.portfolio\.orders$/,
    /^virtual-exchange\.orders$/,
  ],
};

const crashes: unknown[] = [];
const onCrash = (error: unknown): void => void crashes.push(error);
process.on('uncaughtException', onCrash);
process.on('unhandledRejection', onCrash);
afterAll(() => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

interface Figures {
  topic: string;
  seed: number;
  sent: number;
  bad: number;
  deadLettered: Record<string, number>;
  processed: Record<string, number>;
  crashes: number;
}

/** What each topic's valid messages must have become once processed: counts per read model. */
function processedCounts(topic: DataTopic, services: Services): Record<string, number> {
  const out: Record<string, number> = {};
  if (topic === MARKET_DATA) {
    const candles = services.candles?.store;
    out.candles = ['BTCUSDT', 'ETHUSDT']
      .map((symbol) => candles?.candles({ symbol, from: 0, limit: 10_000 }).length ?? 0)
      .reduce((a, b) => a + b, 0);
    out.exchangeBarsSettled = services.exchange?.runner.barsSettled ?? 0;
  }
  if (topic === ML_SIGNALS) {
    out.signalHistory = services.signalHistory?.store.count() ?? 0;
    out.decisionSteps = services.decision?.decided ?? 0;
  }
  if (topic === ORDERS) {
    out.portfolioOrders = services.portfolio?.store.orders({ limit: 10_000 }).orders.length ?? 0;
  }
  return out;
}

async function fuzzTopic(
  topic: DataTopic,
  seed: number,
  cases: readonly BadCase[] = BAD_CASES,
): Promise<Figures> {
  const harness = embeddedHarness();
  const config: Config = {
    ...harness.config,
    ml: { ...harness.config.ml, models: ['logistic_regression:trend'], modelsDir },
  };
  const runtime: Runtime = await harness.open();
  let services: Services | undefined;
  try {
    await prepareRuntime(runtime, config);
    const serde = await AvroSerde.create(runtime.registry);
    const random = new SeededRandom(seed);
    const stream = fuzzStream(FUZZ_SPECS[topic] as never, serde, random, {
      valid: VALID,
      perCase: PER_CASE,
      cases,
    });
    const badPositions = new Set<string>();
    // One record per append, as a producer sends them: a 900 KB record alone fits a 1 MB limit.
    for (const item of stream) {
      const [appended] = await runtime.log.append([{ topic, records: [item.record] }]);
      if (item.bad !== undefined && appended !== undefined)
        badPositions.add(positionOf(appended.partition, appended.offset));
    }
    services = await startServices({
      config,
      runtime,
      serde,
      logger: silentLogger,
      services: ['projections', 'signals', 'decision', 'exchange'],
      clock: 'stream',
    });
    // A last valid message after the bad ones were met: every subscription must still be running.
    const last = FUZZ_SPECS[topic].valid(VALID) as never;
    await runtime.log.append([
      {
        topic,
        records: [
          {
            key: TOPIC_CONTRACTS[topic].keyOf(last),
            value: serde.encode(topic, last),
            timestamp: TOPIC_CONTRACTS[topic].timeOf(last),
          },
        ],
      },
    ]);
    const readers = READERS[topic];
    const running = services;
    const settled = await eventually(
      async () => {
        const t = tallyDeadLetters(await readDeadLetters(runtime.log, topic));
        // Plain values, so a timeout shows them.
        const perGroup = Object.fromEntries([...t.byGroup].map(([g, p]) => [g, p.length]));
        return { t, perGroup, caughtUp: await running.caughtUp() };
      },
      ({ perGroup, caughtUp }) =>
        caughtUp &&
        readers.every((reader) =>
          Object.entries(perGroup).some(([group, n]) => reader.test(group) && n >= badPositions.size),
        ),
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message} (expected ${badPositions.size} per reader)`);
    });
    const tally = settled.t;

    const processed = await eventually(
      () => processedCounts(topic, running),
      (counts) => Object.values(counts).every((n) => n >= VALID + 1),
      30_000,
    );
    expect(tally.unexplained).toEqual([]);
    for (const reader of readers)
      expect(
        [...tally.byGroup.keys()].filter((g) => reader.test(g)),
        String(reader),
      ).toHaveLength(1);
    for (const [group, positions] of tally.byGroup) {
      expect(
        readers.some((reader) => reader.test(group)),
        `unexpected reader ${group}`,
      ).toBe(true);
      // Once each, and exactly the bad ones: no valid record was dead-lettered.
      expect(new Set(positions).size, group).toBe(positions.length);
      expect(new Set(positions), group).toEqual(badPositions);
    }
    expect(processed).toEqual(Object.fromEntries(Object.keys(processed).map((k) => [k, VALID + 1])));
    expect(crashes).toEqual([]);
    // Health is red only while stuck: once the bad records are behind, nothing is.
    expect(running.signals?.stuck() ?? false).toBe(false);
    expect(running.decision?.stuck() ?? false).toBe(false);
    expect(running.exchange?.runner.stuck() ?? false).toBe(false);
    expect(running.candles?.projection.stuck() ?? false).toBe(false);
    return {
      topic,
      seed,
      sent: stream.length + 1,
      bad: badPositions.size,
      deadLettered: Object.fromEntries([...tally.byGroup].map(([g, p]) => [g, p.length])),
      processed,
      crashes: crashes.length,
    };
  } finally {
    await services?.stop();
    await runtime.close();
  }
}

describe('bad input on the data topics, through startServices on the embedded runtime', () => {
  it.each([MARKET_DATA, ML_SIGNALS, ORDERS] as const)(
    '%s: every bad record dead-lettered once per reading group, every valid one processed',
    { timeout: 120_000 },
    async (topic) => {
      const figures = await fuzzTopic(topic, fuzzSeed(20_240_601));
      expect(figures.bad).toBe(BAD_CASES.length * PER_CASE);
      console.info(`fuzz ${JSON.stringify(figures)}`);
    },
  );

  it.each([MARKET_DATA, ML_SIGNALS] as const)(
    '%s wedge: valid records around far-future and far-past ones all processed, the bad ones dead-lettered',
    { timeout: 120_000 },
    async (topic) => {
      const figures = await fuzzTopic(topic, fuzzSeed(20_261_130), WEDGE_CASES);
      expect(figures.bad).toBe(WEDGE_CASES.length * PER_CASE);
      console.info(`fuzz wedge ${JSON.stringify(figures)}`);
    },
  );

  it('the value helpers make what the topics accept', () => {
    expect(orderIdOf(0)).toBe('ORD-20231128-001');
    expect(barAt(3).symbol).toBe('ETHUSDT');
    expect(signalFor(1).symbol).toBe('ETHUSDT');
  });
});
