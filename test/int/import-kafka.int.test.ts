import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importKlines } from '../../src/ingest/import-klines.ts';
import { Publisher } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { barsOf } from '../support/market-data-log.ts';
import { kafkaHarness } from '../support/runtimes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));

describe('import into Kafka', () => {
  let runtime: Runtime;
  let publisher: Publisher;
  beforeAll(async () => {
    const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
    runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
    publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('yields exactly the 10,999 bars of the shared file, in order, once even when imported twice', async () => {
    // The topic is shared between tests on Kafka: a symbol of its own keeps this one apart.
    const symbol = `${Array.from({ length: 6 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('')}USDT`;
    expect(await importKlines(runtime.log, publisher, { file: FIXTURE, symbol })).toMatchObject({
      imported: 10_999,
      rejected: [],
    });
    expect(await importKlines(runtime.log, publisher, { file: FIXTURE, symbol })).toMatchObject({
      imported: 0,
      alreadyPresent: 10_999,
    });
    const bars = await barsOf(runtime, symbol);
    expect(bars).toHaveLength(10_999);
    expect(bars[0]?.timestamp).toBe(1672677900000);
    expect(bars.at(-1)?.timestamp).toBe(1675977300000);
    expect(
      bars.every(
        (bar, i) => i === 0 || bar.timestamp - (bars[i - 1] as { timestamp: number }).timestamp === 300_000,
      ),
    ).toBe(true);
  });
});
