import type { Metrics } from '../../src/api/metrics.ts';
import { BatchWatchdog } from '../../src/api/probes.ts';
import { MARKET_DATA } from '../../src/contracts/index.ts';
import type { LogPort, Subscription } from '../../src/log/port.ts';
import { streamClock, subscribeValidated, type ValidMessage } from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { projectionLag } from '../projection-lag.ts';
import { candleRows } from './candle-rows.ts';
import type { CandleStore } from './candle-store.ts';

export interface CandleProjectionOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly store: CandleStore;
  readonly logger: Logger;
  /** Consumer-group prefix; the group is `<prefix>.<store id>.crypto.market_data`. */
  readonly group?: string;
  /** The topic to read when not the system's own (an isolated copy, a test topic). */
  readonly readFrom?: string;
  readonly metrics?: Metrics;
  /** A batch running longer than this makes the projection report itself stuck (default 60 s). */
  readonly stuckAfterMs?: number;
}

/**
 * Keeps the candles current: folds crypto.market_data into the store, each batch's bars and the
 * offsets they cover in one LMDB transaction. Records below the stored offsets are skipped, so a
 * restart neither loses nor repeats a bar, whatever the group committed.
 */
export class CandleProjection {
  readonly name = 'candles';
  private offsets = new Map<string, number>();
  private subscription: Subscription | undefined;
  private readonly watchdog: BatchWatchdog;

  constructor(private readonly options: CandleProjectionOptions) {
    this.watchdog = new BatchWatchdog(options.stuckAfterMs ?? 60_000);
  }

  private get topic(): string {
    return this.options.readFrom ?? MARKET_DATA;
  }

  private get group(): string {
    return `${this.options.group ?? 'candle-projection'}.${this.options.store.id}.${this.topic}`;
  }

  async start(): Promise<void> {
    this.offsets = this.options.store.offsets();
    this.subscription = await subscribeValidated({
      log: this.options.log,
      serde: this.options.serde,
      topic: MARKET_DATA,
      ...(this.options.readFrom === undefined ? {} : { readFrom: this.options.readFrom }),
      group: this.group,
      fromBeginning: true,
      clock: streamClock(),
      logger: this.options.logger,
      handler: (messages) => this.fold(messages),
    });
  }

  private async fold(messages: readonly ValidMessage<typeof MARKET_DATA>[]): Promise<void> {
    this.watchdog.begin();
    const started = process.hrtime.bigint();
    try {
      const { candles, offsets } = candleRows(this.offsets, messages);
      await this.options.store.commit(offsets, candles);
      this.offsets = offsets;
    } finally {
      this.watchdog.end();
    }
    const labels = { processor: this.name, topic: this.topic };
    this.options.metrics?.messagesProcessed.inc(labels, messages.length);
    this.options.metrics?.processingSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Records of the topic not folded yet. */
  lag(): Promise<number> {
    return projectionLag(this.options.log, [{ topic: this.topic, group: this.group }], this.offsets);
  }

  async caughtUp(): Promise<boolean> {
    return (await this.lag()) === 0;
  }

  stuck(): boolean {
    return this.watchdog.stuck();
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
