import { Command } from 'commander';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import {
  DiscordWebhook,
  NotifierRunner,
  notificationKey,
  redactWebhookUrl,
  SignalNotifier,
} from '../../notify/index.ts';
import { ORDERS } from '../../contracts/index.ts';
import { prepareRuntime, type KafkaRuntime } from '../../runtime/index.ts';
import { becomeActive, stepDownNow, stepDownOnFailure } from '../../standby/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { withRuntime } from '../with-runtime.ts';

/** `cml notify`: the Discord notifier as a service of its own, until Ctrl-C (or SIGTERM). */
export function notifyCommand(context: () => CommandContext): Command {
  return new Command('notify')
    .description(
      'post the FILLED, CLOSED and CANCELLED events of crypto.orders to a Discord webhook, in log order',
    )
    .option(
      '--from-beginning',
      'with no progress recorded yet, post the whole log instead of only new events',
    )
    .option('--until-caught-up', 'stop once every event in the log is posted (replays, scripts)')
    .option(
      '--standby',
      'wait as a standby until this instance holds the notifier lease (Kafka only), then post',
    )
    .addHelpText(
      'after',
      '\nThe webhook URL comes from notify.discordWebhookUrl or DISCORD_WEBHOOK_URL. Progress is kept in the\n' +
        'consumer group <notify.group>.posted: a restart resumes after the last event posted.\n' +
        'With notify.signalMinConfidence (NOTIFY_SIGNAL_MIN_CONFIDENCE), BUY and SELL signals of crypto.ml_signals\n' +
        'at or above it are posted too, at most notify.signalsPerMinute a minute (group <notify.group>.signals).',
    )
    .action(async (opts: { fromBeginning?: boolean; untilCaughtUp?: boolean; standby?: boolean }) => {
      const ctx = context();
      const { notify } = ctx.config;
      if (opts.standby === true && ctx.config.runtime !== 'kafka') {
        throw new CmlError(
          ErrorCodes.USAGE,
          `--standby needs the Kafka runtime (this one is ${ctx.config.runtime})`,
          {
            hint: 'Run `cml --runtime kafka notify --standby` on two machines (or twice on one).',
          },
        );
      }
      if (notify.discordWebhookUrl === undefined) {
        throw new CmlError(ErrorCodes.NOTIFY_NOT_CONFIGURED, 'No Discord webhook URL is configured', {
          hint: 'Set DISCORD_WEBHOOK_URL (or notify.discordWebhookUrl in the config file) to the webhook URL from Discord: channel settings > Integrations > Webhooks.',
        });
      }
      const url = notify.discordWebhookUrl;
      await withRuntime(ctx, { access: 'write', command: 'notify' }, async (runtime) => {
        await prepareRuntime(runtime, ctx.config);
        const serde = await AvroSerde.create(runtime.registry);
        if (opts.standby === true) {
          await stepDownOnFailure(stepDownNow(ctx.logger))(() =>
            becomeActive({
              config: ctx.config,
              runtime: runtime as KafkaRuntime,
              services: ['notifier'],
              leaseTopic: ORDERS,
              logger: ctx.logger,
              stepDown: stepDownNow(ctx.logger),
              onWaiting: (_service, group) =>
                console.log(`standby: waiting for the lease of notifier (group ${group})`),
            }),
          );
          console.log('active: holding the lease of notifier');
        }
        // One webhook for both: Discord's rate limit is the webhook's, whoever posts.
        const webhook = new DiscordWebhook({ url, logger: ctx.logger });
        const runner = new NotifierRunner({
          log: runtime.log,
          serde,
          logger: ctx.logger,
          webhook,
          group: notify.group,
          fromBeginning: opts.fromBeginning === true || notify.fromBeginning,
          onPosted: (event, offset, posted) =>
            ctx.logger.info({ key: notificationKey(event), offset, message: posted.id }, 'posted'),
        });
        await runner.start();
        const signals =
          notify.signalMinConfidence === undefined
            ? undefined
            : new SignalNotifier({
                log: runtime.log,
                serde,
                logger: ctx.logger,
                webhook,
                minConfidence: notify.signalMinConfidence,
                perMinute: notify.signalsPerMinute,
                group: `${notify.group}.signals`,
              });
        await signals?.start();
        ctx.logger.info(
          { runtime: runtime.kind, group: notify.group, webhook: redactWebhookUrl(url) },
          'Discord notifier running (Ctrl-C stops it)',
        );
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        let failed = false;
        void runner.done.catch(() => {
          failed = true;
          stop.abort();
        });
        while (!stop.signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          if (opts.untilCaughtUp === true && (await runner.caughtUp())) break;
        }
        await signals?.stop();
        await runner.stop();
        if (failed) await runner.done;
        console.log(`posted ${runner.posted} events, skipped ${runner.skipped}`);
        if (signals !== undefined) {
          const { posted, dropped, failed: lost } = signals.stats();
          console.log(`posted ${posted} signals, dropped ${dropped} over the budget, ${lost} failed`);
        }
      });
    });
}
