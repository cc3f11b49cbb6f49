import type { Candle, CandleQuery } from '../../projections/candles/index.ts';
import type { MlSignal, OrderEvent } from '../contracts/index.ts';

/** Consumer-group lag on one topic, and the dead letters of one data topic. */
export interface PipelineHealth {
  readonly groups: ReadonlyArray<{ readonly group: string; readonly topic: string; readonly lag: number }>;
  readonly deadLetters: ReadonlyArray<{
    readonly topic: string;
    readonly count: number;
    /** Of which records the log could not read (a codec or format no client here knows). */
    readonly unreadable?: number;
  }>;
}

/** What the page is told as it happens; portfolio snapshots are sent by the event stream itself. */
export type LiveEvent =
  | { readonly type: 'bar'; readonly candle: Candle }
  | { readonly type: 'signal'; readonly signal: MlSignal }
  | { readonly type: 'order'; readonly order: OrderEvent };

/** A source of live events; `subscribe` returns the function that unsubscribes. */
export interface LiveFeed {
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

/**
 * What the dashboard needs beyond the API's own dependencies, supplied by the composition root:
 * the candle read model, the pipeline's health and a live feed (`openLogFeed` reads one off the log).
 */
export interface DashboardDependencies {
  readonly candles: (query: CandleQuery) => Candle[];
  /** Symbols that have candles, for the symbol selector. */
  readonly symbols: () => string[];
  readonly pipeline: () => Promise<PipelineHealth>;
  readonly feed: LiveFeed;
  /** How often an open event stream checks the portfolio and sends it when it changed (default 1 s). */
  readonly portfolioEveryMs?: number;
}
