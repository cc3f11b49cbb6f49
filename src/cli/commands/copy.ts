import { Command, InvalidArgumentError, Option } from 'commander';
import { copyTopic } from '../../copy/copy-topic.ts';
import { openRuntime } from '../../runtime/index.ts';
import { createContext, type CommandContext, type GlobalOptions } from '../context.ts';
import { boundedNumber } from '../option-parsers.ts';
import { progressBar } from '../progress.ts';

const offset = boundedNumber({ min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });

/** Copies a topic range between runtimes: a recorded session or a backtest into a real cluster, and back. */
export function copyCommand(globals: () => GlobalOptions): Command {
  return new Command('copy')
    .description(
      'copy a topic (or an offset range of it) between the embedded runtime and Kafka, keeping keys, timestamps and order',
    )
    .argument('<topic>')
    .addOption(
      new Option('--from <runtime>', 'source runtime').choices(['embedded', 'kafka']).makeOptionMandatory(),
    )
    .addOption(
      new Option('--to <runtime>', 'target runtime').choices(['embedded', 'kafka']).makeOptionMandatory(),
    )
    .option('--from-offset <n>', 'first offset of every partition to copy', offset)
    .option('--to-offset <n>', 'stop before this offset in every partition', offset)
    .action(
      async (
        topic: string,
        opts: {
          from: 'embedded' | 'kafka';
          to: 'embedded' | 'kafka';
          fromOffset?: number;
          toOffset?: number;
        },
      ) => {
        if (opts.from === opts.to) throw new InvalidArgumentError('--from and --to name the same runtime');
        const source: CommandContext = createContext({ ...globals(), runtime: opts.from });
        const target: CommandContext = createContext({ ...globals(), runtime: opts.to });
        const from = await openRuntime(source.config, source.logger, { access: 'read', command: 'copy' });
        const to = await openRuntime(target.config, target.logger, {
          access: 'write',
          command: 'copy',
        }).catch(async (error: unknown) => {
          await from.close();
          throw error;
        });
        const bar = progressBar(`copy ${topic}`);
        try {
          const result = await copyTopic(from, to, {
            topic,
            ...(opts.fromOffset === undefined ? {} : { fromOffset: opts.fromOffset }),
            ...(opts.toOffset === undefined ? {} : { toOffset: opts.toOffset }),
            onProgress: (done, total) => bar.update(done, total),
          });
          bar.stop();
          const partitions = [...result.perPartition].map(([p, n]) => `p${p}: ${n}`).join(', ');
          console.log(
            `copied ${result.copied} records of ${topic} from ${from.kind} (${from.location}) to ${to.kind} (${to.location})${partitions ? ` [${partitions}]` : ''}`,
          );
          for (const [a, b] of result.schemaIds) console.log(`  schema id ${a} -> ${b}`);
        } finally {
          bar.stop();
          await from.close();
          await to.close();
        }
      },
    );
}
