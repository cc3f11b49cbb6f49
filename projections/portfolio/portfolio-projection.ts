import {
  MARKET_DATA,
  ORDERS,
  type DataTopic,
  type MarketData,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import type { Metrics } from '../../src/api/metrics.ts';
import { BatchWatchdog } from '../../src/api/probes.ts';
import type { LogPort } from '../../src/log/port.ts';
import {
  streamClock,
  subscribeValidated,
  type ValidatedSubscription,
  type ValidMessage,
} from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { positionKey, projectionLag } from '../projection-lag.ts';
import { foldPortfolio, type PortfolioInput, type PortfolioState } from './portfolio-fold.ts';
import type { PortfolioStore, StoredRows } from './portfolio-store.ts';

export interface PortfolioProjectionOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly store: PortfolioStore;
  readonly initialCash: number;
  readonly logger: Logger;
  /** Consumer-group prefix; each topic is read in a group `<prefix>.<store id>.<topic>`. */
  readonly group?: string;
  /** Topics to read instead of the system's own (isolated runs, tests). */
  readonly readFrom?: { readonly orders?: string; readonly marketData?: string };
  /** Where it reports messages, batch latency and the order events it folds (fills, closes, cancels). */
  readonly metrics?: Metrics;
  /** A batch running longer than this makes the projection report itself stuck (default 60 s). */
  readonly stuckAfterMs?: number;
}

/**
 * Keeps the portfolio read models up to date: folds crypto.orders (fills, closes) and
 * crypto.market_data (marks) into the store, one LMDB transaction per batch holding the new state,
 * its rows and the offsets it covers. Records below the stored offsets are skipped, so a restart
 * (whatever the consumer groups committed) neither loses nor double-counts anything.
 */
export class PortfolioProjection {
  readonly name = 'portfolio';
  private state!: PortfolioState;
  private offsets = new Map<string, number>();
  private subscriptions: ValidatedSubscription[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly watchdog: BatchWatchdog;

  constructor(private readonly options: PortfolioProjectionOptions) {
    this.watchdog = new BatchWatchdog(options.stuckAfterMs ?? 60_000);
  }

  current(): PortfolioState {
    return this.state;
  }

  async start(): Promise<void> {
    const loaded = this.options.store.load(this.options.initialCash);
    this.state = loaded.state;
    this.offsets = loaded.offsets;
    if (loaded.fresh !== undefined) await this.options.store.commit(this.state, this.offsets, [loaded.fresh]);
    const group = this.groupPrefix();
    for (const topic of [ORDERS, MARKET_DATA] as const) {
      this.subscriptions.push(
        await subscribeValidated({
          log: this.options.log,
          serde: this.options.serde,
          topic,
          readFrom: this.source(topic),
          group: `${group}.${topic}`,
          fromBeginning: true,
          clock: streamClock(),
          logger: this.options.logger,
          handler: (messages) => this.serialized(() => this.fold(topic, messages)),
        }),
      );
    }
  }

  /** The physical topic a contract topic is read from. */
  private source(topic: typeof ORDERS | typeof MARKET_DATA): string {
    return (topic === ORDERS ? this.options.readFrom?.orders : this.options.readFrom?.marketData) ?? topic;
  }

  private groupPrefix(): string {
    return `${this.options.group ?? 'portfolio-projection'}.${this.options.store.id}`;
  }

  /** Both topics' handlers change one state: one batch at a time. */
  private serialized(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async fold(topic: DataTopic, messages: readonly ValidMessage<DataTopic>[]): Promise<void> {
    this.watchdog.begin();
    const started = process.hrtime.bigint();
    try {
      await this.foldBatch(topic, messages);
    } finally {
      this.watchdog.end();
    }
    const metrics = this.options.metrics;
    metrics?.messagesProcessed.inc({ processor: this.name, topic }, messages.length);
    metrics?.processingSeconds.observe(
      { processor: this.name, topic },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }

  private async foldBatch(topic: DataTopic, messages: readonly ValidMessage<DataTopic>[]): Promise<void> {
    const rows: StoredRows[] = [];
    let state = this.state;
    const offsets = new Map(this.offsets);
    for (const { record, value } of messages) {
      const key = positionKey(record.topic, record.partition);
      if (record.offset < (offsets.get(key) ?? 0)) continue;
      const input: PortfolioInput =
        topic === ORDERS
          ? { kind: 'order', event: value as OrderEvent }
          : { kind: 'bar', bar: value as MarketData };
      const next = foldPortfolio(state, input);
      state = next.state;
      if (
        next.rows.postings.length > 0 ||
        next.rows.orderEvent !== undefined ||
        next.rows.equity !== undefined
      )
        rows.push(topic === ORDERS ? { ...next.rows, ordersOffset: record.offset } : next.rows);
      offsets.set(key, record.offset + 1);
    }
    await this.options.store.commit(state, offsets, rows);
    this.state = state;
    this.offsets = offsets;
    for (const { orderEvent } of rows) if (orderEvent !== undefined) this.count(orderEvent);
  }

  private count(event: OrderEvent): void {
    const metrics = this.options.metrics;
    if (event.status === 'FILLED') metrics?.fills.inc({ symbol: event.symbol, action: event.action });
    else if (event.status === 'CLOSED')
      metrics?.closes.inc({ symbol: event.symbol, reason: event.close_reason ?? 'UNKNOWN' });
    else if (event.status === 'CANCELLED') metrics?.cancels.inc({ reason: event.cancel_reason ?? 'UNKNOWN' });
  }

  /** Records of both topics not folded yet (see `projectionLag`). */
  lag(): Promise<number> {
    const group = this.groupPrefix();
    return projectionLag(
      this.options.log,
      ([ORDERS, MARKET_DATA] as const).map((topic) => ({
        topic: this.source(topic),
        group: `${group}.${topic}`,
      })),
      this.offsets,
    );
  }

  /** True when every partition of both topics is folded up to its end offset. */
  async caughtUp(): Promise<boolean> {
    return (await this.lag()) === 0;
  }

  /** A batch has been folding for longer than `stuckAfterMs`, or every record read lately was dead-lettered. */
  stuck(): boolean {
    return this.stuckReason() !== undefined;
  }

  stuckReason(): string | undefined {
    if (this.watchdog.stuck()) return 'a batch has been folding for too long';
    for (const subscription of this.subscriptions) {
      const stalled = subscription.stalled();
      if (stalled !== undefined) return stalled;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) await subscription.stop();
    this.subscriptions = [];
    await this.queue;
  }
}
