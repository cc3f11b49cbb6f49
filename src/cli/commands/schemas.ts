import { Command } from 'commander';
import { CONTROL_SCHEMA, SWEEP_SCHEMAS, TOPIC_CONTRACTS, type TopicContract } from '../../contracts/index.ts';
import { compatibilityLevelOf, registerSchemas } from '../../runtime/index.ts';
import { checkSchemas, formatVerdict, type SchemaSubject } from '../../schemas/check-schemas.ts';
import type { CommandContext } from '../context.ts';
import { withRuntime } from '../with-runtime.ts';

/** Every subject the gate checks: the data topics', the controls' and the sweep topics'. */
const contracts = (): SchemaSubject[] => [
  ...(Object.values(TOPIC_CONTRACTS) as TopicContract<unknown>[]),
  CONTROL_SCHEMA,
  ...SWEEP_SCHEMAS,
];

export function schemasCommand(context: () => CommandContext): Command {
  const schemas = new Command('schemas').description(
    'Avro schemas in avro/: compatibility gate and registration',
  );

  schemas
    .command('check')
    .description(
      "check every schema against its released versions (avro/released) and the runtime's registry",
    )
    .option('--offline', 'skip the registry; check against released versions only')
    .action(async (opts: { offline?: boolean }) => {
      const ctx = context();
      const levelOf = compatibilityLevelOf(ctx.config);
      const verdicts =
        opts.offline === true
          ? await checkSchemas(contracts(), { levelOf })
          : await withRuntime(ctx, { access: 'read', command: 'schemas check' }, (runtime) => {
              console.log(
                `registry: ${runtime.kind} (${runtime.kind === 'kafka' ? ctx.config.registry.url : runtime.location})`,
              );
              return checkSchemas(contracts(), { levelOf, registry: runtime.registry });
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
      const ctx = context();
      await withRuntime(ctx, { access: 'write', command: 'schemas register' }, async (runtime) => {
        for (const s of await registerSchemas(runtime, ctx.config)) {
          console.log(`${s.subject}: id ${s.id}, version ${s.version ?? '?'}, compatibility ${s.level}`);
        }
      });
    });

  return schemas;
}
