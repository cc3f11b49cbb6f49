import { existsSync, rmSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { PROJECTION_NAMES, type ProjectionName } from '../../data-dir/index.ts';
import { projectionsDir } from '../../pipeline/services.ts';
import type { CommandContext } from '../context.ts';
import { withDataDir } from '../with-runtime.ts';

const projectionNames = (value: string, previous: ProjectionName[] = []): ProjectionName[] => {
  if (value === 'all') return [...PROJECTION_NAMES];
  if (!(PROJECTION_NAMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(
      `unknown projection "${value}"; projections: ${PROJECTION_NAMES.join(', ')}, all`,
    );
  return [...previous, value as ProjectionName];
};

/** The read models of the data directory: they are folded from the log, so dropping one loses nothing. */
export function projectionsCommand(context: () => CommandContext): Command {
  const projections = new Command('projections').description(
    'the read models (portfolio, signals, candles): drop one to have it folded again from the log',
  );
  projections
    .command('drop')
    .description(
      'delete projection stores (damaged, or to fold again); the next start folds them from the log from its first offset',
    )
    .argument('<names...>', `${PROJECTION_NAMES.join(', ')} or all`)
    .action(async (names: string[]) => {
      const ctx = context();
      const chosen = [
        ...new Set(names.reduce<ProjectionName[]>((all, name) => projectionNames(name, all), [])),
      ];
      await withDataDir(
        ctx,
        { access: 'write', command: 'projections drop', stores: ['projections'] },
        () => {
          for (const name of chosen) {
            const dir = projectionsDir(ctx.config.dataDir, name);
            if (!existsSync(dir)) {
              console.log(`no ${name} projection at ${dir}`);
              continue;
            }
            rmSync(dir, { recursive: true, force: true });
            console.log(
              `dropped the ${name} projection (${dir}): the next start folds it again from the log`,
            );
          }
          return Promise.resolve();
        },
      );
    });
  return projections;
}
