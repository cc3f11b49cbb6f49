import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopicOf, MARKET_DATA } from '../../src/contracts/index.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import type { AppendRecord, LogRecord } from '../../src/log/port.ts';
import {
  DeadLetterHeaders,
  Publisher,
  recordClock,
  streamClock,
  subscribeValidated,
  type ValidMessage,
} from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { marketDataAt } from '../support/messages.ts';
import {
  createTestTopic,
  eventually,
  silentLogger,
  uniqueName,
  type RuntimeHarness,
} from '../support/runtimes.ts';

/** Event times near now: the dev broker deletes records past the test topics' 1-day retention within seconds. */
const BASE = Date.now() - 60_000;
const record = (key: string, n: number, timestamp = BASE + n): AppendRecord => ({
  key,
  value: Buffer.from(`${key}:${n}`),
  timestamp,
  headers: { n: String(n) },
});

const text = (r: LogRecord): string => r.value?.toString() ?? '';

/**
 * The log port's contract: one suite, run against every adapter. Anything a processor relies on
 * is here; an adapter that passes it can carry the pipeline.
 */
export function describeLogContract(harness: () => RuntimeHarness): void {
  let h: RuntimeHarness;
  let runtime: Runtime;

  beforeAll(async () => {
    h = harness();
    runtime = await h.open();
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('keeps order and assigns consecutive offsets within a partition', async () => {
    const topic = await createTestTopic(runtime, 1);
    await runtime.log.append([{ topic, records: [record('a', 0), record('a', 1)] }]);
    await runtime.log.append([{ topic, records: [record('a', 2)] }]);
    const records = await runtime.log.read(topic, 0, 0, 10);
    expect(records.map((r) => [r.offset, text(r)])).toEqual([
      [0, 'a:0'],
      [1, 'a:1'],
      [2, 'a:2'],
    ]);
    expect(records[2]).toMatchObject({ key: 'a', timestamp: BASE + 2, headers: { n: '2' } });
    expect(await runtime.log.endOffsets(topic)).toEqual(new Map([[0, 3]]));
    expect(await runtime.log.startOffsets(topic)).toEqual(new Map([[0, 0]]));
  });

  it('partitions by key like the Java client, and reports end offsets per partition', async () => {
    const topic = await createTestTopic(runtime, 3);
    const keys = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'ADAUSDT'];
    const appended = await runtime.log.append([{ topic, records: keys.map((key, n) => record(key, n)) }]);
    for (const [n, key] of keys.entries()) expect(appended[n]?.partition).toBe(partitionFor(key, 3));
    for (const partition of [0, 1, 2]) {
      const expected = keys.filter((k) => partitionFor(k, 3) === partition);
      // A multi-partition append is a transaction on Kafka: committed, then visible once its markers are written.
      const records = await eventually(
        () => runtime.log.read(topic, partition, 0, 10),
        (found) => found.length === expected.length,
      );
      expect(records.map((r) => r.key)).toEqual(expected);
      // End offsets count every offset used, transaction markers included: at least one per record.
      const end = (await runtime.log.endOffsets(topic)).get(partition) ?? 0;
      expect(expected.length === 0 ? end === 0 : end >= expected.length).toBe(true);
    }
  });

  it('appends to several topics atomically: a batch naming a missing topic writes nothing', async () => {
    const a = await createTestTopic(runtime, 1);
    const b = await createTestTopic(runtime, 2);
    const result = await runtime.log.append([
      { topic: a, records: [record('x', 0)] },
      { topic: b, records: [record('y', 1), record('z', 2)] },
    ]);
    expect(result).toHaveLength(3);
    await expect(
      runtime.log.append([
        { topic: a, records: [record('x', 3)] },
        { topic: uniqueName('missing'), records: [record('x', 4)] },
      ]),
    ).rejects.toMatchObject({ code: 'CML_UNKNOWN_TOPIC' });
    const inA = await eventually(
      () => runtime.log.read(a, 0, 0, 10),
      (found) => found.length > 0,
    );
    expect(inA.map(text)).toEqual(['x:0']);
  });

  // Regression: a 3 MB append (dead letters of a large batch) exceeded one Kafka request and crashed the consumer.
  it('appends a batch larger than one broker request, whole and in order', async () => {
    const topic = await createTestTopic(runtime, 1);
    const value = Buffer.alloc(1_000, 7);
    const appended = await runtime.log.append([
      {
        topic,
        records: Array.from({ length: 3_000 }, (_, n) => ({
          key: 'big',
          value,
          timestamp: BASE + n,
          headers: { n: String(n) },
        })),
      },
    ]);
    expect(appended.map((r) => r.offset)).toEqual(Array.from({ length: 3_000 }, (_, n) => n));
    const records = await runtime.log.read(topic, 0, 0, 5_000);
    expect(records.map((r) => r.headers.n)).toEqual(Array.from({ length: 3_000 }, (_, n) => String(n)));
  });

  it('gives every record of concurrent producers its own offset', async () => {
    const topic = await createTestTopic(runtime, 1);
    const producers = Array.from({ length: 8 }, (_, p) =>
      runtime.log.append([{ topic, records: Array.from({ length: 25 }, (_, n) => record(`p${p}`, n)) }]),
    );
    const offsets = (await Promise.all(producers)).flat().map((r) => r.offset);
    expect(new Set(offsets).size).toBe(200);
    expect(Math.max(...offsets)).toBe(199);
    const records = await runtime.log.read(topic, 0, 0, 500);
    for (let p = 0; p < 8; p++) {
      expect(records.filter((r) => r.key === `p${p}`).map(text)).toEqual(
        Array.from({ length: 25 }, (_, n) => `p${p}:${n}`),
      );
    }
  });

  it('resumes a consumer group where it committed, after a restart, with nothing lost or repeated', async () => {
    const topic = await createTestTopic(runtime, 2);
    const group = uniqueName('group');
    await runtime.log.append([
      { topic, records: Array.from({ length: 10 }, (_, n) => record(`k${n % 4}`, n)) },
    ]);

    const seen: string[] = [];
    const first = await runtime.log.subscribe({
      group,
      topics: [topic],
      fromBeginning: true,
      handler: (batch) => {
        seen.push(...batch.records.map(text));
        return Promise.resolve();
      },
    });
    await eventually(
      () => seen.length,
      (n) => n === 10,
    );
    // Caught up: every partition's committed offset reaches its end offset (lag 0).
    const ends = await runtime.log.endOffsets(topic);
    await eventually(
      () => runtime.log.committedOffsets(group, topic),
      (committed) => [...ends].every(([p, end]) => committed.get(p) === end),
    );
    await first.stop();
    await runtime.close();

    runtime = await h.open();
    expect(await runtime.log.committedOffsets(group, topic)).toEqual(ends);
    await runtime.log.append([
      { topic, records: Array.from({ length: 5 }, (_, n) => record(`k${(10 + n) % 4}`, 10 + n)) },
    ]);
    const second = await runtime.log.subscribe({
      group,
      topics: [topic],
      fromBeginning: true,
      handler: (batch) => {
        seen.push(...batch.records.map(text));
        return Promise.resolve();
      },
    });
    await eventually(
      () => seen.length,
      (n) => n >= 15,
    );
    await second.stop();
    expect([...seen].sort()).toEqual(Array.from({ length: 15 }, (_, n) => `k${n % 4}:${n}`).sort());
  });

  it('tells a sole member it holds every partition before handing it the first batch', async () => {
    const topic = await createTestTopic(runtime, 3);
    await runtime.log.append([{ topic, records: [record('k0', 0), record('k1', 1), record('k2', 2)] }]);
    const events: string[] = [];
    const subscription = await runtime.log.subscribe({
      group: uniqueName('group'),
      topics: [topic],
      fromBeginning: true,
      onAssigned: (assignment) =>
        events.push(
          `assigned ${assignment
            .flatMap((a) => [...a.partitions])
            .sort()
            .join(',')}`,
        ),
      handler: (batch) => {
        if (batch.records.length > 0) events.push('batch');
        return Promise.resolve();
      },
    });
    await eventually(
      () => events.filter((e) => e === 'batch').length,
      (n) => n > 0,
    );
    await subscription.stop();
    expect(events[0]).toBe('assigned 0,1,2');
  });

  it('commits a batch together with what its handler appends (consume-transform-append)', async () => {
    const source = await createTestTopic(runtime, 1);
    const sink = await createTestTopic(runtime, 1);
    const group = uniqueName('transform');
    await runtime.log.append([{ topic: source, records: [record('a', 0), record('a', 1), record('a', 2)] }]);
    const subscription = await runtime.log.subscribe({
      group,
      topics: [source],
      fromBeginning: true,
      handler: (batch) =>
        Promise.resolve({
          append: [
            {
              topic: sink,
              records: batch.records.map((r) => ({
                key: r.key ?? '',
                value: Buffer.from(text(r).toUpperCase()),
                timestamp: r.timestamp,
              })),
            },
          ],
        }),
    });
    await eventually(
      async () => (await runtime.log.committedOffsets(group, source)).get(0),
      (offset) => offset === 3,
    );
    await subscription.stop();
    // Committed on Kafka means visible once the transaction markers are written: a moment later.
    const output = await eventually(
      () => runtime.log.read(sink, 0, 0, 10),
      (records) => records.length >= 3,
    );
    expect(output.map(text)).toEqual(['A:0', 'A:1', 'A:2']);
  });

  it('drops records older than the retention (by event time) and keeps the offsets of the rest', async () => {
    const topic = await createTestTopic(runtime, 1, 3_600_000, 100);
    const now = Date.now();
    await runtime.log.append([
      { topic, records: [0, 1, 2].map((n) => record('k', n, now - 2 * 86_400_000 + n)) },
    ]);
    // Lets Kafka roll the segment holding the old records on the next append.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runtime.log.append([{ topic, records: [3, 4].map((n) => record('k', n, now + n)) }]);
    await h.expire(runtime);
    const left = await eventually(
      () => runtime.log.read(topic, 0, 0, 10),
      (records) => records.length === 2,
      60_000,
    );
    expect(left.map((r) => [r.offset, text(r)])).toEqual([
      [3, 'k:3'],
      [4, 'k:4'],
    ]);
    expect(await runtime.log.endOffsets(topic)).toEqual(new Map([[0, 5]]));
    // The first offset still held: what lag and rebuilds must not wait for below.
    expect(await runtime.log.startOffsets(topic)).toEqual(new Map([[0, 3]]));
  });

  it('starts a new group at the end when not reading from the beginning', async () => {
    const topic = await createTestTopic(runtime, 1);
    await runtime.log.append([{ topic, records: [record('old', 0)] }]);
    const seen: string[] = [];
    const subscription = await runtime.log.subscribe({
      group: uniqueName('live'),
      topics: [topic],
      fromBeginning: false,
      handler: (batch) => {
        seen.push(...batch.records.map(text));
        return Promise.resolve();
      },
    });
    // A live consumer joins asynchronously on Kafka: keep appending until it sees new records.
    let n = 1;
    await eventually(
      async () => {
        await runtime.log.append([{ topic, records: [record('new', n++)] }]);
        return seen.length;
      },
      (count) => count > 0,
    );
    await subscription.stop();
    expect(seen).not.toContain('old:0');
  });

  it('starts where startAt says, behind or ahead of the group commit', async () => {
    const topic = await createTestTopic(runtime, 1);
    const group = uniqueName('start-at');
    await runtime.log.append([{ topic, records: Array.from({ length: 6 }, (_, n) => record('k', n)) }]);
    const consume = async (startAt?: number): Promise<string[]> => {
      const seen: string[] = [];
      const subscription = await runtime.log.subscribe({
        group,
        topics: [topic],
        fromBeginning: true,
        startAt: startAt === undefined ? undefined : () => startAt,
        handler: (batch) => {
          seen.push(...batch.records.map(text));
          return Promise.resolve();
        },
      });
      await eventually(
        () => runtime.log.committedOffsets(group, topic),
        (committed) => committed.get(0) === 6,
      );
      await eventually(
        () => seen.length,
        (n) => n > 0,
      );
      await subscription.stop();
      return seen;
    };
    expect(await consume(4)).toEqual(['k:4', 'k:5']);
    // The group has committed 6; startAt rewinds it.
    expect(await consume(1)).toEqual(['k:1', 'k:2', 'k:3', 'k:4', 'k:5']);
  });

  it('commits a group offset together with an append, or alone', async () => {
    const input = await createTestTopic(runtime, 1);
    const output = await createTestTopic(runtime, 1);
    const group = uniqueName('progress');
    await runtime.log.append([{ topic: output, records: [record('out', 0)] }], {
      group,
      topic: input,
      offsets: new Map([[0, 7]]),
    });
    expect(await runtime.log.committedOffsets(group, input)).toEqual(new Map([[0, 7]]));
    expect((await runtime.log.read(output, 0, 0, 10)).map(text)).toEqual(['out:0']);
    await runtime.log.append([], { group, topic: input, offsets: new Map([[0, 9]]) });
    expect(await runtime.log.committedOffsets(group, input)).toEqual(new Map([[0, 9]]));
  });

  it('keeps with a group offset the latest event time the group processed, past transaction markers too', async () => {
    const source = await createTestTopic(runtime, 1);
    const group = uniqueName('positions');
    // Written in a transaction (an append that commits offsets): on Kafka a commit marker follows.
    await runtime.log.append([{ topic: source, records: [0, 10, 20].map((t) => record('a', t, BASE + t)) }], {
      group: uniqueName('writer'),
      topic: source,
      offsets: new Map([[0, 0]]),
    });
    const end = (await runtime.log.endOffsets(source)).get(0) ?? 0;
    const subscription = await runtime.log.subscribe({
      group,
      topics: [source],
      fromBeginning: true,
      handler: () => Promise.resolve(),
    });
    const position = await eventually(
      async () => (await runtime.log.committedPositions(group, source)).get(0),
      (p) => p?.offset === end,
    );
    await subscription.stop();
    expect(position).toEqual({ offset: end, lastTime: BASE + 20 });

    // Committed with an append, as a processor commits its progress with its output.
    await runtime.log.append([], {
      group,
      topic: source,
      offsets: new Map([[0, end]]),
      lastTimes: new Map([[0, BASE + 25]]),
    });
    expect(await runtime.log.committedPositions(group, source)).toEqual(
      new Map([[0, { offset: end, lastTime: BASE + 25 }]]),
    );
    // Without a time, the offset alone.
    await runtime.log.append([], { group, topic: source, offsets: new Map([[0, end]]) });
    expect(await runtime.log.committedPositions(group, source)).toEqual(new Map([[0, { offset: end }]]));
  });

  describe('typed messages', () => {
    let serde: AvroSerde;
    beforeAll(async () => {
      await prepareRuntime(runtime, h.config);
      serde = await AvroSerde.create(runtime.registry);
    });

    it('dead-letters undecodable and invalid records with the reason, and processes the valid ones', async () => {
      // A topic of its own holding market data, so other tests' records do not get in the way.
      const topic = await createTestTopic(runtime, 2);
      await runtime.topicAdmin.createTopics([
        {
          name: deadLetterTopicOf(topic),
          partitions: 1,
          retentionMs: 86_400_000,
          keyField: 'key',
          description: 'test',
        },
      ]);
      const symbol = 'DLQUSDT';
      const t0 = Date.now();
      const good = (time: number): AppendRecord => ({
        key: symbol,
        value: serde.encode(MARKET_DATA, marketDataAt(time, symbol)),
        timestamp: time,
      });
      const foreignId = serde.schemaIdOf('crypto.orders');
      const foreign = Buffer.from([0, 0, 0, 0, 0, 1]);
      foreign.writeInt32BE(foreignId, 1);
      await runtime.log.append([
        {
          topic,
          records: [
            good(t0),
            { key: symbol, value: Buffer.from('not avro at all'), timestamp: t0 + 1 },
            { key: symbol, value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]), timestamp: t0 + 2 },
            { key: symbol, value: foreign, timestamp: t0 + 3 },
            {
              key: symbol,
              value: serde.encode(MARKET_DATA, marketDataAt(t0 + 4, symbol, { high: 1, low: 2 })),
              timestamp: t0 + 4,
            },
            good(t0 + 5),
          ],
        },
      ]);

      const valid: ValidMessage<typeof MARKET_DATA>[] = [];
      const subscription = await subscribeValidated({
        log: runtime.log,
        serde,
        topic: MARKET_DATA,
        readFrom: topic,
        group: uniqueName('dlq'),
        fromBeginning: true,
        clock: streamClock(),
        logger: silentLogger,
        handler: (messages) => {
          valid.push(...messages);
          return Promise.resolve();
        },
      });
      const letters = await eventually(
        () => runtime.log.read(deadLetterTopicOf(topic), 0, 0, 100),
        (found) => found.length === 4 && valid.length === 2,
      );
      await subscription.stop();
      expect(valid.map((m) => m.value.timestamp)).toEqual([t0, t0 + 5]);
      expect(letters.map((r) => r.headers[DeadLetterHeaders.errorCode])).toEqual([
        'CML_SERDE_DECODE_FAILED',
        'CML_SERDE_UNKNOWN_SCHEMA',
        'CML_SERDE_DECODE_FAILED',
        'CML_VALIDATION_FAILED',
      ]);
      expect(letters[3]?.headers[DeadLetterHeaders.reason]).toContain('high=1: must be >= low');
      expect(letters[0]).toMatchObject({
        value: Buffer.from('not avro at all'),
        headers: { [DeadLetterHeaders.topic]: topic, [DeadLetterHeaders.offset]: '1' },
      });
    });

    it('refuses to publish an invalid message, naming the field', async () => {
      const publisher = new Publisher(runtime.log, serde, () => 1_700_000_000_000);
      await expect(
        publisher.publish(MARKET_DATA, [marketDataAt(1_700_000_000_000, 'BTCUSDT', { volume: -1 })]),
      ).rejects.toThrow(/volume=-1: must be >= 0/);
    });

    it('round-trips a message of every topic through the log', async () => {
      const { pendingOrder, signalAt } = await import('../support/messages.ts');
      const now = Date.now();
      const values = {
        'crypto.market_data': marketDataAt(now, 'RTPUSDT'),
        'crypto.ml_signals': signalAt(now, { symbol: 'RTPUSDT' }),
        'crypto.orders': pendingOrder({ timestamp: now }),
      } as const;
      for (const [contract, value] of Object.entries(values) as [
        keyof typeof values,
        (typeof values)[keyof typeof values],
      ][]) {
        const topic = await createTestTopic(runtime, 1);
        await runtime.log.append([
          { topic, records: [{ key: 'k', value: serde.encode(contract, value), timestamp: now }] },
        ]);
        const received: unknown[] = [];
        const subscription = await subscribeValidated({
          log: runtime.log,
          serde,
          topic: contract,
          readFrom: topic,
          group: uniqueName('roundtrip'),
          fromBeginning: true,
          clock: recordClock(() => now),
          logger: silentLogger,
          handler: (messages) => {
            received.push(...messages.map((m) => m.value));
            return Promise.resolve();
          },
        });
        await eventually(
          () => received.length,
          (n) => n === 1,
        );
        await subscription.stop();
        expect(received).toEqual([value]);
      }
    });
  });
}
