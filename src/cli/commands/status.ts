import { Command } from 'commander';
import { CONTROL_TOPIC, DATA_TOPICS, deadLetterTopicOf } from '../../contracts/index.ts';
import { DeadLetterCounter } from '../../messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../runtime/index.ts';
import type { CommandContext } from '../context.ts';
import { withRuntime } from '../with-runtime.ts';

const sum = (offsets: ReadonlyMap<number, number>): number =>
  [...offsets.values()].reduce((a, b) => a + b, 0);

/** A summary of a runtime: its topics with message and dead-letter counts, subjects, and group lag. */
async function printStatus(runtime: Runtime): Promise<void> {
  console.log(`runtime: ${runtime.kind} (${runtime.location})`);
  console.log('topics:');
  const counter = new DeadLetterCounter(runtime.log);
  for (const spec of Object.values(DATA_TOPICS)) {
    const messages = sum(await runtime.log.endOffsets(spec.name));
    const { letters, unreadable } = await counter.count(deadLetterTopicOf(spec.name));
    console.log(
      `  ${spec.name.padEnd(20)} ${String(spec.partitions).padStart(2)} partitions  ${String(messages).padStart(9)} offsets  ${letters} dead letters` +
        (unreadable > 0 ? ` (${unreadable} unreadable)` : ''),
    );
  }
  const controls = sum(await runtime.log.endOffsets(CONTROL_TOPIC.name));
  console.log(
    `  ${CONTROL_TOPIC.name.padEnd(20)} ${String(CONTROL_TOPIC.partitions).padStart(2)} partitions  ${String(controls).padStart(9)} offsets  (operators' controls)`,
  );
  console.log('schemas:');
  for (const subject of await runtime.registry.subjects()) {
    const latest = await runtime.registry.latest(subject);
    console.log(
      `  ${subject.padEnd(28)} version ${latest?.version ?? '?'}  id ${latest?.id ?? '?'}  ${(await runtime.registry.getCompatibility(subject)) ?? ''}`,
    );
  }
  const groups = await runtime.listGroups();
  console.log(groups.length === 0 ? 'consumer groups: none yet' : 'consumer groups (lag):');
  for (const group of groups) {
    for (const topic of [...Object.keys(DATA_TOPICS), CONTROL_TOPIC.name]) {
      const committed = await runtime.log.committedOffsets(group, topic);
      if (committed.size === 0) continue;
      const ends = await runtime.log.endOffsets(topic);
      const lag = [...ends].reduce((total, [p, end]) => total + end - (committed.get(p) ?? 0), 0);
      console.log(`  ${group} on ${topic}: ${lag}`);
    }
  }
}

export function statusCommand(context: () => CommandContext): Command {
  return new Command('status')
    .description('what the runtime holds: topics, message and dead-letter counts, schemas, consumer lag')
    .action(async () => withRuntime(context(), { access: 'read', command: 'status' }, printStatus));
}

export function initCommand(context: () => CommandContext): Command {
  return new Command('init')
    .description('prepare the runtime: create the declared topics and register the schemas (idempotent)')
    .action(async () => {
      const ctx = context();
      await withRuntime(ctx, { access: 'write', command: 'init' }, async (runtime) => {
        const { topics, subjects } = await prepareRuntime(runtime, ctx.config);
        console.log(
          `topics: ${topics.created.length} created, ${topics.plan.upToDate.length} up to date, ${topics.remainingDrift.length} drifted`,
        );
        console.log(`schemas: ${subjects.map((s) => `${s.subject} v${s.version ?? '?'}`).join(', ')}`);
      });
    });
}
