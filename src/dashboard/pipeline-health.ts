import { DATA_TOPICS, deadLetterTopicOf } from '../contracts/index.ts';
import { DeadLetterCounter } from '../messaging/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { PipelineHealth } from './dashboard-deps.ts';

/**
 * The pipeline's health read off a runtime: for every consumer group, its lag on each topic it
 * has committed on (end offset minus committed, summed over partitions), and how many dead letters
 * each data topic's dead-letter topic holds, counted by `deadLetters` (pass the same counter to
 * every call: it reads only what is new).
 */
export async function runtimePipelineHealth(
  runtime: Pick<Runtime, 'log' | 'listGroups' | 'listTopics'>,
  options: {
    readonly hideGroup?: (group: string) => boolean;
    readonly deadLetters?: DeadLetterCounter;
  } = {},
): Promise<PipelineHealth> {
  const topics = await runtime.listTopics();
  const groups: Array<{ group: string; topic: string; lag: number }> = [];
  for (const group of await runtime.listGroups()) {
    if (options.hideGroup?.(group) === true) continue;
    for (const topic of topics) {
      const committed = await runtime.log.committedOffsets(group, topic);
      if (committed.size === 0) continue;
      let lag = 0;
      for (const [partition, end] of await runtime.log.endOffsets(topic))
        lag += Math.max(0, end - (committed.get(partition) ?? 0));
      groups.push({ group, topic, lag });
    }
  }
  const counter = options.deadLetters ?? new DeadLetterCounter(runtime.log);
  const deadLetters: Array<{ topic: string; count: number; unreadable: number }> = [];
  for (const topic of Object.keys(DATA_TOPICS)) {
    const dlq = deadLetterTopicOf(topic);
    if (!topics.includes(dlq)) continue;
    const { letters, unreadable } = await counter.count(dlq);
    deadLetters.push({ topic, count: letters, unreadable });
  }
  return { groups, deadLetters };
}
