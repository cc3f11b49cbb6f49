import { Command } from 'commander';
import { declaredTopics } from '../../contracts/index.ts';
import { openKafkaRuntime } from '../../runtime/index.ts';
import { applyTopics } from '../../topics/apply-topics.ts';
import { describeDrift } from '../../topics/plan-topics.ts';
import type { CommandContext } from '../context.ts';
import { withRuntime } from '../with-runtime.ts';

const formatRetention = (ms: number | undefined): string => {
  if (ms === undefined) return 'unset';
  if (ms < 0) return 'forever';
  const hours = ms / 3_600_000;
  return hours % 24 === 0 ? `${hours / 24}d` : `${hours}h`;
};

export function topicsCommand(context: () => CommandContext): Command {
  const topics = new Command('topics').description('the declared topics: create, check for drift, list');

  topics
    .command('apply')
    .description('create missing topics and report drift between declared and actual topics')
    .option('--fix', 'align retention with the declaration (partition counts cannot be changed in place)')
    .option('--dry-run', 'only show what would be done')
    .action(async (opts: { fix?: boolean; dryRun?: boolean }) => {
      await withRuntime(context(), { access: 'write', command: 'topics apply' }, async (runtime) => {
        const result = await applyTopics(runtime.topicAdmin, declaredTopics(context().config.topics), {
          fix: opts.fix === true,
          dryRun: opts.dryRun === true,
        });
        for (const spec of result.plan.create) {
          console.log(
            `${opts.dryRun === true ? 'would create' : 'created'} ${spec.name} (${spec.partitions} partitions, retention ${formatRetention(spec.retentionMs)})`,
          );
        }
        for (const name of result.plan.upToDate) console.log(`up to date ${name}`);
        for (const drift of result.fixed) console.log(`fixed ${drift.topic}: retention.ms=${drift.declared}`);
        for (const drift of result.remainingDrift) console.log(`DRIFT ${describeDrift(drift)}`);
        if (result.remainingDrift.length > 0) process.exitCode = 1;
        console.log(`topics on the ${runtime.kind} runtime (${runtime.location})`);
      });
    });

  topics
    .command('list')
    .description('every topic on the cluster with partitions, retention and end offsets')
    .option('--all', 'include internal topics')
    .action(async (opts: { all?: boolean }) => {
      await withRuntime(context(), { access: 'read', command: 'topics list' }, async (runtime) => {
        const names = (await runtime.listTopics())
          .filter((name) => opts.all === true || !name.startsWith('__'))
          .sort();
        const described = await runtime.topicAdmin.describeTopics(names);
        const declared = new Set(declaredTopics(context().config.topics).map((spec) => spec.name));
        console.log(['topic', 'partitions', 'retention', 'messages(end offsets)', 'declared'].join('\t'));
        for (const topic of described) {
          const ends = await runtime.log.endOffsets(topic.name);
          const total = [...ends.values()].reduce((sum, end) => sum + end, 0);
          console.log(
            [
              topic.name,
              topic.partitions,
              formatRetention(topic.retentionMs),
              total,
              declared.has(topic.name) ? 'yes' : 'no',
            ].join('\t'),
          );
        }
      });
    });

  topics
    .command('describe')
    .description('partitions, leaders, retention and offsets of one topic on the Kafka cluster')
    .argument('<topic>')
    .action(async (name: string) => {
      const { config, logger } = context();
      const runtime = await openKafkaRuntime(config, logger);
      try {
        const [topic] = await runtime.topicAdmin.describeTopics([name]);
        if (topic === undefined) {
          console.error(
            `Topic ${name} does not exist. Known topics: ${(await runtime.admin.listTopics()).join(', ')}`,
          );
          process.exitCode = 1;
          return;
        }
        const metadata = await runtime.admin.fetchTopicMetadata({ topics: [name] });
        const offsets = await runtime.admin.fetchTopicOffsets(name);
        console.log(
          `${name}: ${topic.partitions} partitions, retention ${formatRetention(topic.retentionMs)}`,
        );
        for (const partition of metadata.topics[0]?.partitions ?? []) {
          const offset = offsets.find((o) => o.partition === partition.partitionId);
          console.log(
            `  partition ${partition.partitionId}: leader ${partition.leader}, replicas [${partition.replicas.join(',')}], offsets ${offset?.low ?? '?'}..${offset?.high ?? '?'}`,
          );
        }
      } finally {
        await runtime.close();
      }
    });

  return topics;
}
