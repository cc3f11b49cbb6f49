import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { declaredTopics, type TopicSpec } from '../../src/contracts/index.ts';
import { openKafkaRuntime, prepareRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { applyTopics } from '../../src/topics/apply-topics.ts';
import { kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';

describe('topics as code on the real broker', () => {
  let runtime: KafkaRuntime;
  let harness: ReturnType<typeof kafkaHarness>;
  beforeAll(async () => {
    harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
    runtime = await openKafkaRuntime(harness.config, silentLogger);
    await prepareRuntime(runtime, harness.config);
  });
  afterAll(async () => {
    await runtime.close();
  });

  it("creates the declared topics with their partitions and retention (the spec's, or as configured)", async () => {
    const declared = declaredTopics(harness.config.topics);
    expect(declared.find((t) => t.name === 'crypto.market_data')).toMatchObject({
      partitions: 3,
      retentionMs: -1,
    });
    expect(declared.find((t) => t.name === 'crypto.market_data.dlq')).toMatchObject({
      partitions: 1,
      retentionMs: 30 * 86_400_000,
    });
    const actual = await runtime.topicAdmin.describeTopics(declared.map((s) => s.name));
    expect(actual).toEqual(
      expect.arrayContaining(
        declared.map((spec) => ({
          name: spec.name,
          partitions: spec.partitions,
          retentionMs: spec.retentionMs,
        })),
      ),
    );
    const again = await applyTopics(runtime.topicAdmin, declared);
    expect(again.created).toEqual([]);
    expect(again.remainingDrift).toEqual([]);
  });

  it('reports drift in partitions and retention, and fixes retention on request', async () => {
    const name = uniqueName('drift');
    const spec: TopicSpec = {
      name,
      partitions: 2,
      retentionMs: 3_600_000,
      keyField: 'k',
      description: 'drift test',
    };
    await runtime.topicAdmin.createTopics([{ ...spec, partitions: 3, retentionMs: 60_000 }]);

    const report = await applyTopics(runtime.topicAdmin, [spec]);
    expect(report.remainingDrift).toEqual([
      { kind: 'partitions', topic: name, declared: 2, actual: 3 },
      { kind: 'retention', topic: name, declared: 3_600_000, actual: 60_000 },
    ]);
    const fixed = await applyTopics(runtime.topicAdmin, [spec], { fix: true });
    expect(fixed.fixed.map((d) => d.kind)).toEqual(['retention']);
    expect(fixed.remainingDrift.map((d) => d.kind)).toEqual(['partitions']);
    const [now] = await runtime.topicAdmin.describeTopics([name]);
    expect(now?.retentionMs).toBe(3_600_000);
  });
});
