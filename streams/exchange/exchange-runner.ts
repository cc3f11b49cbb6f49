import { MARKET_DATA, ORDERS, type MarketData, type OrderEvent } from '../../src/contracts/index.ts';
import { CmlError, ErrorCodes } from '../../src/errors/index.ts';
import type { LogPort, Subscription } from '../../src/log/port.ts';
import {
  encodeValidated,
  EventTimeMerge,
  streamClock,
  subscribeValidated,
  Wakeup,
  type ValidationClock,
} from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { stepExchange } from './exchange-decide.ts';
import { evolveExchange, type ExchangeSettings, type ExchangeState } from './exchange-state.ts';
import type { ExchangeStore } from './exchange-store.ts';
import type { OrdersWatermark } from './orders-watermark.ts';

export interface ExchangeRunnerOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly store: ExchangeStore;
  readonly settings: ExchangeSettings;
  readonly watermark: OrdersWatermark;
  /**
   * The exchange's group: its committed offsets on crypto.market_data are the bars it has settled
   * (committed with the events they caused). Its subscriptions use `<group>.orders` and
   * `<group>.market_data`.
   */
  readonly group?: string;
  /** Other topics than the contract's (isolated runs, tests). */
  readonly ordersTopic?: string;
  readonly marketDataTopic?: string;
  /** Freshness clock for market data: the stream's own (default) or the wall clock live. */
  readonly clock?: ValidationClock;
  /** How often to look again while waiting for upstream processors. */
  readonly pollMs?: number;
  /** Progress without events is committed at most this often (and whenever the exchange goes idle). */
  readonly commitEveryMs?: number;
  readonly snapshotEveryMs?: number;
  /** Called with the events of each settled bar that caused any (metrics, notifications). */
  readonly onEmitted?: (events: readonly OrderEvent[], bar: MarketData) => void;
}

export const EXCHANGE_GROUP = 'virtual-exchange';

/**
 * The virtual exchange as a service. Its state is a fold of crypto.orders (from a snapshot plus
 * the offset it covers). Bars are settled one at a time in event-time order across partitions,
 * each once the watermark says every order placed before it is in the log and the state has
 * folded the log to its end; the events a bar causes are appended together with the bar's offset
 * in the exchange's group, atomically. After a crash, bars past the committed offsets are settled
 * again against a state that already holds whatever reached the log: an order already filled or
 * closed is not pending or open any more, so nothing is filled or closed twice.
 */
export class ExchangeRunner {
  private state!: ExchangeState;
  private ordersNext = 0;
  /** How far this run's orders subscription has read (transaction markers included). */
  private ordersDelivered = 0;
  private settled = new Map<number, number>();
  private merge!: EventTimeMerge<MarketData>;
  private subscriptions: Subscription[] = [];
  private readonly wakeup = new Wakeup();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private uncommitted = false;
  private lastCommit = 0;
  private lastSnapshot = 0;
  private settledBars = 0;
  /** Bars released by the merge and not settled yet. */
  private inFlight = 0;

  constructor(private readonly options: ExchangeRunnerOptions) {}

  private get group(): string {
    return this.options.group ?? EXCHANGE_GROUP;
  }
  private get ordersTopic(): string {
    return this.options.ordersTopic ?? ORDERS;
  }
  private get marketTopic(): string {
    return this.options.marketDataTopic ?? MARKET_DATA;
  }

  current(): ExchangeState {
    return this.state;
  }

  /** Bars settled since start. */
  get barsSettled(): number {
    return this.settledBars;
  }

  async start(): Promise<void> {
    const { log, serde, logger } = this.options;
    const orderPartitions = await log.partitionCount(this.ordersTopic);
    if (orderPartitions !== 1) {
      throw new CmlError(
        ErrorCodes.TOPIC_DRIFT,
        `${this.ordersTopic} has ${orderPartitions} partitions; the ledger needs exactly 1 (one total order of events)`,
        {
          hint: `Recreate ${this.ordersTopic} with 1 partition, or remove its "partitions" override from the topics setting.`,
        },
      );
    }
    const snapshot = this.options.store.load(this.options.settings);
    this.state = snapshot.state;
    this.ordersNext = snapshot.ordersNext;
    this.settled = new Map(await log.committedOffsets(this.group, this.marketTopic));
    const partitions = await log.partitionCount(this.marketTopic);
    this.merge = new EventTimeMerge<MarketData>(
      partitions,
      (time) => log.offsetsForTime(this.marketTopic, time),
      this.settled,
    );
    this.subscriptions.push(
      await subscribeValidated({
        log,
        serde,
        logger,
        topic: ORDERS,
        readFrom: this.ordersTopic,
        group: `${this.group}.orders`,
        fromBeginning: true,
        startAt: () => this.ordersNext,
        clock: streamClock(),
        onDelivered: (_partition, next) => {
          this.ordersDelivered = Math.max(this.ordersDelivered, next);
          this.wakeup.ring();
        },
        handler: (messages) => {
          for (const { record, value } of messages) {
            if (record.offset < this.ordersNext) continue;
            this.state = evolveExchange(this.state, value).state;
            this.ordersNext = record.offset + 1;
          }
          this.wakeup.ring();
          return Promise.resolve();
        },
      }),
    );
    this.subscriptions.push(
      await subscribeValidated({
        log,
        serde,
        logger,
        topic: MARKET_DATA,
        readFrom: this.marketTopic,
        group: `${this.group}.market_data`,
        fromBeginning: true,
        startAt: (_topic, partition) => this.settled.get(partition) ?? 0,
        clock: this.options.clock ?? streamClock(),
        onDelivered: (partition, next) => {
          this.merge.delivered(partition, next);
          this.wakeup.ring();
        },
        handler: (messages) => {
          for (const message of messages) this.merge.push(message);
          this.wakeup.ring();
          return Promise.resolve();
        },
      }),
    );
    this.running = true;
    this.loop = this.settleLoop();
  }

  private async settleLoop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 20;
    while (this.running) {
      try {
        const bars = await this.merge.release();
        this.inFlight = bars.length;
        for (const { record, value } of bars) {
          if (!(await this.settle(record.partition, record.offset, value))) return;
          this.inFlight--;
        }
        if (bars.length === 0) {
          if (this.uncommitted) await this.commitProgress();
          await this.wakeup.wait(pollMs * 10);
        } else if (
          this.uncommitted &&
          Date.now() - this.lastCommit >= (this.options.commitEveryMs ?? 1_000)
        ) {
          await this.commitProgress();
        }
        if (Date.now() - this.lastSnapshot >= (this.options.snapshotEveryMs ?? 5_000)) await this.snapshot();
      } catch (error) {
        // The broker may be restarting: nothing was applied, so the same bar is tried again.
        this.options.logger.warn({ err: (error as Error).message }, 'exchange step failed; retrying');
        await this.wakeup.wait(1_000);
      }
    }
  }

  /** Settles one bar; false when stopped while waiting for upstream. */
  private async settle(partition: number, offset: number, bar: MarketData): Promise<boolean> {
    const pollMs = this.options.pollMs ?? 20;
    while (!(await this.options.watermark.complete(bar.timestamp))) {
      if (!this.running) return false;
      await this.wakeup.wait(pollMs);
    }
    if (!(await this.foldToEnd(pollMs))) return false;
    const step = stepExchange(this.state, { kind: 'bar', bar }, this.options.settings);
    const settled = new Map(this.settled).set(partition, offset + 1);
    if (step.emitted.length > 0) {
      const records = encodeValidated(
        this.options.serde,
        ORDERS,
        step.emitted,
        (event) => event.event_time ?? event.timestamp,
      );
      await this.options.log.append([{ topic: this.ordersTopic, records }], {
        group: this.group,
        topic: this.marketTopic,
        offsets: settled,
      });
      this.lastCommit = Date.now();
      this.options.onEmitted?.(step.emitted, bar);
    } else {
      this.uncommitted = true;
    }
    // Orders folded while the append was in flight stay: the bar's events go on top of them.
    for (const event of step.emitted) this.state = evolveExchange(this.state, event).state;
    this.settled = settled;
    this.settledBars++;
    return true;
  }

  /** Waits until the state has folded crypto.orders up to its current end; false when stopped. */
  private async foldToEnd(pollMs: number): Promise<boolean> {
    const end = (await this.options.log.endOffsets(this.ordersTopic)).get(0) ?? 0;
    while (Math.max(this.ordersNext, this.ordersDelivered) < end) {
      if (!this.running) return false;
      await this.wakeup.wait(pollMs);
    }
    return true;
  }

  private async commitProgress(): Promise<void> {
    await this.options.log.append([], { group: this.group, topic: this.marketTopic, offsets: this.settled });
    this.uncommitted = false;
    this.lastCommit = Date.now();
  }

  private async snapshot(): Promise<void> {
    await this.options.store.save(this.state, this.ordersNext);
    this.lastSnapshot = Date.now();
  }

  /** Whether every bar in the log is settled and committed (tests, readiness). */
  async caughtUp(): Promise<boolean> {
    if (this.merge.size > 0 || this.inFlight > 0 || this.uncommitted) return false;
    const ends = await this.options.log.endOffsets(this.marketTopic);
    return this.merge.receivedAll(ends) && this.merge.size === 0 && this.inFlight === 0 && !this.uncommitted;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.ring();
    await this.loop;
    for (const subscription of this.subscriptions) await subscription.stop();
    this.subscriptions = [];
    if (this.uncommitted) await this.commitProgress().catch(() => undefined);
    await this.snapshot();
  }
}
