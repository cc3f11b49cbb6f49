import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { MARKET_DATA, MARKET_DATA_MAX_AGE_MS, type MarketData } from '../../contracts/index.ts';
import type { LogPort } from '../../log/port.ts';
import type { Publisher } from '../../messaging/index.ts';
import type { Logger } from '../../observability/logger.ts';
import { latestBarTime } from '../latest-bar-time.ts';
import { BarSequencer } from './bar-sequencer.ts';
import { KLINE_INTERVALS, parseKlineEvent, type KlineInterval } from './binance-payloads.ts';
import type { BinanceRest } from './binance-rest.ts';

export interface BinanceKlineFeedOptions {
  /** Base of the market-data streams, e.g. wss://stream.binance.com:9443. */
  readonly wsUrl: string;
  readonly rest: BinanceRest;
  readonly symbols: readonly string[];
  readonly interval: KlineInterval;
  readonly log: LogPort;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Reconnect when nothing (not even a ping) arrived for this long; Binance pings every 20 s. */
  readonly silenceTimeoutMs?: number;
  readonly maxBackoffMs?: number;
}

export interface FeedStats {
  /** Every frame received, whatever became of it. */
  frames: number;
  published: number;
  backfilled: number;
  duplicates: number;
  malformed: number;
  stale: number;
  reconnects: number;
}

/**
 * Closed klines of several symbols from one combined Binance WebSocket stream into
 * crypto.market_data, each bar exactly once and in order: repeats and late frames are dropped, a
 * gap (after a reconnect, a restart or a lost frame) is filled from the REST API first. The
 * connection is re-opened with exponential backoff when it drops, when Binance ends it (every
 * 24 h), or when it goes silent.
 */
export class BinanceKlineFeed {
  readonly stats: FeedStats = {
    frames: 0,
    published: 0,
    backfilled: 0,
    duplicates: 0,
    malformed: 0,
    stale: 0,
    reconnects: 0,
  };
  private readonly intervalMs: number;
  private readonly now: () => number;
  private sequencer: BarSequencer | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: BinanceKlineFeedOptions) {
    this.intervalMs = KLINE_INTERVALS[options.interval];
    this.now = options.now ?? Date.now;
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const known = new Map<string, number>();
    for (const symbol of this.options.symbols) {
      const last = await latestBarTime(this.options.log, symbol);
      if (last !== undefined) known.set(symbol, last);
    }
    this.sequencer = new BarSequencer(this.intervalMs, known);
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.backfillToNow();
        const gotData = await this.stream(signal);
        failures = gotData ? 0 : failures + 1;
      } catch (error) {
        failures++;
        this.options.logger.warn({ err: (error as Error).message }, 'Binance feed error');
      }
      if (signal.aborted) break;
      this.stats.reconnects++;
      const backoff =
        Math.min(this.options.maxBackoffMs ?? 60_000, 500 * 2 ** Math.min(failures, 10)) *
        (0.5 + Math.random() / 2);
      this.options.logger.info(
        { backoffMs: Math.round(backoff), failures },
        'reconnecting to the Binance stream',
      );
      await sleep(backoff, undefined, { signal }).catch(() => undefined);
    }
    await this.queue;
  }

  /** One connection, until it closes; true if it delivered any frame. */
  private stream(signal: AbortSignal): Promise<boolean> {
    const streams = this.options.symbols
      .map((s) => `${s.toLowerCase()}@kline_${this.options.interval}`)
      .join('/');
    const socket = new WebSocket(`${this.options.wsUrl.replace(/\/+$/, '')}/stream?streams=${streams}`);
    let gotData = false;
    let watchdog: NodeJS.Timeout | undefined;
    const silence = this.options.silenceTimeoutMs ?? 60_000;
    const alive = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        this.options.logger.warn({ silenceMs: silence }, 'Binance stream silent: reconnecting');
        socket.terminate();
      }, silence);
    };
    const onAbort = (): void => socket.close();
    signal.addEventListener('abort', onAbort, { once: true });
    return new Promise((resolve) => {
      socket.on('open', alive);
      socket.on('ping', alive);
      socket.on('message', (data: WebSocket.RawData) => {
        gotData = true;
        alive();
        this.onFrame(
          Array.isArray(data)
            ? Buffer.concat(data).toString('utf8')
            : Buffer.from(data as Uint8Array).toString('utf8'),
        );
      });
      socket.on('error', (error) => this.options.logger.warn({ err: error.message }, 'Binance stream error'));
      socket.on('close', () => {
        clearTimeout(watchdog);
        signal.removeEventListener('abort', onAbort);
        void this.queue.then(() => resolve(gotData));
      });
    });
  }

  private onFrame(frame: string): void {
    this.stats.frames++;
    const parsed = parseKlineEvent(frame);
    if (!parsed.ok) {
      this.stats.malformed++;
      this.options.logger.warn(
        { reason: parsed.reason, frame: frame.slice(0, 200) },
        'skipped a malformed Binance frame',
      );
      return;
    }
    if (!parsed.value.closed) return;
    const age = this.now() - parsed.value.eventTime;
    if (age > MARKET_DATA_MAX_AGE_MS) {
      this.stats.stale++;
      this.options.logger.warn(
        { symbol: parsed.value.bar.symbol, ageMs: age },
        'rejected a stale kline event (older than 5 minutes)',
      );
      return;
    }
    const bar = parsed.value.bar;
    this.queue = this.queue
      .then(() => this.accept(bar))
      .catch((error: unknown) => {
        this.options.logger.error(
          { err: (error as Error).message, symbol: bar.symbol },
          'could not publish a bar',
        );
      });
  }

  private async accept(bar: MarketData): Promise<void> {
    const sequencer = this.sequencer as BarSequencer;
    const decision = sequencer.decide(bar);
    if (decision.kind === 'duplicate') {
      this.stats.duplicates++;
      return;
    }
    if (decision.kind === 'gap') await this.backfill(bar.symbol, decision.from, decision.to);
    await this.publish([bar]);
    this.stats.published++;
  }

  /** Fills every symbol from its last bar up to the last closed bar. */
  private async backfillToNow(): Promise<void> {
    const lastClosedOpen = Math.floor(this.now() / this.intervalMs) * this.intervalMs - this.intervalMs;
    const sequencer = this.sequencer as BarSequencer;
    for (const symbol of this.options.symbols) {
      const last = sequencer.lastOf(symbol);
      if (last === undefined || last >= lastClosedOpen) continue;
      await this.backfill(symbol, last + this.intervalMs, lastClosedOpen);
    }
  }

  private async backfill(symbol: string, from: number, to: number): Promise<void> {
    const sequencer = this.sequencer as BarSequencer;
    const klines = await this.options.rest.klines(symbol, this.options.interval, from, to);
    const bars = klines
      .filter((k) => k.closeTime < this.now())
      .map((k) => k.bar)
      .filter((bar) => sequencer.decide(bar).kind !== 'duplicate');
    if (bars.length === 0) return;
    await this.publish(bars);
    this.stats.backfilled += bars.length;
    this.options.logger.info(
      { symbol, bars: bars.length, from: new Date(from).toISOString() },
      'backfilled bars from the REST API',
    );
  }

  private async publish(bars: MarketData[]): Promise<void> {
    // The bars are history by the time they are checked: each is validated at its own event time;
    // live staleness was checked on the event's delivery time above.
    await this.options.publisher.publish(MARKET_DATA, bars, (bar) => bar.timestamp);
    for (const bar of bars) this.sequencer?.published(bar);
  }
}
