import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

const SCRIPT = fileURLToPath(new URL('../../../scripts/stack/stack.sh', import.meta.url));

const runScript = (...args: string[]): void => {
  const result = spawnSync('bash', [SCRIPT, ...args], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
};

/** The local Kafka + schema registry (Java, fetched by Maven), as scripts/stack/stack.sh runs it. */
export function stackCommand(): Command {
  const stack = new Command('stack').description(
    'run the local Kafka broker and schema registry (needs Java 17 and Maven)',
  );
  stack
    .command('fetch')
    .description('download Kafka and Apicurio Registry with Maven (once)')
    .action(() => runScript('fetch'));
  stack
    .command('up')
    .description('start both, wait until healthy (idempotent)')
    .action(() => runScript('up'));
  stack
    .command('down')
    .description('stop both')
    .option('--purge', 'also delete their data')
    .action((opts: { purge?: boolean }) => runScript('down', ...(opts.purge === true ? ['--purge'] : [])));
  stack
    .command('status')
    .description('health of each service; exit 0 only when both are healthy')
    .action(() => runScript('status'));
  stack
    .command('logs')
    .description("show the services' logs")
    .argument('[service]', 'kafka or registry')
    .option('-f, --follow', 'keep following')
    .action((service: string | undefined, opts: { follow?: boolean }) =>
      runScript('logs', ...(service === undefined ? [] : [service]), ...(opts.follow === true ? ['-f'] : [])),
    );
  return stack;
}
