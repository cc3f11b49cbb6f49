import { setTimeout as sleep } from 'node:timers/promises';
import { MARKET_DATA } from '../../contracts/index.ts';
import type { Publisher } from '../../messaging/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { BinanceRest } from './binance-rest.ts';

export interface BinanceTickerPollerOptions {
  readonly rest: BinanceRest;
  readonly symbols: readonly string[];
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly pollMs: number;
  readonly now?: () => number;
}

/**
 * The fallback when WebSockets are not available: polls the 24 h rolling tickers over REST and
 * publishes each new snapshot (one per symbol and update time), validated against the wall clock.
 */
export class BinanceTickerPoller {
  readonly stats = { polls: 0, published: 0, unchanged: 0 };
  private readonly last = new Map<string, number>();

  constructor(private readonly options: BinanceTickerPollerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, 'Binance ticker poll failed');
      }
      await sleep(this.options.pollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  async pollOnce(): Promise<void> {
    this.stats.polls++;
    const tickers = await this.options.rest.tickers(this.options.symbols);
    const fresh = tickers.filter((t) => t.timestamp > (this.last.get(t.symbol) ?? Number.NEGATIVE_INFINITY));
    this.stats.unchanged += tickers.length - fresh.length;
    if (fresh.length === 0) return;
    const now = this.options.now?.() ?? Date.now();
    await this.options.publisher.publish(MARKET_DATA, fresh, () => now);
    for (const ticker of fresh) this.last.set(ticker.symbol, ticker.timestamp);
    this.stats.published += fresh.length;
  }
}
