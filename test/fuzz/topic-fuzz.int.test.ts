import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CandleProjection, CandleStore } from '../../projections/candles/index.ts';
import { SignalProjection, SignalStore } from '../../projections/signals/index.ts';
import { deadLetterTopicOf, MARKET_DATA, ML_SIGNALS, type DataTopic } from '../../src/contracts/index.ts';
import type { Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { eventually, kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';
import { positionOf, readDeadLetters, tallyDeadLetters } from './dead-letters.ts';
import { BAD_CASES, WEDGE_CASES, fuzzStream } from './fuzz-cases.ts';
import { SeededRandom, fuzzSeed } from './seeded-random.ts';
import { FUZZ_SPECS } from './topic-specs.ts';

/**
 * The topic fuzz on real Kafka and the schema registry, smaller: each topic's bad input (two 900 KB
 * records among it, so a dead-letter batch can pass the broker's 1 MB) is written to a random
 * copy of the topic and read by its projection; every bad record must reach `<copy>.dlq` once,
 * every valid one the read model, the far-future and far-past ones included (they must not wedge
 * the stream clock).
 */
const VALID = 12;

describe('bad input on Kafka topics, read by the projections', () => {
  let runtime: Runtime;
  let serde: AvroSerde;
  beforeAll(async () => {
    runtime = await kafkaHarness(inject('kafkaBrokers'), inject('registryUrl')).open();
    serde = await AvroSerde.create(runtime.registry);
  });
  afterAll(async () => {
    await runtime.close();
  });

  async function feed(topic: DataTopic, partitions: number): Promise<{ copy: string; bad: Set<string> }> {
    const copy = uniqueName(`fuzz-${topic}`);
    const spec = { partitions, retentionMs: -1, keyField: 'key', description: 'fuzz' };
    await runtime.topicAdmin.createTopics([
      { name: copy, ...spec },
      { name: deadLetterTopicOf(copy), ...spec, partitions: 1 },
    ]);
    const random = new SeededRandom(fuzzSeed(20_240_601));
    const stream = fuzzStream(FUZZ_SPECS[topic] as never, serde, random, {
      valid: VALID,
      perCase: 1,
      // The wedge: one far-future and one far-past record among the valid ones.
      cases: [...BAD_CASES, 'huge-900kb', ...WEDGE_CASES],
    });
    const bad = new Set<string>();
    for (const item of stream) {
      // A Kafka 4 broker refuses a record timestamp more than log.message.timestamp.after.max.ms
      // (1 h) ahead of its clock: a far-future record gets in with its producer's clock as the
      // record time and the bad time in its value.
      const record = item.bad === 'far-future' ? { ...item.record, timestamp: Date.now() } : item.record;
      const [appended] = await runtime.log.append([{ topic: copy, records: [record] }]);
      if (item.bad !== undefined && appended !== undefined)
        bad.add(positionOf(appended.partition, appended.offset));
    }
    return { copy, bad };
  }

  async function expectDeadLettered(copy: string, bad: Set<string>, group: string): Promise<void> {
    const tally = await eventually(
      async () => tallyDeadLetters(await readDeadLetters(runtime.log, copy)),
      (t) => (t.byGroup.get(group)?.length ?? 0) >= bad.size,
      45_000,
    );
    expect(tally.unexplained).toEqual([]);
    expect([...tally.byGroup.keys()]).toEqual([group]);
    expect(new Set(tally.byGroup.get(group))).toEqual(bad);
    expect(tally.byGroup.get(group)).toHaveLength(bad.size);
  }

  it(
    'crypto.market_data: the candle projection dead-letters the bad, folds the valid',
    { timeout: 90_000 },
    async () => {
      const { copy, bad } = await feed(MARKET_DATA, 3);
      const store = CandleStore.open(mkdtempSync(join(tmpdir(), 'cml-fuzz-candles-')));
      const projection = new CandleProjection({
        log: runtime.log,
        serde,
        store,
        logger: silentLogger,
        readFrom: copy,
      });
      await projection.start();
      try {
        await expectDeadLettered(copy, bad, `candle-projection.${store.id}.${copy}`);
        const count = () =>
          ['BTCUSDT', 'ETHUSDT']
            .map((symbol) => store.candles({ symbol, from: 0, limit: 1000 }).length)
            .reduce((a, b) => a + b);
        expect(await eventually(count, (n) => n >= VALID, 30_000)).toBe(VALID);
        console.info(
          `kafka fuzz ${JSON.stringify({ topic: copy, sent: VALID + bad.size, bad: bad.size, candles: count() })}`,
        );
      } finally {
        await projection.stop();
        await store.close();
      }
    },
  );

  it(
    'crypto.ml_signals: the signal projection dead-letters the bad, records the valid',
    { timeout: 90_000 },
    async () => {
      const { copy, bad } = await feed(ML_SIGNALS, 3);
      const store = SignalStore.open(mkdtempSync(join(tmpdir(), 'cml-fuzz-signals-')));
      const projection = new SignalProjection({
        log: runtime.log,
        serde,
        store,
        logger: silentLogger,
        readFrom: copy,
      });
      await projection.start();
      try {
        await expectDeadLettered(copy, bad, `signal-projection.${store.id}.${copy}`);
        expect(
          await eventually(
            () => store.count(),
            (n) => n >= VALID,
            30_000,
          ),
        ).toBe(VALID);
        console.info(
          `kafka fuzz ${JSON.stringify({ topic: copy, sent: VALID + bad.size, bad: bad.size, signals: store.count() })}`,
        );
      } finally {
        await projection.stop();
        await store.close();
      }
    },
  );
});
