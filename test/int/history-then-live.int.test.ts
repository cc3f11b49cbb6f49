import { describe, expect, inject, it } from 'vitest';
import type { Config } from '../../src/config/index.ts';
import { prepareRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { historyThenLiveRun, runHistoryThenLive } from '../support/history-then-live.ts';
import { createTestTopic, kafkaHarness } from '../support/runtimes.ts';

describe('history followed by live bars in one partition, on Kafka', () => {
  it(
    'decides within seconds of each start, goes on after a restart, and stops within 15 s (regression: minutes)',
    { timeout: 300_000 },
    async () => {
      const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
      const runtime = await harness.open();
      try {
        await prepareRuntime(runtime, harness.config);
        const serde = await AvroSerde.create(runtime.registry);
        const run = historyThenLiveRun(4_000, 30);
        const config: Config = {
          ...run.config,
          kafka: harness.config.kafka,
          registry: harness.config.registry,
          runtime: 'kafka',
        };
        const topics = {
          marketData: await createTestTopic(runtime, 3, -1),
          signals: await createTestTopic(runtime, 3, -1),
          orders: await createTestTopic(runtime, 1, -1),
        };
        const figures = await runHistoryThenLive(runtime, serde, config, run.bars, topics);
        console.log(`history then live on Kafka: ${JSON.stringify(figures)}`);
        expect(figures.firstDecisionMs).toBeLessThan(20_000);
        for (const ms of figures.stopMs) expect(ms).toBeLessThan(15_000);
      } finally {
        await runtime.close();
      }
    },
  );
});
