import { Command, Option } from 'commander';
import { prepareRuntime } from '../../runtime/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import { openExchange } from '../../../streams/exchange/open-exchange.ts';
import type { CommandContext } from '../context.ts';
import { withRuntime, type RuntimeAccess } from '../with-runtime.ts';

/** The exchange writes its snapshot store in the data directory, on Kafka too. */
const EXCHANGE_ACCESS: RuntimeAccess = { access: 'write', command: 'exchange', stores: ['exchange'] };

/** `cml exchange`: the virtual exchange as a service of its own, until Ctrl-C (or SIGTERM). */
export function exchangeCommand(context: () => CommandContext): Command {
  return new Command('exchange')
    .description(
      'run the virtual exchange: fill, close and cancel the orders of crypto.orders against crypto.market_data',
    )
    .addOption(
      new Option(
        '--watermark <mode>',
        'when a bar settles: once the signals processor and decision engine passed it, or as soon as the orders in the log are folded',
      ).choices(['pipeline', 'log']),
    )
    .option('--until-caught-up', 'stop once every bar in the log is settled (replays, scripts)')
    .action(async (opts: { watermark?: 'pipeline' | 'log'; untilCaughtUp?: boolean }) => {
      const ctx = context();
      const config =
        opts.watermark === undefined
          ? ctx.config
          : { ...ctx.config, exchange: { ...ctx.config.exchange, watermark: opts.watermark } };
      await withRuntime(ctx, EXCHANGE_ACCESS, async (runtime) => {
        await prepareRuntime(runtime, config);
        const serde = await AvroSerde.create(runtime.registry);
        const exchange = openExchange(config, runtime, serde, ctx.logger, {
          onEmitted: (events, bar) =>
            ctx.logger.info(
              {
                bar: new Date(bar.timestamp).toISOString(),
                events: events.map((e) => `${e.order_id} ${e.status}`),
              },
              'settled',
            ),
        });
        await exchange.runner.start();
        ctx.logger.info(
          { runtime: runtime.kind, watermark: config.exchange.watermark, group: config.exchange.group },
          'virtual exchange running (Ctrl-C stops it)',
        );
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        while (!stop.signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          if (opts.untilCaughtUp === true && (await exchange.runner.caughtUp())) break;
        }
        await exchange.stop();
        console.log(
          `settled ${exchange.runner.barsSettled} bars; cash ${exchange.runner.current().cash.toFixed(2)} USDT`,
        );
      });
    });
}
