import { MARKET_DATA, ORDERS, type MarketData, type OrderEvent } from '../../src/contracts/index.ts';
import { CmlError, ErrorCodes } from '../../src/errors/index.ts';
import type { LogPort } from '../../src/log/port.ts';
import {
  encodeValidated,
  OrderedProcessor,
  streamClock,
  subscribeValidated,
  type StepControl,
  type StepOutput,
  type ValidatedSubscription,
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
  /** Told after every settled bar, with its duration in seconds (metrics). */
  readonly onStep?: (seconds: number) => void;
  /** Called with the events of each settled bar that caused any (metrics, notifications). */
  readonly onEmitted?: (events: readonly OrderEvent[], bar: MarketData) => void;
}

export const EXCHANGE_GROUP = 'virtual-exchange';

/**
 * The virtual exchange as a service. Its state is a fold of crypto.orders (from a snapshot plus
 * the offset it covers). Bars are settled one at a time in event-time order across partitions
 * (an OrderedProcessor), each once the watermark says every order placed before it is in the log
 * and the state has folded the log to its end; the events a bar causes are appended together with
 * the bar's offset in the exchange's group, atomically. After a crash, bars past the committed
 * offsets are settled again against a state that already holds whatever reached the log: an order
 * already filled or closed is not pending or open any more, so nothing is filled or closed twice.
 */
export class ExchangeRunner {
  private state!: ExchangeState;
  private ordersNext = 0;
  /** How far this run's orders subscription has read (transaction markers included). */
  private ordersDelivered = 0;
  private orders: ValidatedSubscription | undefined;
  private bars!: OrderedProcessor<typeof MARKET_DATA>;
  private lastSnapshot = 0;

  constructor(private readonly options: ExchangeRunnerOptions) {}

  private get group(): string {
    return this.options.group ?? EXCHANGE_GROUP;
  }
  private get ordersTopic(): string {
    return this.options.ordersTopic ?? ORDERS;
  }

  current(): ExchangeState {
    return this.state;
  }

  /** Bars settled since start. */
  get barsSettled(): number {
    return this.bars.processed;
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
    this.orders = await subscribeValidated({
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
        this.bars.ring();
      },
      handler: (messages) => {
        for (const { record, value } of messages) {
          if (record.offset < this.ordersNext) continue;
          this.state = evolveExchange(this.state, value).state;
          this.ordersNext = record.offset + 1;
        }
        return Promise.resolve();
      },
    });
    this.bars = new OrderedProcessor({
      log,
      serde,
      logger,
      topic: MARKET_DATA,
      ...(this.options.marketDataTopic === undefined ? {} : { readFrom: this.options.marketDataTopic }),
      group: this.group,
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      ...(this.options.pollMs === undefined ? {} : { pollMs: this.options.pollMs }),
      ...(this.options.commitEveryMs === undefined ? {} : { commitEveryMs: this.options.commitEveryMs }),
      step: ({ value }, control) => this.settle(value, control),
      ...(this.options.onStep === undefined ? {} : { onStep: this.options.onStep }),
    });
    await this.bars.start();
  }

  /** Settles one bar: waits for the orders placed before it, then fills, closes and cancels. */
  private async settle(bar: MarketData, control: StepControl): Promise<StepOutput | undefined> {
    const pollMs = this.options.pollMs ?? 20;
    if (!(await this.options.watermark.complete(bar.timestamp))) {
      await control.flush();
      do {
        if (!control.running()) return undefined;
        await control.wait(pollMs);
      } while (!(await this.options.watermark.complete(bar.timestamp)));
    }
    const end = (await this.options.log.endOffsets(this.ordersTopic)).get(0) ?? 0;
    while (Math.max(this.ordersNext, this.ordersDelivered) < end) {
      if (!control.running()) return undefined;
      await control.wait(pollMs);
    }
    const step = stepExchange(this.state, { kind: 'bar', bar }, this.options.settings);
    await this.snapshotNow();
    if (step.emitted.length === 0) return { append: [] };
    const records = encodeValidated(
      this.options.serde,
      ORDERS,
      step.emitted,
      (event) => event.event_time ?? event.timestamp,
    );
    return {
      append: [{ topic: this.ordersTopic, records }],
      applied: () => {
        // Orders folded while the append was in flight stay: the bar's events go on top of them.
        for (const event of step.emitted) this.state = evolveExchange(this.state, event).state;
        this.options.onEmitted?.(step.emitted, bar);
      },
    };
  }

  private async snapshotNow(force = false): Promise<void> {
    if (!force && Date.now() - this.lastSnapshot < (this.options.snapshotEveryMs ?? 5_000)) return;
    await this.options.store.save(this.state, this.ordersNext);
    this.lastSnapshot = Date.now();
  }

  /** Bars are waiting and none settled for a while (liveness). */
  stuck(): boolean {
    return this.stuckReason() !== undefined;
  }

  stuckReason(): string | undefined {
    return this.bars.stuckReason() ?? this.orders?.stalled();
  }

  /** Whether every bar in the log is settled and committed (tests, readiness). */
  caughtUp(): Promise<boolean> {
    return this.bars.caughtUp();
  }

  async stop(): Promise<void> {
    await this.bars.stop();
    await this.orders?.stop();
    this.orders = undefined;
    await this.snapshotNow(true);
  }
}
