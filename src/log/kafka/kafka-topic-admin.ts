import type { Admin } from 'kafkajs';
import { ConfigResourceTypes } from './kafkajs.ts';
import type { TopicSpec } from '../../contracts/topics.ts';
import type { ExistingTopic } from '../../topics/plan-topics.ts';
import type { TopicAdmin } from '../../topics/topic-admin.ts';

/** TopicAdmin on a Kafka cluster, through a connected kafkajs admin client. */
export function kafkaTopicAdmin(admin: Admin): TopicAdmin {
  return {
    async describeTopics(names) {
      const present = new Set(await admin.listTopics());
      const wanted = names.filter((name) => present.has(name));
      if (wanted.length === 0) return [];
      const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: wanted.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['retention.ms'],
        })),
      });
      const retention = new Map(
        configs.resources.map((resource) => {
          const entry = resource.configEntries.find((e) => e.configName === 'retention.ms');
          return [resource.resourceName, entry === undefined ? undefined : Number(entry.configValue)];
        }),
      );
      return topics.map((topic): ExistingTopic => ({
        name: topic.name,
        partitions: topic.partitions.length,
        retentionMs: retention.get(topic.name),
      }));
    },

    async createTopics(specs: readonly TopicSpec[]) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: specs.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          configEntries: [
            { name: 'retention.ms', value: String(spec.retentionMs) },
            { name: 'cleanup.policy', value: 'delete' },
            ...(spec.segmentMs === undefined ? [] : [{ name: 'segment.ms', value: String(spec.segmentMs) }]),
          ],
        })),
      });
    },

    async setRetention(topic, retentionMs) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [{ name: 'retention.ms', value: String(retentionMs) }],
          },
        ],
      });
    },
  };
}
