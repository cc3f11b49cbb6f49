import { Command } from 'commander';
import { isDataTopic } from '../../contracts/index.ts';
import type { LogRecord } from '../../log/port.ts';
import { DeadLetterCounter, DeadLetterHeaders } from '../../messaging/index.ts';
import { openRuntime, type Runtime } from '../../runtime/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { boundedNumber } from '../option-parsers.ts';
import { sayIfBeside, withRuntime } from '../with-runtime.ts';

const positiveInt = boundedNumber({ min: 0, max: 1_000_000, integer: true });

/** One record as a JSON line: coordinates, key, and the value decoded with the schema it was written with. */
async function render(serde: AvroSerde, record: LogRecord): Promise<string> {
  let value: unknown;
  let schemaId: number | undefined;
  try {
    ({ value, schemaId } = await serde.decodeAny(record.value));
  } catch (error) {
    value = { undecodable: (error as Error).message, base64: record.value?.toString('base64') ?? null };
  }
  const headers = Object.keys(record.headers).length > 0 ? { headers: record.headers } : {};
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    key: record.key,
    schemaId,
    value,
    ...headers,
  });
}

async function printRange(
  runtime: Runtime,
  serde: AvroSerde,
  topic: string,
  fromBeginning: boolean,
  limit: number,
): Promise<void> {
  const ends = await runtime.log.endOffsets(topic);
  for (const [partition, end] of [...ends].sort(([a], [b]) => a - b)) {
    const start = fromBeginning ? 0 : Math.max(0, end - limit);
    const records = await runtime.log.read(topic, partition, start, limit);
    for (const record of records) console.log(await render(serde, record));
  }
}

const FOLLOW_POLL_MS = 250;

/**
 * `tail -f` on the embedded log without a consumer group, whose commits would write: it reads
 * each partition from where it got to, a few times a second, until Ctrl-C.
 */
async function followReadOnly(
  runtime: Runtime,
  serde: AvroSerde,
  topic: string,
  fromBeginning: boolean,
): Promise<void> {
  const ends = await runtime.log.endOffsets(topic);
  const positions = new Map([...ends].map(([partition, end]) => [partition, fromBeginning ? 0 : end]));
  let stopped = false;
  process.once('SIGINT', () => (stopped = true));
  while (!stopped) {
    for (const [partition, from] of positions) {
      const records = await runtime.log.read(topic, partition, from, 1_000);
      for (const record of records) console.log(await render(serde, record));
      const last = records.at(-1);
      if (last !== undefined) positions.set(partition, last.offset + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}

export function tailCommand(context: () => CommandContext): Command {
  return new Command('tail')
    .description("print a topic's messages decoded to JSON lines (the last N per partition by default)")
    .argument('<topic>')
    .option('--from-beginning', 'start at the first retained message of each partition')
    .option('-n, --limit <n>', 'messages per partition', positiveInt, 10)
    .option('-f, --follow', 'keep printing new messages until Ctrl-C')
    .action(async (topic: string, opts: { fromBeginning?: boolean; limit: number; follow?: boolean }) => {
      const { config, logger } = context();
      const runtime = await openRuntime(config, logger, { access: 'read', command: 'tail' });
      try {
        sayIfBeside(runtime);
        const serde = await AvroSerde.create(runtime.registry);
        if (opts.follow !== true) {
          await printRange(runtime, serde, topic, opts.fromBeginning === true, opts.limit);
          return;
        }
        if (runtime.kind === 'embedded') {
          await followReadOnly(runtime, serde, topic, opts.fromBeginning === true);
          return;
        }
        const subscription = await runtime.log.subscribe({
          group: `cml-tail-${process.pid}-${Date.now()}`,
          topics: [topic],
          fromBeginning: opts.fromBeginning === true,
          handler: async (batch) => {
            for (const record of batch.records) console.log(await render(serde, record));
          },
        });
        await new Promise<void>((resolve) => process.once('SIGINT', resolve));
        await subscription.stop();
      } finally {
        await runtime.close();
      }
    });
}

export function deadLettersCommand(context: () => CommandContext): Command {
  return new Command('dlq')
    .description(
      'peek at the dead letters of a data topic: why each message was refused, and where it came from',
    )
    .argument('<topic>', 'the data topic, e.g. crypto.market_data')
    .option('-n, --limit <n>', 'most recent dead letters to show', positiveInt, 20)
    .action(async (topic: string, opts: { limit: number }) => {
      await withRuntime(context(), { access: 'read', command: 'dlq' }, async (runtime) => {
        const dlq = isDataTopic(topic) ? `${topic}.dlq` : topic;
        // Offsets are not letters on Kafka (transaction markers take offsets too): read them all.
        const records: LogRecord[] = [];
        const { letters } = await new DeadLetterCounter(runtime.log).count(dlq, (letter) => {
          records.push(letter);
          if (records.length > opts.limit) records.shift();
        });
        console.log(`${dlq}: ${letters} dead letters in all, showing ${records.length}`);
        for (const record of records) {
          const h = record.headers;
          console.log(
            `${new Date(record.timestamp).toISOString()} ${h[DeadLetterHeaders.topic]}[${h[DeadLetterHeaders.partition]}]@${h[DeadLetterHeaders.offset]} key=${record.key} ` +
              `(${h[DeadLetterHeaders.errorCode]}, group ${h[DeadLetterHeaders.consumer]}): ${h[DeadLetterHeaders.reason]}`,
          );
        }
      });
    });
}

export function lagCommand(context: () => CommandContext): Command {
  return new Command('lag')
    .description('consumer-group lag per topic and partition (all groups when none is named)')
    .argument('[group]')
    .action(async (group: string | undefined) => {
      await withRuntime(context(), { access: 'read', command: 'lag' }, async (runtime) => {
        const groups = group !== undefined ? [group] : await runtime.listGroups();
        const topics = await runtime.listTopics();
        console.log(['group', 'topic', 'partition', 'committed', 'end', 'lag'].join('\t'));
        for (const groupId of groups) {
          for (const topic of topics) {
            const committed = await runtime.log.committedOffsets(groupId, topic);
            if (committed.size === 0) continue;
            for (const [partition, end] of await runtime.log.endOffsets(topic)) {
              const at = committed.get(partition);
              console.log([groupId, topic, partition, at ?? '-', end, end - (at ?? 0)].join('\t'));
            }
          }
        }
      });
    });
}
