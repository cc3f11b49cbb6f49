import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.ts';
import type { TopicSpec } from '../../src/contracts/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import {
  openEmbeddedRuntime,
  openKafkaRuntime,
  type EmbeddedRuntime,
  type Runtime,
} from '../../src/runtime/index.ts';

export const silentLogger = createLogger((process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent');

/** Opens a runtime of one kind, again and again on the same data (to prove resume after restart). */
export interface RuntimeHarness {
  readonly name: 'embedded' | 'kafka';
  readonly config: Config;
  open(): Promise<Runtime>;
  /** Applies retention now where the runtime lets us (embedded); Kafka's broker does it on its own schedule. */
  expire(runtime: Runtime): Promise<void>;
}

export function embeddedHarness(): RuntimeHarness {
  const config = loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-embedded-')) } });
  return {
    name: 'embedded',
    config,
    open: () => Promise.resolve(openEmbeddedRuntime(config)),
    expire: async (runtime) => {
      await (runtime as EmbeddedRuntime).log.enforceRetention(Date.now());
    },
  };
}

/**
 * Tests write historical event times (2023 fixtures) to the shared data topics, and the dev broker
 * applies retention within seconds: in tests the data topics keep their records forever.
 */
const keepForever = (): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-kafka-config-')), 'cml.config.json');
  const names = ['crypto.market_data', 'crypto.ml_signals', 'crypto.orders'];
  writeFileSync(
    file,
    JSON.stringify({ topics: Object.fromEntries(names.map((name) => [name, { retentionMs: -1 }])) }),
  );
  return file;
};

export function kafkaHarness(brokers: string, registryUrl: string): RuntimeHarness {
  const config = loadConfig({
    file: keepForever(),
    env: {
      CML_RUNTIME: 'kafka',
      KAFKA_BROKERS: brokers,
      SCHEMA_REGISTRY_URL: registryUrl,
      LOG_LEVEL: 'silent',
    },
  });
  return {
    name: 'kafka',
    config,
    open: () => openKafkaRuntime(config, silentLogger),
    expire: () => Promise.resolve(),
  };
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Creates a topic with a random name, so tests never see each other's records. */
export async function createTestTopic(
  runtime: Runtime,
  partitions: number,
  retentionMs = 86_400_000,
  segmentMs?: number,
): Promise<string> {
  const spec: TopicSpec = {
    name: uniqueName('test'),
    partitions,
    retentionMs,
    ...(segmentMs === undefined ? {} : { segmentMs }),
    keyField: 'key',
    description: 'test',
  };
  await runtime.topicAdmin.createTopics([spec]);
  return spec.name;
}

/** Resolves when `predicate` holds, polling `probe`; fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (predicate(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
