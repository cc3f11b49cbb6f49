import type { LogPort } from '../log/port.ts';
import type { SchemaRegistryPort } from '../serde/index.ts';
import type { TopicAdmin } from '../topics/topic-admin.ts';

/** What processors, projections and commands run on: a log, its topics and its schema registry. */
export interface Runtime {
  readonly kind: 'embedded' | 'kafka';
  /** Where it lives, for messages: the data directory, or the brokers. */
  readonly location: string;
  readonly log: LogPort;
  readonly topicAdmin: TopicAdmin;
  readonly registry: SchemaRegistryPort;
  listTopics(): Promise<string[]>;
  listGroups(): Promise<string[]>;
  close(): Promise<void>;
}
