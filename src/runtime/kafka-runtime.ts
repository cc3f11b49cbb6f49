import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../config/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { createKafka } from '../log/kafka/create-kafka.ts';
import { KafkaLog } from '../log/kafka/kafka-log.ts';
import { kafkaTopicAdmin } from '../log/kafka/kafka-topic-admin.ts';
import type { Logger } from '../observability/logger.ts';
import { confluentRegistry, type SchemaRegistryPort } from '../serde/index.ts';
import type { TopicAdmin } from '../topics/topic-admin.ts';
import type { Runtime } from './runtime.ts';

/** Everything that talks to a Kafka cluster and its schema registry, opened from configuration. */
export interface KafkaRuntime extends Runtime {
  readonly kind: 'kafka';
  readonly kafka: Kafka;
  readonly log: KafkaLog;
  readonly admin: Admin;
  readonly topicAdmin: TopicAdmin;
  readonly registry: SchemaRegistryPort;
}

export async function openKafkaRuntime(config: Config, logger: Logger): Promise<KafkaRuntime> {
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (cause) {
    throw new CmlError(
      ErrorCodes.BROKER_UNAVAILABLE,
      `Kafka is not reachable at ${config.kafka.brokers.join(', ')}: ${(cause as Error).message}`,
      {
        cause,
        canRetry: true,
        hint: 'Start the local stack (npm run stack:up) or set KAFKA_BROKERS to a running broker.',
      },
    );
  }
  const log = await KafkaLog.connect(kafka, {
    compression: config.kafka.compression,
    // Group-commit and partition-commit ids are the same on every host, so a singleton's active
    // instance fences the others, and a partition's new holder its old one (see KafkaLogOptions).
    transactionalIdPrefix: config.kafka.clientId,
    logger,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
  });
  return {
    kind: 'kafka',
    location: config.kafka.brokers.join(','),
    kafka,
    log,
    admin,
    topicAdmin: kafkaTopicAdmin(admin),
    registry: confluentRegistry(config.registry.url, config.registry.compatibility),
    listTopics: () => admin.listTopics(),
    listGroups: async () => (await admin.listGroups()).groups.map((g) => g.groupId).sort(),
    async close() {
      await log.close();
      await admin.disconnect();
    },
  };
}
