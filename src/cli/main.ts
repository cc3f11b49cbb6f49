import { Command, Option } from 'commander';
import { backtestCommand } from './commands/backtest.ts';
import { sweepCommand, sweepWorkerCommand } from './commands/sweep.ts';
import { lookaheadCommand } from './commands/lookahead.ts';
import { binanceCommand } from './commands/binance.ts';
import { configCommand } from './commands/config.ts';
import { importCommand } from './commands/import.ts';
import { simulateCommand } from './commands/simulate.ts';
import { copyCommand } from './commands/copy.ts';
import { controlsCommand } from './commands/controls.ts';
import { exchangeCommand } from './commands/exchange.ts';
import { notifyCommand } from './commands/notify.ts';
import { discordCommand } from './commands/discord.ts';
import { deadLettersCommand, lagCommand, tailCommand } from './commands/inspect.ts';
import { projectionsCommand } from './commands/projections.ts';
import { rebuildCommand } from './commands/rebuild.ts';
import { schemasCommand } from './commands/schemas.ts';
import { stackCommand } from './commands/stack.ts';
import { startCommand } from './commands/start.ts';
import { initCommand, statusCommand } from './commands/status.ts';
import { topicsCommand } from './commands/topics.ts';
import { trainCommand } from './commands/train.ts';
import { verifyCommand } from './commands/verify.ts';
import { modelReportCommand } from './commands/model-report.ts';
import { modelsCommand } from './commands/models.ts';
import { createContext, type CommandContext, type GlobalOptions } from './context.ts';
import { describeFailure } from './describe-failure.ts';

const program = new Command('cml')
  .description('Event-sourced crypto trading ledger with an ML stream processor')
  .showHelpAfterError('(add --help for usage)')
  .option('-c, --config <file>', 'JSON config file (default: $CML_CONFIG or ./cml.config.json if present)')
  .option('--data-dir <dir>', 'where the embedded runtime keeps its data (default ./data)')
  .addOption(new Option('--runtime <runtime>', 'which log to run on').choices(['embedded', 'kafka']))
  .option(
    '--brokers <list>',
    'Kafka bootstrap servers, comma-separated (default $KAFKA_BROKERS or 127.0.0.1:9092)',
  )
  .option('--registry <url>', 'schema registry URL (default $SCHEMA_REGISTRY_URL)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent');

let context: CommandContext | undefined;
const getContext = (): CommandContext => (context ??= createContext(program.opts<GlobalOptions>()));

program.addCommand(startCommand(getContext));
program.addCommand(initCommand(getContext));
program.addCommand(statusCommand(getContext));
program.addCommand(stackCommand());
program.addCommand(topicsCommand(getContext));
program.addCommand(schemasCommand(getContext));
program.addCommand(importCommand(getContext));
program.addCommand(simulateCommand(getContext));
program.addCommand(binanceCommand(getContext));
program.addCommand(tailCommand(getContext));
program.addCommand(lagCommand(getContext));
program.addCommand(deadLettersCommand(getContext));
program.addCommand(rebuildCommand(getContext));
program.addCommand(verifyCommand(getContext));
program.addCommand(projectionsCommand(getContext));
program.addCommand(exchangeCommand(getContext));
program.addCommand(controlsCommand(getContext));
program.addCommand(notifyCommand(getContext));
program.addCommand(discordCommand(getContext));
program.addCommand(backtestCommand(getContext));
program.addCommand(sweepCommand(getContext));
program.addCommand(sweepWorkerCommand(getContext));
program.addCommand(lookaheadCommand(getContext));
program.addCommand(copyCommand(() => program.opts<GlobalOptions>()));
program.addCommand(configCommand(getContext));
program.addCommand(trainCommand(getContext));
program.addCommand(modelReportCommand(getContext));
program.addCommand(modelsCommand(getContext));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(
    `${describeFailure(error, program.opts<GlobalOptions>().logLevel ?? process.env.LOG_LEVEL)}\n`,
  );
  process.exitCode = 1;
}
