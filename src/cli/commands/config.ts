import { Command } from 'commander';
import { configEnv } from '../../config/index.ts';
import type { CommandContext } from '../context.ts';

export function configCommand(context: () => CommandContext): Command {
  const command = new Command('config').description('the effective configuration');
  command
    .command('show')
    .description('print the validated configuration (file, environment and flags merged) as JSON')
    .action(() => console.log(JSON.stringify(context().config, null, 2)));
  command
    .command('keys')
    .description('every configuration key with its environment variable')
    .action(() => {
      for (const [key, variable] of Object.entries(configEnv)) console.log(`${key}\t${variable}`);
    });
  return command;
}
