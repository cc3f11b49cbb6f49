import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openKafkaRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { listening } from '../support/listening.ts';
import { createTestTopic } from '../support/runtimes.ts';

/**
 * TLS against the local broker's SSL listener (scripts/stack/stack.sh: port STACK_KAFKA_TLS_PORT,
 * 9095 by default, with a self-signed certificate for 127.0.0.1 whose PEM is
 * `<STACK_DIR>/tls/ca.pem`), opened through the project's own configuration (KAFKA_SSL,
 * KAFKA_SSL_CA). KAFKA_TLS_BROKERS and KAFKA_TLS_TEST_CA point the test at another TLS listener.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const brokers = process.env.KAFKA_TLS_BROKERS ?? `127.0.0.1:${process.env.STACK_KAFKA_TLS_PORT ?? '9095'}`;
const caFile =
  process.env.KAFKA_TLS_TEST_CA ?? join(process.env.STACK_DIR ?? join(ROOT, '.stack'), 'tls', 'ca.pem');

const available = (await listening(brokers.split(',')[0] ?? brokers)) && existsSync(caFile);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!available && !inCi)
  console.warn(
    `kafka-tls.int.test: no TLS listener at ${brokers} with its CA at ${caFile}; skipped (restart the stack: npm run stack:down && npm run stack:up). With CI=true this fails.`,
  );

const tlsConfig = (env: Record<string, string>): Config => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-tls-config-')), 'cml.config.json');
  writeFileSync(file, '{}');
  return loadConfig({
    file,
    env: {
      CML_RUNTIME: 'kafka',
      KAFKA_BROKERS: brokers,
      SCHEMA_REGISTRY_URL: inject('registryUrl'),
      ...env,
    },
  });
};

/** Opens the runtime and makes it talk to the broker; the error, if any. */
async function tryBroker(config: Config): Promise<unknown> {
  let runtime: KafkaRuntime | undefined;
  try {
    runtime = await openKafkaRuntime(config, createLogger('silent'));
    await runtime.admin.listTopics();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await runtime?.close().catch(() => undefined);
  }
}

describe.skipIf(!available && !inCi)(`Kafka over TLS at ${brokers}`, () => {
  it('the TLS listener and its certificate are there', () => {
    expect(
      available,
      `no TLS listener at ${brokers} or no CA at ${caFile}: the local stack (scripts/stack/stack.sh) opens one on STACK_KAFKA_TLS_PORT; restart it`,
    ).toBe(true);
  });

  describe.skipIf(!available)('with the listener', () => {
    it('appends and reads back a record through the log port, the broker verified by its CA', async () => {
      const config = tlsConfig({ KAFKA_SSL_CA: caFile });
      expect(config.kafka.ssl).toMatchObject({ ca: caFile });
      let runtime: KafkaRuntime | undefined;
      try {
        runtime = await openKafkaRuntime(config, createLogger('silent'));
        const topic = await createTestTopic(runtime, 1);
        const [appended] = await runtime.log.append([
          { topic, records: [{ key: 'tls', value: Buffer.from('over TLS'), timestamp: Date.now() }] },
        ]);
        expect(appended).toMatchObject({ topic, partition: 0, offset: 0 });
        const records = await runtime.log.read(topic, 0, 0, 10);
        expect(records.map((r) => [r.key, r.value?.toString()])).toEqual([['tls', 'over TLS']]);
      } finally {
        await runtime?.close();
      }
    });

    it(
      'refuses a broker whose certificate it cannot verify (the system CAs only)',
      { timeout: 120_000 },
      async () => {
        const failure = await tryBroker(tlsConfig({ KAFKA_SSL: 'true' }));
        expect(failure, 'an unverified certificate was accepted').toBeInstanceOf(Error);
        const error = failure as Error;
        expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).toMatch(
          /certificate|self[- ]signed|connect|broker/i,
        );
      },
    );
  });
});
