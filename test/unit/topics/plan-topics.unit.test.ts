import { describe, expect, it } from 'vitest';
import { declaredTopics } from '../../../src/contracts/index.ts';
import { describeDrift, planTopics } from '../../../src/topics/plan-topics.ts';

describe('planTopics', () => {
  const declared = declaredTopics();

  it('declares the spec topics and a dead-letter topic for each', () => {
    const byName = new Map(declared.map((spec) => [spec.name, spec]));
    expect(byName.get('crypto.market_data')).toMatchObject({ partitions: 3, retentionMs: 86_400_000 });
    expect(byName.get('crypto.ml_signals')).toMatchObject({ partitions: 3, retentionMs: 7 * 86_400_000 });
    expect(byName.get('crypto.orders')).toMatchObject({ partitions: 1, retentionMs: 30 * 86_400_000 });
    expect([...byName.keys()].filter((name) => name.endsWith('.dlq'))).toHaveLength(3);
    // Operators' controls: one total order, kept as long as the data they affect may be replayed.
    expect(byName.get('crypto.controls')).toMatchObject({ partitions: 1, retentionMs: -1 });
  });

  it('creates what is missing, and reports drift instead of ignoring it', () => {
    const plan = planTopics(declared, [
      { name: 'crypto.market_data', partitions: 3, retentionMs: 86_400_000 },
      { name: 'crypto.ml_signals', partitions: 6, retentionMs: 7 * 86_400_000 },
      { name: 'crypto.orders', partitions: 1, retentionMs: 3_600_000 },
      { name: 'crypto.controls', partitions: 1, retentionMs: -1 },
    ]);
    expect(plan.upToDate).toEqual(['crypto.market_data', 'crypto.controls']);
    expect(plan.create.map((spec) => spec.name)).toEqual(
      declared.filter((s) => s.name.endsWith('.dlq')).map((s) => s.name),
    );
    expect(plan.drift).toEqual([
      { kind: 'partitions', topic: 'crypto.ml_signals', declared: 3, actual: 6 },
      { kind: 'retention', topic: 'crypto.orders', declared: 30 * 86_400_000, actual: 3_600_000 },
    ]);
    expect(describeDrift(plan.drift[0]!)).toContain('6 partitions, declared 3');
  });

  it('applies configured overrides to a data topic, leaving the others as the spec says', () => {
    const declared = declaredTopics({
      'crypto.market_data': { retentionMs: -1 },
      'crypto.orders.dlq': { partitions: 2 },
    });
    const byName = new Map(declared.map((spec) => [spec.name, spec]));
    expect(byName.get('crypto.market_data')).toMatchObject({ partitions: 3, retentionMs: -1 });
    expect(byName.get('crypto.orders.dlq')).toMatchObject({ partitions: 2 });
    expect(byName.get('crypto.ml_signals')).toMatchObject({ retentionMs: 7 * 86_400_000 });
  });
});
