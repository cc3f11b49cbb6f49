import type { TopicSpec } from '../contracts/topics.ts';

/** A topic as the cluster (or the embedded log) reports it. */
export interface ExistingTopic {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number | undefined;
}

export type TopicDrift =
  | {
      readonly kind: 'partitions';
      readonly topic: string;
      readonly declared: number;
      readonly actual: number;
    }
  | {
      readonly kind: 'retention';
      readonly topic: string;
      readonly declared: number;
      readonly actual: number | undefined;
    };

export interface TopicPlan {
  readonly create: readonly TopicSpec[];
  readonly upToDate: readonly string[];
  readonly drift: readonly TopicDrift[];
}

/** Compares declared topics with existing ones: what to create, what matches, what has drifted. */
export function planTopics(declared: readonly TopicSpec[], existing: readonly ExistingTopic[]): TopicPlan {
  const byName = new Map(existing.map((topic) => [topic.name, topic]));
  const create: TopicSpec[] = [];
  const upToDate: string[] = [];
  const drift: TopicDrift[] = [];
  for (const spec of declared) {
    const actual = byName.get(spec.name);
    if (actual === undefined) {
      create.push(spec);
      continue;
    }
    const before = drift.length;
    if (actual.partitions !== spec.partitions) {
      drift.push({
        kind: 'partitions',
        topic: spec.name,
        declared: spec.partitions,
        actual: actual.partitions,
      });
    }
    if (actual.retentionMs !== spec.retentionMs) {
      drift.push({
        kind: 'retention',
        topic: spec.name,
        declared: spec.retentionMs,
        actual: actual.retentionMs,
      });
    }
    if (drift.length === before) upToDate.push(spec.name);
  }
  return { create, upToDate, drift };
}

export function describeDrift(drift: TopicDrift): string {
  switch (drift.kind) {
    case 'partitions':
      return `${drift.topic}: ${drift.actual} partitions, declared ${drift.declared} (partition counts cannot shrink; recreate the topic or change the declaration)`;
    case 'retention':
      return `${drift.topic}: retention.ms=${drift.actual ?? 'unset'}, declared ${drift.declared} (run with --fix to alter the config)`;
  }
}
