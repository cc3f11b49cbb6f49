import {
  ML_SIGNALS,
  ORDERS,
  TOPIC_CONTRACTS,
  ValidationError,
  type MlSignal,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import type { BatchOutcome, LogPort, LogRecord, Subscription } from '../../src/log/port.ts';
import { subscribeValidated, type ValidationClock, type ValidMessage } from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { decide, type Decision } from './decide.ts';
import type { DecisionSettings } from './decision-settings.ts';
import { evolveDecision, initialDecisionState, type DecisionState } from './decision-state.ts';
import type { PortfolioSource } from './portfolio-source.ts';

export interface DecisionRunnerOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly portfolio: PortfolioSource;
  readonly settings: DecisionSettings;
  readonly logger: Logger;
  /** The clock signals' freshness is validated against: the wall clock live, the stream's clock in replay. */
  readonly clock: ValidationClock;
  /** Consumer group of the signals; the orders fold uses `<group>.orders`. */
  readonly group?: string;
  /** Where a group with no committed offset starts reading signals (live: false, the spec's `latest`). */
  readonly fromBeginning?: boolean;
  /** Read signals from this topic instead of crypto.ml_signals (an isolated copy, a test). */
  readonly signalsFrom?: string;
  /** Called with every decision, for metrics. */
  readonly onDecision?: (signal: MlSignal, decision: Decision) => void;
}

export const DEFAULT_DECISION_GROUP = 'decision-engine';
const READ_PAGE = 5_000;

/**
 * Runs the decision engine: folds crypto.orders from its first offset (the log is the truth:
 * the id counter and the PENDING orders survive a restart), then keeps folding it while it
 * decides each signal of crypto.ml_signals on the portfolio settled up to the signal's time. The
 * orders of a batch are appended in the same atomic step as the commit of its offsets, so a
 * signal yields its orders exactly once. The orders fold and the signal batches take turns: a
 * batch sees one state from its first signal to its last.
 */
export class DecisionRunner {
  private state: DecisionState = initialDecisionState();
  /** Per partition of crypto.orders, the next offset to fold. */
  private readonly folded = new Map<number, number>();
  private subscriptions: Subscription[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DecisionRunnerOptions) {}

  current(): DecisionState {
    return this.state;
  }

  async start(): Promise<void> {
    const group = this.options.group ?? DEFAULT_DECISION_GROUP;
    await this.foldOrdersLog();
    this.subscriptions.push(
      await this.options.log.subscribe({
        group: `${group}.orders`,
        topics: [ORDERS],
        fromBeginning: true,
        handler: (batch) => this.serialized(() => this.foldRecords(batch.records)),
      }),
    );
    this.subscriptions.push(
      await subscribeValidated({
        log: this.options.log,
        serde: this.options.serde,
        topic: ML_SIGNALS,
        ...(this.options.signalsFrom === undefined ? {} : { readFrom: this.options.signalsFrom }),
        group,
        fromBeginning: this.options.fromBeginning ?? false,
        clock: this.options.clock,
        logger: this.options.logger,
        handler: (messages) => this.serialized(() => this.decideBatch(messages)),
      }),
    );
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions.reverse()) await subscription.stop();
    this.subscriptions = [];
    await this.queue.catch(() => undefined);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reads every partition of crypto.orders to its end, without a group, so nothing committed earlier is skipped. */
  private async foldOrdersLog(): Promise<void> {
    const partitions = await this.options.log.partitionCount(ORDERS);
    for (let partition = 0; partition < partitions; partition++) {
      for (;;) {
        const records = await this.options.log.read(
          ORDERS,
          partition,
          this.folded.get(partition) ?? 0,
          READ_PAGE,
        );
        if (records.length === 0) break;
        await this.foldRecords(records);
      }
    }
  }

  /** Folds order events past what is folded already (the live subscription re-reads what start-up read). */
  private async foldRecords(records: readonly LogRecord[]): Promise<void> {
    for (const record of records) {
      if (record.offset < (this.folded.get(record.partition) ?? 0)) continue;
      const order = await this.decodeOrder(record);
      if (order !== undefined) this.state = evolveDecision(this.state, order);
      this.folded.set(record.partition, record.offset + 1);
    }
  }

  /** An invalid order event is the ledger consumers' to dead-letter; the engine only skips it. */
  private async decodeOrder(record: LogRecord): Promise<OrderEvent | undefined> {
    try {
      const order = await this.options.serde.decode(ORDERS, record.value);
      const violations = TOPIC_CONTRACTS[ORDERS].validate(order, { now: record.timestamp });
      if (violations.length === 0) return order;
      throw new ValidationError(`${ORDERS} message at offset ${record.offset}`, violations);
    } catch (error) {
      this.options.logger.warn(
        { partition: record.partition, offset: record.offset, err: (error as Error).message },
        'order event skipped by the decision engine',
      );
      return undefined;
    }
  }

  private async decideBatch(messages: readonly ValidMessage<typeof ML_SIGNALS>[]): Promise<BatchOutcome> {
    let state = this.state;
    const orders: OrderEvent[] = [];
    for (const { value: signal } of messages) {
      const portfolio = await this.options.portfolio.portfolioAt(signal.timestamp);
      const decision = decide(state, signal, portfolio, this.options.settings);
      state = decision.state;
      orders.push(...decision.orders);
      this.report(signal, decision);
    }
    const contract = TOPIC_CONTRACTS[ORDERS];
    const records = orders.map((order) => {
      const violations = contract.validate(order, { now: order.timestamp });
      if (violations.length > 0) throw new ValidationError(`${ORDERS} order ${order.order_id}`, violations);
      return {
        key: contract.keyOf(order),
        value: this.options.serde.encode(ORDERS, order),
        timestamp: contract.timeOf(order),
      };
    });
    // Only a batch that is about to be committed changes the state: a failed one is decided again.
    this.state = state;
    return records.length > 0 ? { append: [{ topic: ORDERS, records }] } : {};
  }

  private report(signal: MlSignal, decision: Decision): void {
    const context = {
      symbol: signal.symbol,
      model: signal.model,
      signal: signal.signal,
      time: signal.timestamp,
    };
    for (const order of decision.orders)
      this.options.logger.info(
        {
          ...context,
          orderId: order.order_id,
          action: order.action,
          quantity: order.quantity,
          price: order.price,
        },
        'order decided',
      );
    for (const skip of decision.reasons)
      this.options.logger.debug({ ...context, reason: skip.reason, detail: skip.detail }, 'signal skipped');
    this.options.onDecision?.(signal, decision);
  }
}
