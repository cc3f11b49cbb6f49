import {
  MARKET_DATA,
  ORDERS,
  type DataTopic,
  type MarketData,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import type { LogPort, Subscription } from '../../src/log/port.ts';
import { streamClock, subscribeValidated, type ValidMessage } from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import {
  foldPortfolio,
  type PortfolioInput,
  type PortfolioRows,
  type PortfolioState,
} from './portfolio-fold.ts';
import type { PortfolioStore } from './portfolio-store.ts';

export interface PortfolioProjectionOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly store: PortfolioStore;
  readonly initialCash: number;
  readonly logger: Logger;
  /** Consumer-group prefix; each topic is read in a group `<prefix>.<store id>.<topic>`. */
  readonly group?: string;
}

const positionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * Keeps the portfolio read models up to date: folds crypto.orders (fills, closes) and
 * crypto.market_data (marks) into the store, one LMDB transaction per batch holding the new state,
 * its rows and the offsets it covers. Records below the stored offsets are skipped, so a restart
 * (whatever the consumer groups committed) neither loses nor double-counts anything.
 */
export class PortfolioProjection {
  private state!: PortfolioState;
  private offsets = new Map<string, number>();
  private subscriptions: Subscription[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PortfolioProjectionOptions) {}

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
          group: `${group}.${topic}`,
          fromBeginning: true,
          clock: streamClock(),
          logger: this.options.logger,
          handler: (messages) => this.serialized(() => this.fold(topic, messages)),
        }),
      );
    }
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
    const rows: PortfolioRows[] = [];
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
        rows.push(next.rows);
      offsets.set(key, record.offset + 1);
    }
    await this.options.store.commit(state, offsets, rows);
    this.state = state;
    this.offsets = offsets;
  }

  /**
   * True when every partition of both topics is folded up to its end offset. The groups' commits
   * count too: on Kafka they move past transaction markers, which occupy offsets but fold nothing.
   */
  async caughtUp(): Promise<boolean> {
    const group = this.groupPrefix();
    for (const topic of [ORDERS, MARKET_DATA]) {
      const committed = await this.options.log.committedOffsets(`${group}.${topic}`, topic);
      for (const [partition, end] of await this.options.log.endOffsets(topic)) {
        const folded = Math.max(
          this.offsets.get(positionKey(topic, partition)) ?? 0,
          committed.get(partition) ?? 0,
        );
        if (folded < end) return false;
      }
    }
    return true;
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) await subscription.stop();
    this.subscriptions = [];
    await this.queue;
  }
}
