import { Command } from 'commander';
import type { Config } from '../../config/index.ts';
import { TOPIC_CONTRACTS, type TopicContract } from '../../contracts/index.ts';
import { checkSchemas, formatVerdict } from '../../schemas/check-schemas.ts';
import { confluentRegistry, type CompatibilityLevel } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';

const contracts = (): TopicContract<unknown>[] => Object.values(TOPIC_CONTRACTS) as TopicContract<unknown>[];

export const levelOf =
  (config: Config) =>
  (subject: string): CompatibilityLevel =>
    config.registry.subjectCompatibility[subject] ?? config.registry.compatibility;

export function schemasCommand(context: () => CommandContext): Command {
  const schemas = new Command('schemas').description(
    'Avro schemas in avro/: compatibility gate and registration',
  );

  schemas
    .command('check')
    .description('check every schema against its released versions (avro/released) and the live registry')
    .option('--offline', 'skip the registry; check against released versions only')
    .action(async (opts: { offline?: boolean }) => {
      const { config } = context();
      const registry =
        opts.offline === true
          ? undefined
          : confluentRegistry(config.registry.url, config.registry.compatibility);
      const verdicts = await checkSchemas(contracts(), {
        levelOf: levelOf(config),
        ...(registry === undefined ? {} : { registry }),
      });
      for (const verdict of verdicts) console.log(formatVerdict(verdict));
      const failed = verdicts.filter((v) => !v.ok).length;
      console.log(
        failed === 0
          ? `all ${verdicts.length} subjects compatible`
          : `${failed} of ${verdicts.length} subjects INCOMPATIBLE`,
      );
      if (failed > 0) process.exitCode = 1;
    });

  schemas
    .command('register')
    .description("set each subject's compatibility level and register its schema (idempotent)")
    .action(async () => {
      const { config } = context();
      const registry = confluentRegistry(config.registry.url, config.registry.compatibility);
      for (const contract of contracts()) {
        const level = levelOf(config)(contract.subject);
        await registry.setCompatibility(contract.subject, level);
        const id = await registry.register(contract.subject, contract.schema);
        const latest = await registry.latest(contract.subject);
        console.log(
          `${contract.subject}: id ${id}, version ${latest?.version ?? '?'}, compatibility ${level}`,
        );
      }
    });

  return schemas;
}
