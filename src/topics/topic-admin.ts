import type { TopicSpec } from '../contracts/topics.ts';
import type { ExistingTopic } from './plan-topics.ts';

/** Topic management as either runtime offers it. */
export interface TopicAdmin {
  describeTopics(names: readonly string[]): Promise<ExistingTopic[]>;
  createTopics(specs: readonly TopicSpec[]): Promise<void>;
  setRetention(topic: string, retentionMs: number): Promise<void>;
}
