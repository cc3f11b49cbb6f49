import type { Metrics } from '../../src/api/metrics.ts';
import { BatchWatchdog } from '../../src/api/probes.ts';
import { ML_SIGNALS } from '../../src/contracts/index.ts';
import type { LogPort, Subscription } from '../../src/log/port.ts';
import { streamClock, subscribeValidated, type ValidMessage } from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { projectionLag } from '../projection-lag.ts';
import { signalRows } from './signal-rows.ts';
import type { SignalStore } from './signal-store.ts';

export interface SignalProjectionOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly store: SignalStore;
  readonly logger: Logger;
  /** Consumer-group prefix; the group is `<prefix>.<store id>.crypto.ml_signals`. */
  readonly group?: string;
  /** The topic to read when not the system's own (an isolated copy, a test topic). */
  readonly readFrom?: string;
  readonly metrics?: Metrics;
  /** A batch running longer than this makes the projection report itself stuck (default 60 s). */
  readonly stuckAfterMs?: number;
}

/**
 * Keeps the signal history current: folds crypto.ml_signals into the store, each batch's rows
 * and the offsets they cover in one LMDB transaction. Records below the stored offsets are
 * skipped, so a restart neither loses nor repeats a signal, whatever the group committed.
 */
export class SignalProjection {
  readonly name = 'signals';
  private offsets = new Map<string, number>();
  private subscription: Subscription | undefined;
  private readonly watchdog: BatchWatchdog;

  constructor(private readonly options: SignalProjectionOptions) {
    this.watchdog = new BatchWatchdog(options.stuckAfterMs ?? 60_000);
  }

  private get topic(): string {
    return this.options.readFrom ?? ML_SIGNALS;
  }

  private get group(): string {
    return `${this.options.group ?? 'signal-projection'}.${this.options.store.id}.${this.topic}`;
  }

  async start(): Promise<void> {
    this.offsets = this.options.store.offsets();
    this.subscription = await subscribeValidated({
      log: this.options.log,
      serde: this.options.serde,
      topic: ML_SIGNALS,
      ...(this.options.readFrom === undefined ? {} : { readFrom: this.options.readFrom }),
      group: this.group,
      fromBeginning: true,
      clock: streamClock(),
      logger: this.options.logger,
      handler: (messages) => this.fold(messages),
    });
  }

  private async fold(messages: readonly ValidMessage<typeof ML_SIGNALS>[]): Promise<void> {
    this.watchdog.begin();
    const started = process.hrtime.bigint();
    try {
      const { rows, offsets } = signalRows(this.offsets, messages);
      await this.options.store.commit(offsets, rows);
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
