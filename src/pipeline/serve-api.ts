import type { FastifyInstance } from 'fastify';
import { ORDERS } from '../contracts/index.ts';
import type { Config } from '../config/index.ts';
import { Gauge } from 'prom-client';
import { buildApi, type LagProbe, type Metrics, type ProcessorProbe } from '../api/index.ts';
import { ControlCodec, controlsView, LogOperatorControls } from '../controls/index.ts';
import { openLogFeed, runtimePipelineHealth, type LogFeed } from '../dashboard/index.ts';
import { DeadLetterCounter, encodeValidated } from '../messaging/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Runtime } from '../runtime/index.ts';
import type { AvroSerde } from '../serde/index.ts';
import type { Services } from './services.ts';
import type { OperatorControls } from '../controls/operator-controls.ts';
import { INTERACTIONS_PATH, type DiscordBotOptions } from '../discord/index.ts';

export interface ServedApi {
  readonly app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:3000/. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The query API and the dashboard over the projections a process runs, listening on the
 * configured host and port. Its writes (manual cancel, account reset) go to crypto.orders, where
 * the exchange and the projections pick them up like any other event; the operators' controls
 * (pause, resume, force-close) go to crypto.controls, where the decision engine picks them up.
 */
export async function serveApi(options: {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly services: Services;
  /** The process's metrics, which the services report to as well. */
  readonly metrics: Metrics;
  /** What the Discord bot's /pause, /resume and /close ask; absent, the log-backed controls the API's routes use. */
  readonly controls?: OperatorControls;
}): Promise<ServedApi> {
  const { config, runtime, serde, services } = options;
  const portfolio = services.portfolio;
  const signals = services.signalHistory;
  const candles = services.candles;
  if (portfolio === undefined || signals === undefined || candles === undefined)
    throw new Error('the API needs the projections service');
  const lag: LagProbe[] = [
    { name: 'portfolio', lag: () => portfolio.projection.lag() },
    { name: 'signals', lag: () => signals.projection.lag() },
  ];
  const probe = (name: string, of: { stuckReason(): string | undefined }): ProcessorProbe => ({
    name,
    stuck: () => of.stuckReason() !== undefined,
    reason: () => of.stuckReason(),
  });
  const processors: ProcessorProbe[] = [
    probe('portfolio', portfolio.projection),
    probe('signals', signals.projection),
    probe('candles', candles.projection),
  ];
  const { decision, exchange, signals: signalsProcessor } = services;
  if (signalsProcessor !== undefined) processors.push(probe('signals-processor', signalsProcessor));
  if (decision !== undefined) processors.push(probe('decision', decision));
  if (exchange !== undefined) processors.push(probe('exchange', exchange.runner));
  const deadLetters = new DeadLetterCounter(runtime.log);
  const stopGauges = refreshPipelineGauges(runtime, options.metrics, deadLetters);
  const feed: LogFeed = await openLogFeed({ log: runtime.log, serde, logger: options.logger });
  const operator = new LogOperatorControls({
    log: runtime.log,
    codec: await ControlCodec.create(runtime.registry),
    openPositions: (symbol) =>
      [...portfolio.projection.current().lots.values()].filter((lot) => lot.symbol === symbol).length,
  });
  const { discord } = config;
  const bot: DiscordBotOptions | undefined =
    discord.publicKey === undefined
      ? undefined
      : {
          publicKey: discord.publicKey,
          operators: { userIds: discord.operatorUserIds, roleIds: discord.operatorRoleIds },
          controls: options.controls ?? operator,
        };
  const app = await buildApi({
    store: portfolio.store,
    portfolio: () => portfolio.projection.current(),
    signals: signals.store,
    appendOrders: async (events) => {
      const records = encodeValidated(serde, ORDERS, events, (event) => event.event_time ?? event.timestamp);
      await runtime.log.append([{ topic: ORDERS, records }]);
    },
    controls: { operator, view: async () => controlsView(await operator.history()) },
    metrics: options.metrics,
    projections: lag,
    processors,
    settings: config.api,
    feeRate: config.exchange.feeRate,
    dashboard: {
      candles: (query) => candles.store.candles(query),
      symbols: () => candles.store.symbols(),
      pipeline: () => runtimePipelineHealth(runtime, { deadLetters }),
      feed: feed.feed,
    },
    ...(bot === undefined ? {} : { discord: bot }),
  });
  const address = await app.listen({ host: config.api.host, port: config.api.port });
  if (bot !== undefined)
    options.logger.info(
      {
        path: INTERACTIONS_PATH,
        operatorUsers: bot.operators.userIds.length,
        operatorRoles: bot.operators.roleIds.length,
        controls: bot.controls !== undefined,
      },
      'Discord interactions served',
    );
  return {
    app,
    url: `${address.replace('[::1]', 'localhost')}/`,
    async close() {
      stopGauges();
      await app.close();
      await feed.stop();
    },
  };
}

/**
 * Consumer lag per group and topic, and the records of each dead-letter topic, refreshed every
 * few seconds from the log (every group of the runtime, whichever process it runs in).
 */
function refreshPipelineGauges(
  runtime: Runtime,
  metrics: Metrics,
  deadLetters: DeadLetterCounter,
): () => void {
  const deadLetterRecords = new Gauge({
    name: 'cml_dead_letter_records',
    help: 'Records in the dead-letter topic of each data topic',
    labelNames: ['topic'],
    registers: [metrics.registry],
  });
  const unreadableRecords = new Gauge({
    name: 'cml_unreadable_records',
    help: 'Dead letters of each data topic that the log could not read at all (unknown codec or format)',
    labelNames: ['topic'],
    registers: [metrics.registry],
  });
  let busy = false;
  const refresh = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const health = await runtimePipelineHealth(runtime, { deadLetters });
      for (const { group, topic, lag } of health.groups)
        metrics.consumerLag.set({ group, topic, partition: 'all' }, lag);
      for (const { topic, count, unreadable } of health.deadLetters) {
        deadLetterRecords.set({ topic }, count);
        unreadableRecords.set({ topic }, unreadable ?? 0);
      }
    } catch {
      // The next refresh tries again; a scrape meanwhile shows the last values.
    } finally {
      busy = false;
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
