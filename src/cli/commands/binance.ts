import { Command, InvalidArgumentError } from 'commander';
import { SYMBOL_PATTERN } from '../../contracts/index.ts';
import { BinanceKlineFeed } from '../../ingest/binance/binance-kline-feed.ts';
import { BinanceRest } from '../../ingest/binance/binance-rest.ts';
import { BinanceTickerPoller } from '../../ingest/binance/binance-ticker-poller.ts';
import { Publisher } from '../../messaging/index.ts';
import { prepareRuntime } from '../../runtime/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { withRuntime } from '../with-runtime.ts';

export function binanceCommand(context: () => CommandContext): Command {
  return new Command('binance')
    .description(
      'live market data from Binance into crypto.market_data until Ctrl-C (settings: binance.* / BINANCE_*)',
    )
    .option('--symbols <list>', 'comma-separated USDT pairs (overrides BINANCE_SYMBOLS)')
    .option('--interval <interval>', 'kline interval, e.g. 1m (overrides BINANCE_INTERVAL)')
    .option('--poll', 'poll the 24 h tickers over REST instead of streaming klines')
    .action(async (opts: { symbols?: string; interval?: string; poll?: boolean }) => {
      const ctx = context();
      const settings = ctx.config.binance;
      const symbols = opts.symbols?.split(',').map((s) => s.trim().toUpperCase()) ?? settings.symbols;
      const bad = symbols.find((s) => !SYMBOL_PATTERN.test(s));
      if (bad !== undefined)
        throw new InvalidArgumentError(`--symbols: "${bad}" is not a USDT pair such as BTCUSDT`);
      const interval = (opts.interval ?? settings.interval) as typeof settings.interval;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      await withRuntime(ctx, { access: 'write', command: 'binance' }, async (runtime) => {
        await prepareRuntime(runtime, ctx.config);
        const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
        const rest = new BinanceRest({ baseUrl: settings.restUrl, logger: ctx.logger, signal: stop.signal });
        if (opts.poll === true || settings.mode === 'poll') {
          const poller = new BinanceTickerPoller({
            rest,
            symbols,
            publisher,
            logger: ctx.logger,
            pollMs: settings.pollMs,
          });
          console.log(
            `polling ${settings.restUrl} tickers of ${symbols.join(', ')} every ${settings.pollMs} ms; Ctrl-C stops`,
          );
          await poller.run(stop.signal);
          console.log(`stopped: ${JSON.stringify(poller.stats)}`);
          return;
        }
        const feed = new BinanceKlineFeed({
          wsUrl: settings.wsUrl,
          rest,
          symbols,
          interval,
          log: runtime.log,
          publisher,
          logger: ctx.logger,
        });
        console.log(
          `streaming ${interval} klines of ${symbols.join(', ')} from ${settings.wsUrl}; Ctrl-C stops`,
        );
        await feed.run(stop.signal);
        console.log(`stopped: ${JSON.stringify(feed.stats)}`);
      });
    });
}
