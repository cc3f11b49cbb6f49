import { Command } from 'commander';
import { configEnv, maskSecrets, type Config } from '../../config/index.ts';
import type { CommandContext } from '../context.ts';

/** What `config show` prints: the configuration as JSON, its secrets masked. */
export const renderConfig = (config: Config): string => JSON.stringify(maskSecrets(config), null, 2);

export function configCommand(context: () => CommandContext): Command {
  const command = new Command('config').description('the effective configuration');
  command
    .command('show')
    .description('print the validated configuration (file, environment and flags merged) as JSON')
    .action(() => console.log(renderConfig(context().config)));
  command
    .command('keys')
    .description('every configuration key with its environment variable')
    .action(() => {
      for (const [key, variable] of Object.entries(configEnv)) console.log(`${key}\t${variable}`);
    });
  return command;
}
