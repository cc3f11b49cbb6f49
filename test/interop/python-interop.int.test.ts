import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  type DataTopic,
  type TopicValues,
} from '../../src/contracts/index.ts';
import { ErrorCodes } from '../../src/errors/index.ts';
import { registerCompressionCodecs } from '../../src/log/kafka/compression-codecs.ts';
import { DeadLetterHeaders, Publisher, streamClock, subscribeValidated } from '../../src/messaging/index.ts';
import { openKafkaRuntime, prepareRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { marketDataAt, pendingOrder, signalAt } from '../support/messages.ts';
import { eventually, kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';

const run = promisify(execFile);
const python = fileURLToPath(new URL('.venv/bin/python', import.meta.url));
const client = fileURLToPath(new URL('avro_client.py', import.meta.url));

/** A symbol nobody else uses, valid for the spec's pattern. */
const uniqueSymbol = (): string =>
  `${Array.from({ length: 6 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('')}USDT`;

describe('interop with Python confluent-kafka and its schema-registry Avro serde', () => {
  let runtime: KafkaRuntime;
  let serde: AvroSerde;
  let brokers: string;
  let registryUrl: string;

  beforeAll(async () => {
    if (!existsSync(python))
      throw new Error(`${python} is missing: run \`bash test/interop/setup.sh\` first.`);
    brokers = inject('kafkaBrokers');
    registryUrl = inject('registryUrl');
    const harness = kafkaHarness(brokers, registryUrl);
    runtime = await openKafkaRuntime(harness.config, silentLogger);
    await prepareRuntime(runtime, harness.config);
    serde = await AvroSerde.create(runtime.registry);
  });
  afterAll(async () => {
    registerCompressionCodecs();
    await runtime.close();
  });

  /** Python writes `values` with key `key` in one batch compressed with `compression`; their offsets. */
  const pythonWrites = async (
    key: string,
    values: readonly unknown[],
    compression: string,
  ): Promise<Array<{ partition: number; offset: number }>> => {
    const { stdout } = await run(
      python,
      [
        client,
        'produce',
        ...['--brokers', brokers, '--registry', registryUrl, '--topic', MARKET_DATA, '--key', key],
        ...['--values', JSON.stringify(values), '--compression', compression],
      ],
      { timeout: 60_000 },
    );
    return stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { partition: number; offset: number });
  };

  /** What our validated consumer delivers of `symbol`'s bars, read from the beginning until `until`. */
  const weRead = async (
    symbol: string,
    until: (received: readonly TopicValues[typeof MARKET_DATA][]) => boolean,
  ): Promise<TopicValues[typeof MARKET_DATA][]> => {
    const received: TopicValues[typeof MARKET_DATA][] = [];
    const subscription = await subscribeValidated({
      log: runtime.log,
      serde,
      topic: MARKET_DATA,
      group: uniqueName('interop'),
      fromBeginning: true,
      clock: streamClock(),
      logger: silentLogger,
      handler: (messages) => {
        received.push(...messages.map((m) => m.value).filter((v) => v.symbol === symbol));
        return Promise.resolve();
      },
    });
    try {
      await eventually(() => received, until, 60_000);
    } finally {
      await subscription.stop();
    }
    return received;
  };

  const pythonReads = async (topic: DataTopic, key: string): Promise<unknown> => {
    const { stdout } = await run(
      python,
      [client, 'consume', '--brokers', brokers, '--registry', registryUrl, '--topic', topic, '--key', key],
      {
        timeout: 90_000,
      },
    );
    return (JSON.parse(stdout.trim().split('\n')[0] as string) as { value: unknown }).value;
  };

  it('reads every topic we write, with the same field values', async () => {
    const now = Date.now();
    const symbol = uniqueSymbol();
    const orderId = `ORD-20231128-${Math.floor(Math.random() * 1e6)}`;
    const values: { [K in DataTopic]: TopicValues[K] } = {
      [MARKET_DATA]: marketDataAt(now, symbol),
      [ML_SIGNALS]: signalAt(now, {
        symbol,
        model: 'logistic_regression',
        signal: 'SELL',
        prediction_type: 'trend',
      }),
      [ORDERS]: pendingOrder({ order_id: orderId, symbol, timestamp: now }),
    };
    const publisher = new Publisher(runtime.log, serde, () => now);
    await publisher.publish(MARKET_DATA, [values[MARKET_DATA]]);
    await publisher.publish(ML_SIGNALS, [values[ML_SIGNALS]]);
    await publisher.publish(ORDERS, [values[ORDERS]]);

    expect(await pythonReads(MARKET_DATA, symbol)).toEqual(values[MARKET_DATA]);
    expect(await pythonReads(ML_SIGNALS, symbol)).toEqual(values[ML_SIGNALS]);
    expect(await pythonReads(ORDERS, orderId)).toEqual(values[ORDERS]);
  });

  it('lets our consumer read what Python writes', async () => {
    const symbol = uniqueSymbol();
    const bar = marketDataAt(Date.now(), symbol, {
      price: 42_000.25,
      open: 41_900,
      high: 42_100.5,
      low: 41_850,
      volume: 3.5,
    });
    await run(
      python,
      [
        client,
        'produce',
        '--brokers',
        brokers,
        '--registry',
        registryUrl,
        '--topic',
        MARKET_DATA,
        '--key',
        symbol,
        '--value',
        JSON.stringify(bar),
      ],
      {
        timeout: 60_000,
      },
    );
    const received: TopicValues[typeof MARKET_DATA][] = [];
    const subscription = await subscribeValidated({
      log: runtime.log,
      serde,
      topic: MARKET_DATA,
      group: uniqueName('interop'),
      fromBeginning: true,
      clock: streamClock(),
      logger: silentLogger,
      handler: (messages) => {
        received.push(...messages.map((m) => m.value).filter((v) => v.symbol === symbol));
        return Promise.resolve();
      },
    });
    await eventually(
      () => received.length,
      (n) => n === 1,
      60_000,
    );
    await subscription.stop();
    expect(received[0]).toEqual(bar);
  });

  it('reads every record Python compresses with gzip, snappy, lz4 and zstd', async () => {
    const symbol = uniqueSymbol();
    const start = Date.now();
    const written: TopicValues[typeof MARKET_DATA][] = [];
    for (const [n, compression] of ['gzip', 'snappy', 'lz4', 'zstd'].entries()) {
      const bars = [0, 1, 2].map((i) =>
        marketDataAt(start + (n * 3 + i) * 1_000, symbol, { volume: n * 3 + i }),
      );
      await pythonWrites(symbol, bars, compression);
      written.push(...bars);
    }
    const received = await weRead(symbol, (r) => r.length >= written.length);
    expect(received).toEqual(written);
  });

  it('dead-letters a batch compressed with a codec this client cannot read, and reads on', async () => {
    // As a client without zstd would be: the batch is unreadable, the consumer must not wedge on it.
    registerCompressionCodecs({ 4: undefined });
    try {
      const symbol = uniqueSymbol();
      const now = Date.now();
      const dlq = `${MARKET_DATA}.dlq`;
      const lettersBefore = (await runtime.log.endOffsets(dlq)).get(0) ?? 0;
      const unreadable = await pythonWrites(
        symbol,
        [0, 1, 2].map((i) => marketDataAt(now + i * 1_000, symbol)),
        'zstd',
      );
      const after = [3, 4].map((i) => marketDataAt(now + i * 1_000, symbol));
      await pythonWrites(symbol, after, 'gzip');

      expect(await weRead(symbol, (r) => r.length >= after.length)).toEqual(after);
      const letters = await eventually(
        async () =>
          (await runtime.log.read(dlq, 0, lettersBefore, 1_000)).filter(
            (r) => r.headers[DeadLetterHeaders.errorCode] === ErrorCodes.RECORD_UNREADABLE,
          ),
        (found) =>
          unreadable.every(({ partition, offset }) =>
            found.some(
              (r) =>
                r.headers[DeadLetterHeaders.partition] === String(partition) &&
                r.headers[DeadLetterHeaders.offset] === String(offset),
            ),
          ),
        30_000,
      );
      expect(letters[0]?.headers[DeadLetterHeaders.reason]).toMatch(
        /cannot be read \(zstd: no client knows this codec\)/,
      );
    } finally {
      registerCompressionCodecs();
    }
  });
});
