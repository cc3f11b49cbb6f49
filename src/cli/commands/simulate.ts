import { Command, InvalidArgumentError } from 'commander';
import { SYMBOL_PATTERN } from '../../contracts/index.ts';
import {
  DEFAULT_SYMBOLS,
  MarketSimulator,
  type SimulatedSymbol,
} from '../../ingest/simulator/market-simulator.ts';
import { runSimulator } from '../../ingest/simulator/run-simulator.ts';
import { writeSimulatedKlines } from '../../ingest/simulator/write-klines.ts';
import { Publisher } from '../../messaging/index.ts';
import { prepareRuntime } from '../../runtime/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';
import { boundedNumber, isoInstant, MAX_SPEED, seedNumber } from '../option-parsers.ts';
import { withRuntime } from '../with-runtime.ts';

const INTERVALS: Record<string, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000 };

const interval = (value: string): number => {
  const ms = INTERVALS[value];
  if (ms === undefined)
    throw new InvalidArgumentError(`expected one of ${Object.keys(INTERVALS).join(', ')}`);
  return ms;
};
const timesRealTime = boundedNumber({ min: 0, minInclusive: false, max: MAX_SPEED });
const speed = (value: string): number | 'max' => (value === 'max' ? 'max' : timesRealTime(value));
const count = boundedNumber({ min: 1, max: 10_000_000, integer: true });
const symbols = (value: string): SimulatedSymbol[] =>
  value.split(',').map((name, i) => {
    const symbol = name.trim().toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol))
      throw new InvalidArgumentError(`"${name}" is not a USDT pair such as BTCUSDT`);
    return (
      DEFAULT_SYMBOLS.find((s) => s.symbol === symbol) ?? {
        symbol,
        startPrice: 10 ** (1 + (i % 4)),
        annualVolatility: 0.8,
        baseVolume: 10_000,
      }
    );
  });

export function simulateCommand(context: () => CommandContext): Command {
  return new Command('simulate')
    .description(
      'publish a seeded simulated market (volatility clustering, fat tails, intraday volume) to crypto.market_data, or write it to kline CSV files (--out) for backtests',
    )
    .option('--symbols <list>', 'comma-separated USDT pairs', symbols, [...DEFAULT_SYMBOLS])
    .option('--interval <interval>', 'bar interval: 1m, 5m, 15m or 1h', interval, 60_000)
    .option('--speed <speed>', 'times faster than real time, or "max"', speed, 'max' as number | 'max')
    .option('--bars <n>', 'bars per symbol (default: 1440 at max speed, unbounded otherwise)', count)
    .option('--seed <n>', 'random seed: the same seed gives the same market', seedNumber, 42)
    .option(
      '--start <iso>',
      'open time of the first bar (default: at max speed, so the last bar ends now; otherwise now)',
      isoInstant,
    )
    .option('--out <dir>', 'write one kline CSV per symbol to this folder instead of publishing')
    .action(
      async (opts: {
        symbols: SimulatedSymbol[];
        interval: number;
        speed: number | 'max';
        bars?: number;
        seed: number;
        start?: number;
        out?: string;
      }) => {
        const bars = opts.bars ?? (opts.speed === 'max' ? 1_440 : undefined);
        const aligned = Math.floor(Date.now() / opts.interval) * opts.interval;
        const start =
          opts.start !== undefined
            ? opts.start
            : opts.speed === 'max'
              ? aligned - (bars ?? 0) * opts.interval
              : aligned;
        if (opts.out !== undefined) {
          const steps = bars ?? 1_440;
          const bar = progressBar('simulate');
          const files = writeSimulatedKlines({
            simulator: new MarketSimulator({
              symbols: opts.symbols,
              intervalMs: opts.interval,
              start,
              seed: opts.seed,
            }),
            symbols: opts.symbols.map((s) => s.symbol),
            intervalMs: opts.interval,
            bars: steps,
            dir: opts.out,
            onBars: (n) => bar.update(n, steps),
          });
          bar.stop();
          console.log(`wrote ${steps} bars for each symbol to ${files.join(', ')}`);
          return;
        }
        const ctx = context();
        await withRuntime(ctx, { access: 'write', command: 'simulate' }, async (runtime) => {
          await prepareRuntime(runtime, ctx.config);
          const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
          const simulator = new MarketSimulator({
            symbols: opts.symbols,
            intervalMs: opts.interval,
            start,
            seed: opts.seed,
          });
          const stop = new AbortController();
          process.once('SIGINT', () => stop.abort());
          const bar = progressBar('simulate');
          const done = await runSimulator({
            publisher,
            simulator,
            intervalMs: opts.interval,
            speed: opts.speed,
            signal: stop.signal,
            ...(bars === undefined ? {} : { bars }),
            onBars: (n) => bars !== undefined && bar.update(n, bars),
          });
          bar.stop();
          console.log(
            `published ${done} bars for each of ${opts.symbols.map((s) => s.symbol).join(', ')} to ${runtime.kind} (${runtime.location})`,
          );
        });
      },
    );
}
