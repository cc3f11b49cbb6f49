import { MARKET_DATA } from '../contracts/index.ts';
import { latestBarRecord } from '../ingest/latest-bar-time.ts';
import {
  DEFAULT_SYMBOLS,
  MarketSimulator,
  type SimulatedSymbol,
} from '../ingest/simulator/market-simulator.ts';
import { runSimulator } from '../ingest/simulator/run-simulator.ts';
import type { LogPort } from '../log/port.ts';
import { Publisher } from '../messaging/index.ts';
import type { AvroSerde } from '../serde/index.ts';

export interface SimulatedFeedOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** Times faster than real time. */
  readonly speed: number;
  /** Bars of history published at once on the first run, so the features are warm. */
  readonly historyBars: number;
  readonly seed: number;
  readonly onHistory?: (done: number, total: number) => void;
}

export interface Feed {
  /** Open time of the first live bar. */
  readonly resumedAt: number;
  stop(): Promise<void>;
}

/**
 * The market simulator as the pipeline's feed. On the first run it publishes `historyBars` bars
 * ending now at full speed, then one bar per symbol every `intervalMs / speed`; a later run
 * resumes each symbol after its last bar in the log, at its last close.
 */
export async function startSimulatedFeed(options: SimulatedFeedOptions): Promise<Feed> {
  const serde = options.serde;
  const publisher = new Publisher(options.log, serde);
  const specs: SimulatedSymbol[] = [];
  let resumedAt: number | undefined;
  for (const symbol of options.symbols) {
    const base = DEFAULT_SYMBOLS.find((s) => s.symbol === symbol) ?? {
      symbol,
      startPrice: 100,
      annualVolatility: 0.8,
      baseVolume: 1_000,
    };
    const last = await latestBarRecord(options.log, symbol);
    if (last?.value != null) {
      const bar = await serde.decode(MARKET_DATA, last.value);
      specs.push({ ...base, startPrice: bar.price });
      resumedAt = Math.max(resumedAt ?? 0, bar.timestamp + options.intervalMs);
    } else {
      specs.push(base);
    }
  }
  const aligned = Math.floor(Date.now() / options.intervalMs) * options.intervalMs;
  const fresh = resumedAt === undefined;
  const start = resumedAt ?? aligned - options.historyBars * options.intervalMs;
  // A resumed run draws a new path: the same seed would replay the first run's moves.
  const seed = fresh ? options.seed : options.seed + Math.floor(start / options.intervalMs);
  const simulator = new MarketSimulator({ symbols: specs, intervalMs: options.intervalMs, start, seed });
  if (fresh) {
    await runSimulator({
      publisher,
      simulator,
      intervalMs: options.intervalMs,
      speed: 'max',
      bars: options.historyBars,
      onBars: (done) => options.onHistory?.(done, options.historyBars),
    });
  }
  const stop = new AbortController();
  const live = runSimulator({
    publisher,
    simulator,
    intervalMs: options.intervalMs,
    speed: options.speed,
    signal: stop.signal,
  });
  return {
    resumedAt: fresh ? start + options.historyBars * options.intervalMs : start,
    async stop() {
      stop.abort();
      await live.catch(() => undefined);
    },
  };
}
