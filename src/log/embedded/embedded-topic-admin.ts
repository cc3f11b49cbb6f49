import type { ExistingTopic } from '../../topics/plan-topics.ts';
import type { TopicAdmin } from '../../topics/topic-admin.ts';
import type { EmbeddedStore, StoredTopic } from './embedded-store.ts';

/** TopicAdmin on the embedded log: a topic is a partition count and a retention in the store. */
export function embeddedTopicAdmin(store: EmbeddedStore): TopicAdmin {
  return {
    describeTopics(names) {
      const out: ExistingTopic[] = [];
      for (const name of names) {
        const topic = store.meta.get(['topic', name]) as StoredTopic | undefined;
        if (topic !== undefined)
          out.push({ name, partitions: topic.partitions, retentionMs: topic.retentionMs });
      }
      return Promise.resolve(out);
    },
    async createTopics(specs) {
      await store.root.transaction(() => {
        for (const spec of specs) {
          if (store.meta.get(['topic', spec.name]) !== undefined) continue;
          void store.meta.put(['topic', spec.name], {
            partitions: spec.partitions,
            retentionMs: spec.retentionMs,
          } satisfies StoredTopic);
        }
      });
    },
    async setRetention(topic, retentionMs) {
      await store.root.transaction(() => {
        const current = store.meta.get(['topic', topic]) as StoredTopic | undefined;
        if (current !== undefined) void store.meta.put(['topic', topic], { ...current, retentionMs });
      });
    },
  };
}

/** Every topic of the embedded log, with its partition count and retention. */
export function listEmbeddedTopics(store: EmbeddedStore): ExistingTopic[] {
  const out: ExistingTopic[] = [];
  for (const { key, value } of store.meta.getRange({ start: ['topic'], end: ['topic\u0000'] })) {
    const topic = value as StoredTopic;
    out.push({ name: key[1] as string, partitions: topic.partitions, retentionMs: topic.retentionMs });
  }
  return out;
}
