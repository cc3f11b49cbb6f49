import {
  CONTROLS,
  ML_SIGNALS,
  ORDERS,
  TOPIC_CONTRACTS,
  ValidationError,
  type MlSignal,
  type OperatorControl,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import type { ControlCodec } from '../../src/controls/control-codec.ts';
import type { LogPort, LogRecord, Subscription, TopicAppend } from '../../src/log/port.ts';
import {
  encodeValidated,
  OrderedProcessor,
  type StepControl,
  type StepOutput,
  type ValidationClock,
} from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import type { PortfolioState } from '../../projections/portfolio/index.ts';
import { appliesFrom, recordControl } from './controls-state.ts';
import { decide, needsFreshPortfolio, type Decision } from './decide.ts';
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
  readonly clock?: ValidationClock;
  /** The engine's group: its committed signal offsets are its progress, committed with its orders. */
  readonly group?: string;
  /** Read signals from this topic instead of crypto.ml_signals (an isolated copy, a test). */
  readonly signalsFrom?: string;
  /** Write and fold orders on this topic instead of crypto.orders. */
  readonly ordersTopic?: string;
  /** With it, the operators' controls are folded and recorded (crypto.controls); without, none apply. */
  readonly controls?: ControlCodec;
  /** Read and record controls on this topic instead of crypto.controls. */
  readonly controlsTopic?: string;
  /** Whether the signals processor has written every signal before a time (the pipeline's gate). */
  readonly signalsReady?: (time: number) => Promise<boolean>;
  readonly pollMs?: number;
  /** Told after every signal, with its duration in seconds (metrics). */
  readonly onStep?: (seconds: number) => void;
  /** Called with every decision, for metrics. */
  readonly onDecision?: (signal: MlSignal, decision: Decision) => void;
}

export const DEFAULT_DECISION_GROUP = 'decision-engine';
const READ_PAGE = 5_000;

/**
 * Runs the decision engine: folds crypto.orders from its first offset (the log is the truth: the
 * id counter and the PENDING orders survive a restart), then keeps folding it while it decides
 * the signals one at a time in event-time order (an OrderedProcessor). A signal that may act is
 * decided on the portfolio settled up to its time; its orders are appended with its offset,
 * atomically, so a signal yields its orders exactly once and the exchange can wait on the
 * engine's progress.
 *
 * Operators' controls: the engine reads crypto.controls from its first offset. A request (no
 * applied_from) is recorded at the next signal the engine decides: it appends the control again
 * with applied_from, the signal time it applies from (see `appliesFrom`), together with that
 * signal's orders and offset. Only records take effect, at the first signal at or after their
 * time, so a replay of the log, which finds every record already there, applies each control at
 * the very signal the live run did, whenever the request arrived.
 */
export class DecisionRunner {
  private state: DecisionState = initialDecisionState();
  /** Next offset of crypto.orders to fold. */
  private folded = 0;
  private orders: Subscription | undefined;
  private signals: OrderedProcessor<typeof ML_SIGNALS> | undefined;
  /** The portfolio of the last signal that could act: the one the others are decided on. */
  private portfolio: PortfolioState | undefined;
  /** Next offset of crypto.controls to fold. */
  private controlsNext = 0;
  private controlsSubscription: Subscription | undefined;
  /** Controls read and not folded yet: the next step folds them. */
  private inbox: OperatorControl[] = [];
  /** Requests without a record yet, by id, in arrival order. */
  private readonly requests = new Map<string, OperatorControl>();
  /** Event time of the last signal decided by this run. */
  private lastDecided: number | undefined;

  constructor(private readonly options: DecisionRunnerOptions) {}

  private get ordersTopic(): string {
    return this.options.ordersTopic ?? ORDERS;
  }

  private get controlsTopic(): string {
    return this.options.controlsTopic ?? CONTROLS;
  }

  current(): DecisionState {
    return this.state;
  }

  /** Signals decided since start. */
  get decided(): number {
    return this.signals?.processed ?? 0;
  }

  async start(): Promise<void> {
    const group = this.options.group ?? DEFAULT_DECISION_GROUP;
    await this.foldOrdersLog();
    this.orders = await this.options.log.subscribe({
      group: `${group}.orders`,
      topics: [this.ordersTopic],
      fromBeginning: true,
      startAt: () => this.folded,
      handler: (batch) => this.foldRecords(batch.records),
    });
    if (this.options.controls !== undefined) await this.readControls(this.options.controls, group);
    this.signals = new OrderedProcessor({
      log: this.options.log,
      serde: this.options.serde,
      logger: this.options.logger,
      topic: ML_SIGNALS,
      ...(this.options.signalsFrom === undefined ? {} : { readFrom: this.options.signalsFrom }),
      group,
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      ...(this.options.signalsReady === undefined ? {} : { ready: this.options.signalsReady }),
      ...(this.options.pollMs === undefined ? {} : { pollMs: this.options.pollMs }),
      step: ({ value }, control) => this.decideSignal(value, control),
      ...(this.options.onStep === undefined ? {} : { onStep: this.options.onStep }),
    });
    await this.signals.start();
  }

  /** Signals are waiting and none decided for a while (liveness). */
  stuck(): boolean {
    return this.stuckReason() !== undefined;
  }

  stuckReason(): string | undefined {
    return this.signals?.stuckReason();
  }

  caughtUp(): Promise<boolean> {
    return this.signals?.caughtUp() ?? Promise.resolve(false);
  }

  async stop(): Promise<void> {
    await this.signals?.stop();
    await this.orders?.stop();
    await this.controlsSubscription?.stop();
    this.signals = undefined;
    this.orders = undefined;
    this.controlsSubscription = undefined;
  }

  /**
   * Reads crypto.controls to its end before the first signal (every record a replay needs is
   * folded before it decides anything), then follows it; what arrives is folded at the next step.
   */
  private async readControls(codec: ControlCodec, group: string): Promise<void> {
    for (;;) {
      const records = await this.options.log.read(this.controlsTopic, 0, this.controlsNext, READ_PAGE);
      if (records.length === 0) break;
      await this.takeControls(codec, records);
    }
    this.foldInbox();
    this.controlsSubscription = await this.options.log.subscribe({
      group: `${group}.controls`,
      topics: [this.controlsTopic],
      fromBeginning: true,
      startAt: () => this.controlsNext,
      handler: (batch) => this.takeControls(codec, batch.records),
    });
  }

  private async takeControls(codec: ControlCodec, records: readonly LogRecord[]): Promise<void> {
    for (const record of records) {
      if (record.offset < this.controlsNext) continue;
      try {
        this.inbox.push(await codec.decode(record.value));
      } catch (error) {
        this.options.logger.warn(
          { offset: record.offset, err: (error as Error).message },
          'operator control skipped by the decision engine',
        );
      }
      this.controlsNext = record.offset + 1;
    }
  }

  /** Folds the controls read so far: records into the state, requests into those to record. */
  private foldInbox(): void {
    const inbox = this.inbox;
    this.inbox = [];
    for (const control of inbox) {
      if (control.applied_from !== null) {
        this.requests.delete(control.control_id);
        this.state = { ...this.state, controls: recordControl(this.state.controls, control) };
      } else if (!this.state.controls.recorded.has(control.control_id))
        this.requests.set(control.control_id, control);
    }
  }

  /** Reads crypto.orders to its end without a group, so nothing committed earlier is skipped. */
  private async foldOrdersLog(): Promise<void> {
    for (;;) {
      const records = await this.options.log.read(this.ordersTopic, 0, this.folded, READ_PAGE);
      if (records.length === 0) break;
      await this.foldRecords(records);
    }
  }

  /** Folds order events past what is folded already (the live subscription re-reads what start-up read). */
  private async foldRecords(records: readonly LogRecord[]): Promise<void> {
    for (const record of records) {
      if (record.offset < this.folded) continue;
      const order = await this.decodeOrder(record);
      if (order !== undefined) this.state = evolveDecision(this.state, order);
      this.folded = record.offset + 1;
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

  private async decideSignal(signal: MlSignal, control: StepControl): Promise<StepOutput | undefined> {
    this.foldInbox();
    const from = appliesFrom(signal.timestamp, this.lastDecided);
    const recorded = [...this.requests.values()].map((request) => ({ ...request, applied_from: from }));
    let state = this.state;
    for (const record of recorded) state = { ...state, controls: recordControl(state.controls, record) };
    let portfolio = this.portfolio;
    if (needsFreshPortfolio(portfolio, signal, this.options.settings, state)) {
      // The exchange may be waiting for this engine's progress before it settles what we wait for.
      await control.flush();
      try {
        portfolio = await this.options.portfolio.portfolioAt(signal.timestamp);
      } catch (error) {
        if (!control.running()) return undefined;
        throw error;
      }
      this.portfolio = portfolio;
    }
    // A fresh portfolio was read above whenever none was cached.
    const decision = decide(state, signal, portfolio as PortfolioState, this.options.settings);
    this.report(signal, decision);
    const records = encodeValidated(this.options.serde, ORDERS, decision.orders, (order) => order.timestamp);
    const append: TopicAppend[] = [];
    if (recorded.length > 0 && this.options.controls !== undefined)
      append.push({ topic: this.controlsTopic, records: this.options.controls.records(recorded) });
    if (records.length > 0) append.push({ topic: this.ordersTopic, records });
    return {
      append,
      applied: () => {
        this.state = decision.state;
        this.lastDecided = signal.timestamp;
        for (const record of recorded) {
          this.requests.delete(record.control_id);
          this.options.logger.info(
            {
              control: record.action,
              symbol: record.symbol,
              by: record.requested_by,
              from: record.applied_from,
            },
            'operator control recorded',
          );
        }
      },
    };
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
