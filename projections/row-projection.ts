import type { Metrics } from '../src/api/metrics.ts';
import { BatchWatchdog } from '../src/api/probes.ts';
import type { DataTopic } from '../src/contracts/index.ts';
import type { LogPort } from '../src/log/port.ts';
import {
  streamClock,
  subscribeValidated,
  type ValidatedSubscription,
  type ValidMessage,
} from '../src/messaging/index.ts';
import type { Logger } from '../src/observability/logger.ts';
import type { AvroSerde } from '../src/serde/index.ts';
import { projectionLag } from './projection-lag.ts';

/** A store of rows that keeps the offsets they cover with them. */
export interface RowStore<R> {
  /** Names the store's consumer group, so a fresh store reads the topic from its start. */
  readonly id: string;
  offsets(): Map<string, number>;
  /** Writes the rows and the offsets in one transaction. */
  commit(offsets: ReadonlyMap<string, number>, rows: readonly R[]): Promise<void>;
}

export interface RowProjectionOptions<R> {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly store: RowStore<R>;
  readonly logger: Logger;
  /** Consumer-group prefix; the group is `<prefix>.<store id>.<topic>`. */
  readonly group?: string;
  /** The topic to read when not the system's own (an isolated copy, a test topic). */
  readonly readFrom?: string;
  readonly metrics?: Metrics;
  /** A batch running longer than this makes the projection report itself stuck (default 60 s). */
  readonly stuckAfterMs?: number;
}

/** What makes a row projection of one topic: its name, default group and pure fold. */
export interface RowProjectionKind<K extends DataTopic, R> {
  readonly topic: K;
  readonly name: string;
  readonly defaultGroup: string;
  /** The rows a batch adds, and the offsets folded after it (records below `folded` are skipped). */
  readonly rowsOf: (
    folded: ReadonlyMap<string, number>,
    messages: readonly ValidMessage<K>[],
  ) => { rows: R[]; offsets: Map<string, number> };
}

/**
 * Keeps a read model of one topic current: folds each batch into rows written with the offsets
 * they cover in one LMDB transaction. Records below the stored offsets are skipped, so a restart
 * neither loses nor repeats one, whatever the group committed.
 */
export class RowProjection<K extends DataTopic, R> {
  readonly name: string;
  private offsets = new Map<string, number>();
  private subscription: ValidatedSubscription | undefined;
  private readonly watchdog: BatchWatchdog;

  constructor(
    private readonly kind: RowProjectionKind<K, R>,
    private readonly options: RowProjectionOptions<R>,
  ) {
    this.name = kind.name;
    this.watchdog = new BatchWatchdog(options.stuckAfterMs ?? 60_000);
  }

  private get topic(): string {
    return this.options.readFrom ?? this.kind.topic;
  }

  private get group(): string {
    return `${this.options.group ?? this.kind.defaultGroup}.${this.options.store.id}.${this.topic}`;
  }

  async start(): Promise<void> {
    this.offsets = this.options.store.offsets();
    this.subscription = await subscribeValidated({
      log: this.options.log,
      serde: this.options.serde,
      topic: this.kind.topic,
      ...(this.options.readFrom === undefined ? {} : { readFrom: this.options.readFrom }),
      group: this.group,
      fromBeginning: true,
      clock: streamClock(),
      logger: this.options.logger,
      handler: (messages) => this.fold(messages),
    });
  }

  private async fold(messages: readonly ValidMessage<K>[]): Promise<void> {
    this.watchdog.begin();
    const started = process.hrtime.bigint();
    try {
      const { rows, offsets } = this.kind.rowsOf(this.offsets, messages);
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
    return this.stuckReason() !== undefined;
  }

  /** Why the projection is stuck (a batch that never ends, or input that is all dead-lettered), or undefined. */
  stuckReason(): string | undefined {
    if (this.watchdog.stuck()) return 'a batch has been folding for too long';
    return this.subscription?.stalled();
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
