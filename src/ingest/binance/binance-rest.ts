import { setTimeout as sleep } from 'node:timers/promises';
import type { MarketData } from '../../contracts/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import type { Logger } from '../../observability/logger.ts';
import {
  KLINE_INTERVALS,
  parseRestKline,
  parseTicker,
  type Kline,
  type KlineInterval,
} from './binance-payloads.ts';

export interface BinanceRestOptions {
  readonly baseUrl: string;
  readonly logger: Logger;
  /** The request-weight budget per minute (Binance spot: 6000); we slow down near it. */
  readonly weightLimit?: number;
  readonly signal?: AbortSignal;
}

const KLINES_PER_REQUEST = 1_000;
const MAX_ATTEMPTS = 8;

/**
 * The few REST calls the feed needs. It reads the used-weight header and pauses before the budget
 * runs out; on 429 (rate limited) and 418 (IP banned) it waits what Retry-After says; on network
 * errors and 5xx it backs off exponentially.
 */
export class BinanceRest {
  private pausedUntil = 0;

  constructor(private readonly options: BinanceRestOptions) {}

  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(query).toString()}`;
    for (let attempt = 1; ; attempt++) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: this.options.signal });
      let response: Response;
      try {
        response = await fetch(url, { signal: this.options.signal ?? null });
      } catch (cause) {
        if (this.options.signal?.aborted === true || attempt >= MAX_ATTEMPTS) {
          throw new CmlError(
            ErrorCodes.BROKER_UNAVAILABLE,
            `Binance REST ${path} failed: ${(cause as Error).message}`,
            { cause, canRetry: true },
          );
        }
        await sleep(Math.min(30_000, 250 * 2 ** attempt), undefined, { signal: this.options.signal });
        continue;
      }
      this.trackWeight(response);
      if (response.status === 429 || response.status === 418) {
        const retryAfter = Number(response.headers.get('retry-after') ?? '60');
        this.pausedUntil = Date.now() + (Number.isFinite(retryAfter) ? retryAfter : 60) * 1000;
        this.options.logger.warn(
          { status: response.status, retryAfterS: retryAfter, path },
          'Binance rate limit: backing off',
        );
        await response.body?.cancel();
        continue;
      }
      if (response.status >= 500 && attempt < MAX_ATTEMPTS) {
        await response.body?.cancel();
        await sleep(Math.min(30_000, 250 * 2 ** attempt), undefined, { signal: this.options.signal });
        continue;
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        throw new CmlError(
          ErrorCodes.USAGE,
          `Binance REST ${path} answered HTTP ${response.status}: ${JSON.stringify(body)}`,
          {
            hint: 'Check the symbols and the interval, and BINANCE_REST_URL.',
          },
        );
      }
      return body;
    }
  }

  private trackWeight(response: Response): void {
    const used = Number(response.headers.get('x-mbx-used-weight-1m'));
    const limit = this.options.weightLimit ?? 6_000;
    if (Number.isFinite(used) && used >= limit * 0.9) {
      const nextMinute = (Math.floor(Date.now() / 60_000) + 1) * 60_000;
      this.pausedUntil = Math.max(this.pausedUntil, nextMinute);
      this.options.logger.warn(
        { used, limit },
        'Binance request weight near its limit: pausing until the next minute',
      );
    }
  }

  /** Closed klines with open time in [from, to], oldest first, paging as needed. */
  async klines(symbol: string, interval: KlineInterval, from: number, to: number): Promise<Kline[]> {
    const out: Kline[] = [];
    let start = from;
    while (start <= to) {
      const rows = await this.get('/api/v3/klines', {
        symbol,
        interval,
        startTime: String(start),
        endTime: String(to),
        limit: String(KLINES_PER_REQUEST),
      });
      if (!Array.isArray(rows) || rows.length === 0) break;
      for (const row of rows) {
        const parsed = parseRestKline(symbol, row);
        if (parsed.ok) out.push(parsed.value);
        else this.options.logger.warn({ symbol, reason: parsed.reason }, 'skipped a malformed REST kline');
      }
      const last = out.at(-1);
      if (last === undefined || rows.length < KLINES_PER_REQUEST) break;
      start = last.bar.timestamp + KLINE_INTERVALS[interval];
    }
    return out;
  }

  /** The 24 h rolling tickers of the symbols. */
  async tickers(symbols: readonly string[]): Promise<MarketData[]> {
    const body = await this.get('/api/v3/ticker/24hr', { symbols: JSON.stringify(symbols) });
    const out: MarketData[] = [];
    for (const entry of Array.isArray(body) ? body : [body]) {
      const parsed = parseTicker(entry);
      if (parsed.ok) out.push(parsed.value);
      else this.options.logger.warn({ reason: parsed.reason }, 'skipped a malformed ticker');
    }
    return out;
  }
}
