import { Command, InvalidArgumentError, Option } from 'commander';
import { SYMBOL_PATTERN } from '../../contracts/validation/rules.ts';
import { createMetrics } from '../../api/index.ts';
import { chooseModels } from '../../ml/index.ts';
import { ensureModels } from '../../pipeline/ensure-models.ts';
import { serveApi, type ServedApi } from '../../pipeline/serve-api.ts';
import { SERVICE_NAMES, startServices, type ServiceName } from '../../pipeline/services.ts';
import { startSimulatedFeed, type Feed } from '../../pipeline/simulated-feed.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { prepareRuntime, type KafkaRuntime } from '../../runtime/index.ts';
import {
  becomeActive,
  SINGLETON_SERVICES,
  stepDownNow,
  stepDownOnFailure,
  type SingletonService,
} from '../../standby/index.ts';
import { ORDERS } from '../../contracts/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';
import { boundedNumber, MAX_SPEED, seedNumber } from '../option-parsers.ts';
import { claimFor, withRuntime, type RuntimeAccess } from '../with-runtime.ts';

const services = (value: string): ServiceName[] => {
  if (value.trim() === 'none') return [];
  const names = value.split(',').map((s) => s.trim());
  for (const name of names)
    if (!(SERVICE_NAMES as readonly string[]).includes(name))
      throw new InvalidArgumentError(`unknown service "${name}"; services: ${SERVICE_NAMES.join(', ')}`);
  return names as ServiceName[];
};
const symbols = (value: string): string[] => {
  const names = value.split(',').map((s) => s.trim().toUpperCase());
  for (const name of names)
    if (!SYMBOL_PATTERN.test(name))
      throw new InvalidArgumentError(`"${name}" is not a USDT pair such as BTCUSDT`);
  return names;
};

interface StartOptions {
  feed: 'simulator' | 'none';
  services: ServiceName[];
  api: boolean;
  symbols: string[];
  speed: number;
  historyBars: number;
  seed: number;
  rule: boolean;
  standby: boolean;
}

const INTERVAL_MS = 5 * 60_000;
/** After SIGINT or SIGTERM, the most a stop may take (the next signal ends it at once). */
const STOP_WITHIN_MS = 30_000;

/**
 * `npm start`: the whole system in one process on the configured runtime (embedded by default):
 * the market simulator, a model trained on first run when none exists, the signals processor, the
 * trainer that retrains the models from the log, the decision engine, the virtual exchange, the
 * projections and the HTTP API with the dashboard.
 * Ctrl-C stops it cleanly; the next start resumes where it stopped. With `--services` and
 * `--feed none --no-api` one process runs one service, as on Kafka (`--runtime kafka`).
 */
export function startCommand(context: () => CommandContext): Command {
  return new Command('start')
    .description(
      'run the pipeline: simulator feed, signals, trainer, decisions, exchange, projections, API and dashboard',
    )
    .addOption(
      new Option('--feed <feed>', 'where market data comes from')
        .choices(['simulator', 'none'])
        .default('simulator'),
    )
    .option('--services <list>', `services to run here (${SERVICE_NAMES.join(',')})`, services, [
      ...SERVICE_NAMES,
    ])
    .option('--no-api', 'do not serve the HTTP API and dashboard')
    .option('--symbols <list>', 'simulated pairs', symbols, ['BTCUSDT', 'ETHUSDT'])
    .option(
      '--speed <n>',
      'simulated time runs this many times faster than real time (5-minute bars)',
      boundedNumber({ min: 0, minInclusive: false, max: MAX_SPEED }),
      60,
    )
    .option(
      '--history-bars <n>',
      'bars of history the first run simulates at once, to warm the features',
      boundedNumber({ min: 1, max: 100_000, integer: true }),
      400,
    )
    .option('--seed <n>', 'simulator seed', seedNumber, 42)
    .option('--no-rule', 'serve the ML models only, without the MA/RSI rule beside them')
    .option(
      '--standby',
      `wait as a standby until this instance holds the lease of its services (${SINGLETON_SERVICES.join(', ')}; Kafka only), then run them`,
      false,
    )
    .action(async (opts: StartOptions) => {
      const ctx = context();
      const { logger } = ctx;
      if (opts.standby) checkStandby(opts, ctx.config.runtime);
      // Before anything is trained, opened, started or bound; held until the process ends.
      const access: RuntimeAccess = { access: 'write', command: 'start', stores: opts.services };
      claimFor(ctx, access);
      // The rule trades on every SMA crossing, so a newcomer sees the whole ledger at work within
      // minutes; the models, trained on a quiet month of real BTCUSDT, rarely expect +1.5 % in 4 h.
      const config = {
        ...ctx.config,
        ml: { ...ctx.config.ml, models: chooseModels(ctx.config.ml.models, { rule: opts.rule }) },
      };
      if (opts.services.includes('signals')) {
        const bar = progressBar('training the first models on the bundled BTCUSDT candles');
        const trained = ensureModels(config, (p) => bar.update(p.done, p.total));
        bar.stop();
        if (trained.length > 0) console.log(`trained ${trained.join(', ')}`);
      }
      await withRuntime(ctx, access, async (runtime) => {
        await prepareRuntime(runtime, config);
        const serde = await AvroSerde.create(runtime.registry);
        const activating = opts.standby
          ? stepDownOnFailure(stepDownNow(logger))
          : <T>(start: () => Promise<T>): Promise<T> => start();
        if (runtime.kind === 'kafka') {
          const kafka = runtime as KafkaRuntime;
          if (opts.standby) {
            await activating(() =>
              becomeActive({
                config,
                runtime: kafka,
                services: opts.services as SingletonService[],
                leaseTopic: ORDERS,
                logger,
                stepDown: stepDownNow(logger),
                onWaiting: (service, group) =>
                  console.log(`standby: waiting for the lease of ${service} (group ${group})`),
              }),
            );
            console.log(`active: holding the lease of ${opts.services.join(', ')}`);
          } else {
            // Another instance claimed this one's transactional ids: it may write no more.
            kafka.log.onFenced((id) =>
              stepDownNow(logger)(`fenced: another instance took transactional id ${id}`),
            );
          }
        }
        const metrics = createMetrics();
        const running = await activating(() =>
          startServices({
            metrics,
            config,
            runtime,
            serde,
            logger,
            services: opts.services,
            clock: 'stream',
          }),
        );
        let api: ServedApi | undefined;
        let feed: Feed | undefined;
        try {
          if (opts.api && opts.services.includes('projections'))
            api = await serveApi({ config, runtime, serde, logger, services: running, metrics });
          if (opts.feed === 'simulator') {
            const history = progressBar('simulated history');
            feed = await startSimulatedFeed({
              log: runtime.log,
              serde,
              symbols: opts.symbols,
              intervalMs: INTERVAL_MS,
              speed: opts.speed,
              historyBars: opts.historyBars,
              seed: opts.seed,
              onHistory: (done, total) => history.update(done, total),
            });
            history.stop();
          }
          console.log(
            [
              `running on ${runtime.kind} (${runtime.location}): ${opts.services.join(', ')}`,
              feed === undefined
                ? 'no feed in this process'
                : `simulated ${opts.symbols.join(', ')} 5-minute bars at ${opts.speed}x from ${new Date(feed.resumedAt).toISOString()}`,
              api === undefined
                ? 'no API in this process'
                : `dashboard: ${api.url}   API docs: ${api.url}docs`,
              'Ctrl-C stops; the next start resumes where this one stopped.',
            ].join('\n'),
          );
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          console.log('stopping...');
          // A process manager kills after its grace period; better to end on our own, saying why.
          setTimeout(() => {
            console.error(`stopping took longer than ${STOP_WITHIN_MS / 1000} s; exiting now`);
            process.exit(1);
          }, STOP_WITHIN_MS).unref();
        } finally {
          await feed?.stop();
          await api?.close();
          await running.stop();
        }
      });
    });
}

/** A standby runs singletons only, on Kafka, without a feed (the lease is theirs, not the feed's). */
function checkStandby(opts: StartOptions, runtime: string): void {
  const others = opts.services.filter((s) => !(SINGLETON_SERVICES as readonly string[]).includes(s));
  const problem =
    runtime !== 'kafka'
      ? `--standby needs the Kafka runtime (this one is ${runtime})`
      : opts.services.length === 0 || others.length > 0
        ? `--standby runs ${SINGLETON_SERVICES.join(' and ')} only (asked: ${opts.services.join(', ') || 'none'})`
        : opts.feed !== 'none'
          ? '--standby runs no feed'
          : undefined;
  if (problem === undefined) return;
  throw new CmlError(ErrorCodes.USAGE, problem, {
    hint: `Run e.g. \`cml --runtime kafka start --services decision --feed none --no-api --standby\` twice, each with its own CML_DATA_DIR.`,
  });
}
