import { MARKET_DATA, ORDERS, type MarketData, type OrderEvent } from '../../src/contracts/index.ts';
import type { LogPort, Subscription } from '../../src/log/port.ts';
import {
  EventTimeMerge,
  groupPassed,
  streamClock,
  subscribeValidated,
  Wakeup,
} from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { catchUpPortfolio } from './portfolio-catch-up.ts';
import { initialPortfolio, type PortfolioState } from './portfolio-fold.ts';

export interface PortfolioAtTimeOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly initialCash: number;
  /** The exchange's group: its committed market-data offsets are the bars it has settled. */
  readonly exchangeGroup: string;
  /** Prefix of this reader's subscriptions (`<group>.orders`, `<group>.market_data`). */
  readonly group: string;
  readonly ordersTopic?: string;
  readonly marketDataTopic?: string;
  readonly pollMs?: number;
}

/** Thrown out of a wait when the reader stops. */
export class PortfolioReaderStopped extends Error {}

/**
 * The portfolio as of an event time, for a processor that decides on it (the decision engine).
 * It waits until the exchange has settled every bar up to that time and the orders log is read to
 * its end, then folds, with the projection's own fold, every bar up to that time and the orders in
 * event-time order (a bar before the events it caused). So the portfolio a decision sees is the
 * same in a live run, a replay and a backtest, whatever the processes' relative speed.
 */
export class PortfolioAtTime {
  private state: PortfolioState;
  private readonly orders: OrderEvent[] = [];
  private ordersRead = 0;
  private bars!: EventTimeMerge<MarketData>;
  private subscriptions: Subscription[] = [];
  private readonly wakeup = new Wakeup();
  private running = false;
  private stopWatchingCommits: (() => void) | undefined;

  constructor(private readonly options: PortfolioAtTimeOptions) {
    this.state = initialPortfolio(options.initialCash).state;
  }

  private get ordersTopic(): string {
    return this.options.ordersTopic ?? ORDERS;
  }
  private get marketTopic(): string {
    return this.options.marketDataTopic ?? MARKET_DATA;
  }

  async start(): Promise<void> {
    const { log, serde, logger, group } = this.options;
    this.bars = new EventTimeMerge<MarketData>(await log.partitionCount(this.marketTopic), () =>
      log.endOffsets(this.marketTopic),
    );
    this.running = true;
    // portfolioAt waits for the exchange's progress: woken by its commit where the log can tell.
    this.stopWatchingCommits = log.onCommit?.(() => this.wakeup.ring());
    this.subscriptions.push(
      await subscribeValidated({
        log,
        serde,
        logger,
        topic: ORDERS,
        readFrom: this.ordersTopic,
        group: `${group}.orders`,
        fromBeginning: true,
        startAt: () => 0,
        clock: streamClock(),
        onDelivered: (_partition, next) => {
          this.ordersRead = Math.max(this.ordersRead, next);
          this.wakeup.ring();
        },
        handler: (messages) => {
          for (const { value } of messages) this.orders.push(value);
          return Promise.resolve();
        },
      }),
      await subscribeValidated({
        log,
        serde,
        logger,
        topic: MARKET_DATA,
        readFrom: this.marketTopic,
        group: `${group}.market_data`,
        fromBeginning: true,
        startAt: () => 0,
        clock: streamClock(),
        onDelivered: (partition, next) => {
          this.bars.delivered(partition, next);
          this.wakeup.ring();
        },
        handler: (messages) => {
          for (const message of messages) this.bars.push(message);
          return Promise.resolve();
        },
      }),
    );
  }

  /** The portfolio with every bar up to `time` and every order event the exchange wrote for them. */
  async portfolioAt(time: number): Promise<PortfolioState> {
    const pollMs = this.options.pollMs ?? 5;
    const { log } = this.options;
    while (!(await groupPassed(log, this.options.exchangeGroup, this.marketTopic, time + 1)))
      await this.pause(pollMs);
    const end = (await log.endOffsets(this.ordersTopic)).get(0) ?? 0;
    while (this.ordersRead < end) await this.pause(pollMs);
    const bars = [];
    const ends = await log.endOffsets(this.marketTopic);
    for (;;) {
      // Once every partition is read past its bars up to `time`, one more release takes them all.
      const readThrough = this.bars.receivedThrough(time, ends);
      bars.push(...(await this.bars.release(time)));
      if (readThrough) break;
      await this.pause(pollMs);
    }
    const state = catchUpPortfolio(
      this.state,
      bars.map((item) => item.value),
      this.orders,
    );
    this.orders.length = 0;
    this.state = state;
    return state;
  }

  private async pause(ms: number): Promise<void> {
    if (!this.running) throw new PortfolioReaderStopped('the portfolio reader stopped');
    await this.wakeup.wait(ms);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopWatchingCommits?.();
    this.stopWatchingCommits = undefined;
    this.wakeup.ring();
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
    this.subscriptions = [];
  }
}
