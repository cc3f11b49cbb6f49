import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { MASK } from '../../src/config/secrets.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openKafkaRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { listening } from '../support/listening.ts';
import { createTestTopic } from '../support/runtimes.ts';

/**
 * SASL against the local broker's SASL_PLAINTEXT listener (scripts/stack/stack.sh: port
 * STACK_KAFKA_SASL_PORT, 9094 by default), opened through the project's own configuration
 * (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD) for each mechanism. The user is
 * the stack's test credential, cml-test / cml-test-secret. KAFKA_SASL_BROKERS points the test at
 * another SASL listener (with KAFKA_SASL_TEST_USERNAME / KAFKA_SASL_TEST_PASSWORD).
 */
const brokers = process.env.KAFKA_SASL_BROKERS ?? `127.0.0.1:${process.env.STACK_KAFKA_SASL_PORT ?? '9094'}`;
const username = process.env.KAFKA_SASL_TEST_USERNAME ?? 'cml-test';
const password = process.env.KAFKA_SASL_TEST_PASSWORD ?? 'cml-test-secret';
const wrongPassword = 'not-the-cml-test-secret';
const mechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

const firstBroker = brokers.split(',')[0] ?? brokers;
const available = await listening(firstBroker);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!available && !inCi)
  console.warn(
    `kafka-sasl.int.test: no SASL listener at ${firstBroker}; skipped (restart the stack: npm run stack:down && npm run stack:up). With CI=true this fails.`,
  );

/** Everything the logger writes during one test, to check that no password shows up in it. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; output: () => string } {
  const lines: string[] = [];
  const logger = createLogger('debug', 'cml', {
    write: (line: string) => {
      lines.push(line);
    },
  });
  return { logger, output: () => lines.join('') };
}

const emptyConfigFile = (): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-sasl-config-')), 'cml.config.json');
  writeFileSync(file, '{}');
  return file;
};

const saslConfig = (mechanism: (typeof mechanisms)[number], secret: string): Config =>
  loadConfig({
    file: emptyConfigFile(),
    env: {
      CML_RUNTIME: 'kafka',
      KAFKA_BROKERS: brokers,
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: secret,
      SCHEMA_REGISTRY_URL: inject('registryUrl'),
    },
  });

describe.skipIf(!available && !inCi)(`Kafka over SASL_PLAINTEXT at ${brokers}`, () => {
  it('the SASL listener is there', () => {
    expect(
      available,
      `no SASL listener at ${firstBroker}: the local stack (scripts/stack/stack.sh) opens one on STACK_KAFKA_SASL_PORT; restart it`,
    ).toBe(true);
  });

  // Without the listener, the one test above fails fast (CI) instead of each of these waiting out its timeout.
  for (const mechanism of mechanisms) {
    describe.skipIf(!available)(mechanism, () => {
      it('appends and reads back a record through the log port; nothing logged holds the password', async () => {
        const { logger, output } = capturingLogger();
        const config = saslConfig(mechanism, password);
        expect(config.kafka.sasl).toEqual({ mechanism, username, password });
        let runtime: KafkaRuntime | undefined;
        try {
          runtime = await openKafkaRuntime(config, logger);
          const topic = await createTestTopic(runtime, 1);
          const value = Buffer.from(`over ${mechanism}`);
          const [appended] = await runtime.log.append([
            { topic, records: [{ key: 'sasl', value, timestamp: Date.now() }] },
          ]);
          expect(appended).toMatchObject({ topic, partition: 0, offset: 0 });
          const records = await runtime.log.read(topic, 0, 0, 10);
          expect(records).toHaveLength(1);
          expect(records[0]?.key).toBe('sasl');
          expect(records[0]?.value?.toString()).toBe(`over ${mechanism}`);
          // What an operator would see: the configuration as logged at start-up.
          logger.info({ kafka: config.kafka }, 'kafka configuration');
        } finally {
          await runtime?.close();
        }
        const logged = output();
        expect(logged).toContain('kafka configuration');
        expect(logged).toContain(MASK);
        expect(logged).not.toContain(password);
      });

      it('refuses a wrong password, without the password in the error or the log', async () => {
        const { logger, output } = capturingLogger();
        const config = saslConfig(mechanism, wrongPassword);
        let runtime: KafkaRuntime | undefined;
        let failure: unknown;
        try {
          // The open authenticates (its admin client connects); should it not, the first call must fail.
          runtime = await openKafkaRuntime(config, logger);
          await runtime.topicAdmin.createTopics([]);
          await runtime.admin.listTopics();
        } catch (error) {
          failure = error;
        } finally {
          await runtime?.close().catch(() => undefined);
        }
        expect(failure, 'a wrong password was accepted').toBeInstanceOf(Error);
        const error = failure as Error;
        expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).toMatch(
          /SASL|authenticat/i,
        );
        // How the application reports a failure, including its cause chain.
        logger.error({ err: error, config: config.kafka }, 'kafka failed');
        const logged = output();
        expect(logged).toContain('kafka failed');
        expect(logged).toContain(MASK);
        expect(logged).not.toContain(wrongPassword);
        expect(error.message).not.toContain(wrongPassword);
      });
    });
  }
});
