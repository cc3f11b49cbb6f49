import {
  MARKET_DATA,
  ML_SIGNALS,
  ORDERS,
  TOPIC_CONTRACTS,
  ValidationError,
  type MarketData,
  type MlSignal,
  type OperatorControl,
  type OrderEvent,
} from '../contracts/index.ts';
import type { LogRecord } from '../log/port.ts';
import { partitionFor } from '../log/partitioner.ts';
import { streamClock, type ValidationClock } from '../messaging/clocks.ts';
import type { ModelArtifact } from '../ml/index.ts';
import {
  byExitThenOrderId,
  catchUpPortfolio,
  foldPortfolio,
  initialPortfolio,
  portfolioStateHash,
  type ClosedTrade,
  type PortfolioState,
} from '../../projections/portfolio/index.ts';
import {
  decide,
  evolveDecision,
  initialDecisionState,
  needsFreshPortfolio,
  recordControl,
  type DecisionSettings,
  type DecisionState,
} from '../../streams/decision/index.ts';
import {
  evolveExchange,
  initialExchangeState,
  stepExchange,
  type ExchangeSettings,
} from '../../streams/exchange/index.ts';
import { createSignalEngine } from '../../streams/signals/signal-engine.ts';

/** A bar with its place in crypto.market_data, as the consumers' event-time merge orders it. */
interface PlacedBar {
  readonly bar: MarketData;
  readonly partition: number;
  readonly offset: number;
}

interface PlacedSignal {
  readonly signal: MlSignal;
  readonly partition: number;
  readonly offset: number;
}

const PROGRESS_EVERY = 10_000;
/**
 * Steps a streamed tape makes before they are traded: enough that the signal engine and the
 * trading each run long stretches (alternating per step cost a tenth of a forest backtest), few
 * enough that they die young.
 */
const STEPS_AT_ONCE = 256;
const DEFAULT_PARTITIONS = { marketData: 3, signals: 3 } as const;

const record = (topic: string, partition: number, offset: number, timestamp: number): LogRecord => ({
  topic,
  partition,
  offset,
  timestamp,
  key: null,
  value: null,
  headers: {},
});

const byMergeOrder = (
  a: { bar?: MarketData; signal?: MlSignal; partition: number; offset: number },
  b: { bar?: MarketData; signal?: MlSignal; partition: number; offset: number },
): number => {
  const ta = (a.bar ?? a.signal)?.timestamp as number;
  const tb = (b.bar ?? b.signal)?.timestamp as number;
  return ta - tb || a.partition - b.partition || a.offset - b.offset;
};

/** The order-log contract each emitted event must meet, as the log runners' encodeValidated checks it. */
function checkedOrder(event: OrderEvent): OrderEvent {
  const violations = TOPIC_CONTRACTS[ORDERS].validate(event, { now: event.event_time ?? event.timestamp });
  if (violations.length > 0)
    throw new ValidationError(`${ORDERS} message (key ${event.order_id})`, violations);
  return event;
}

/** One event time of a signal tape: its bars in merge order, then its valid signals in merge order. */
export interface TapeStep {
  readonly time: number;
  readonly bars: readonly MarketData[];
  readonly signals: readonly MlSignal[];
}

/**
 * What the signals processor would write for a run of bars, grouped by event time: the part of a
 * backtest that does not depend on decision or exchange settings, so a sweep computes it once
 * per model choice and trades it many times.
 */
export interface SignalTape {
  readonly steps: readonly TapeStep[];
  readonly counts: {
    readonly bars: number;
    readonly signals: number;
    readonly deadLetteredBars: number;
    readonly rejectedSignals: number;
  };
}

export interface ModelSwap {
  readonly from: number;
  readonly artifacts: readonly ModelArtifact[];
}

export interface TapeOptions {
  /** The bars in the order they would be appended to crypto.market_data. */
  readonly bars: readonly MarketData[];
  /** The models the signals processor would serve. */
  readonly artifacts: readonly ModelArtifact[];
  /**
   * Model versions swapped in at given event times (walk-forward retraining), in time order: the
   * signal engine's `setModels` before the first bar at or after `from`, as the signals processor
   * swaps in a new artifact version; feature windows of unchanged definitions stay warm.
   */
  readonly modelSwaps?: readonly ModelSwap[];
  /** Partition counts of crypto.market_data and crypto.ml_signals: they fix the merge order. */
  readonly partitions?: { readonly marketData: number; readonly signals: number };
  /** Told every PROGRESS_EVERY bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the signal engine over the bars as the signals processor would (records its consumers
 * would dead-letter skipped: a stale bar on the stream clock, a signal breaking its contract) and
 * orders the bars and signals as their consumers' event-time merges do: (time, partition, offset).
 */
export function buildSignalTape(options: TapeOptions): SignalTape {
  const stream = streamSignalTape(options);
  const steps = [...stream.steps];
  return { steps, counts: stream.counts() };
}

/** A signal tape made step by step as it is read: what one backtest needs, without holding it all. */
export interface StreamedTape {
  readonly steps: Iterable<TapeStep>;
  /** The tape's counts, final once `steps` has been read to the end. */
  counts(): SignalTape['counts'];
}

/** `buildSignalTape`'s steps, made STEPS_AT_ONCE at a time as they are read. */
export function streamSignalTape(options: TapeOptions): StreamedTape {
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const placed = placeBars(options.bars, partitions.marketData);
  const total = placed.valid.length;
  let signals = 0;
  let rejectedSignals = 0;
  function* steps(): Generator<TapeStep> {
    const engine = createSignalEngine(options.artifacts);
    const contract = TOPIC_CONTRACTS[ML_SIGNALS];
    const partitionOf = new Map<string, number>();
    const offsets = new Array<number>(partitions.signals).fill(0);
    let reported = 0;
    const swaps = options.modelSwaps ?? [];
    let nextSwap = 0;
    const made: TapeStep[] = [];
    let i = 0;
    while (i < total) {
      const time = (placed.valid[i] as PlacedBar).bar.timestamp;
      while (nextSwap < swaps.length && (swaps[nextSwap] as ModelSwap).from <= time)
        engine.setModels((swaps[nextSwap++] as ModelSwap).artifacts);
      let end = i;
      while (end < total && (placed.valid[end] as PlacedBar).bar.timestamp === time) end++;
      const bars: MarketData[] = [];
      const atTime: PlacedSignal[] = [];
      for (let k = i; k < end; k++) {
        const bar = (placed.valid[k] as PlacedBar).bar;
        bars.push(bar);
        for (const signal of engine.onBar(bar)) {
          if (contract.validate(signal, { now: bar.timestamp }).length > 0) {
            rejectedSignals++;
            continue;
          }
          let partition = partitionOf.get(signal.symbol);
          if (partition === undefined) {
            partition = partitionFor(signal.symbol, partitions.signals);
            partitionOf.set(signal.symbol, partition);
          }
          atTime.push({ signal, partition, offset: (offsets[partition] as number)++ });
          signals++;
        }
      }
      if (atTime.length > 1) atTime.sort(byMergeOrder);
      i = end;
      if (options.onProgress !== undefined && i - reported >= PROGRESS_EVERY) {
        reported = i;
        options.onProgress(i, total);
      }
      made.push({ time, bars, signals: atTime.map((placedSignal) => placedSignal.signal) });
      if (made.length === STEPS_AT_ONCE) {
        yield* made;
        made.length = 0;
      }
    }
    yield* made;
    options.onProgress?.(total, total);
  }
  return {
    steps: steps(),
    counts: () => ({ bars: total, signals, deadLetteredBars: placed.deadLettered, rejectedSignals }),
  };
}

export interface TradeResult {
  /** Every order event, in the order the log would hold them. */
  readonly orders: OrderEvent[];
  /** The portfolio folded from the orders: what the projection holds (marks aside). */
  readonly portfolio: PortfolioState;
  readonly trades: ClosedTrade[];
  /** The hash `rebuild` computes for the same orders. */
  readonly hash: string;
}

/** What trading a tape takes: the decision engine's and the exchange's settings, and any controls. */
export interface TradeSettings {
  readonly decision: DecisionSettings;
  readonly exchange: ExchangeSettings;
  /**
   * Operators' controls as the decision engine recorded them in a log (records, applied_from
   * set; requests are ignored): applied at the same signals as in the run that recorded them.
   */
  readonly controls?: readonly OperatorControl[];
}

/**
 * Trades a signal tape: the decision engine and the virtual exchange in event-time lockstep. At
 * each time T the exchange first settles T's bars (every order placed before T is known), then the
 * decision engine decides T's signals in their merge order, each that may act on the portfolio
 * settled up to T (`catchUpPortfolio`, the rule `PortfolioAtTime` follows), its orders going to
 * the exchange's state at once. This is the order in which the log processors meet their inputs,
 * so the order events are the ones they append.
 */
export function tradeOrders(steps: Iterable<TapeStep>, settings: TradeSettings): OrderEvent[] {
  let exchange = initialExchangeState(settings.exchange);
  let decision: DecisionState = initialDecisionState();
  for (const control of settings.controls ?? [])
    decision = { ...decision, controls: recordControl(decision.controls, control) };
  /** The portfolio the decisions read, once the first one read it. */
  let portfolio: PortfolioState | undefined;
  const orders: OrderEvent[] = [];
  /** Order events and bars not yet folded into the decisions' portfolio. */
  let unfoldedFrom = 0;
  let barsUnfolded: MarketData[] = [];

  const appendOrder = (event: OrderEvent): void => {
    orders.push(checkedOrder(event));
    decision = evolveDecision(decision, event);
  };

  for (const step of steps) {
    for (const bar of step.bars) {
      const settled = stepExchange(exchange, { kind: 'bar', bar }, settings.exchange);
      exchange = settled.state;
      for (const event of settled.emitted) appendOrder(event);
      barsUnfolded.push(bar);
    }
    for (const signal of step.signals) {
      if (needsFreshPortfolio(portfolio, signal, settings.decision, decision)) {
        portfolio = catchUpPortfolio(
          portfolio ?? initialPortfolio(settings.exchange.initialCash).state,
          barsUnfolded,
          orders.slice(unfoldedFrom),
        );
        barsUnfolded = [];
        unfoldedFrom = orders.length;
      }
      const decided = decide(decision, signal, portfolio as PortfolioState, settings.decision);
      decision = decided.state;
      for (const order of decided.orders) {
        appendOrder(order);
        exchange = evolveExchange(exchange, order).state;
      }
    }
  }
  return orders;
}

/** `tradeOrders`, and the portfolio, trades and state hash its order events fold to. */
export function tradeTape(
  tape: Pick<SignalTape | StreamedTape, 'steps'>,
  settings: TradeSettings,
): TradeResult {
  const orders = tradeOrders(tape.steps, settings);
  let folded = initialPortfolio(settings.exchange.initialCash).state;
  const trades: ClosedTrade[] = [];
  for (const event of orders) {
    const step = foldPortfolio(folded, { kind: 'order', event });
    folded = step.state;
    if (step.rows.trade !== undefined) trades.push(step.rows.trade);
  }
  trades.sort(byExitThenOrderId);
  return { orders, portfolio: folded, trades, hash: portfolioStateHash(folded) };
}

export interface LockstepOptions extends TapeOptions {
  readonly decision: DecisionSettings;
  readonly exchange: ExchangeSettings;
  /** Operators' controls recorded in a log, to trade the bars as that run did (none in a backtest). */
  readonly controls?: readonly OperatorControl[];
}

export interface LockstepResult extends TradeResult {
  readonly counts: SignalTape['counts'];
}

/**
 * The research engine: the pipeline's pure cores (the signal engine, `decide`, `stepExchange`,
 * the portfolio fold) driven in event-time lockstep in memory, with no log, Avro or LMDB, giving
 * the order events the log processors give for the same bars (the parity tests hold it to that).
 */
export function runLockstep(options: LockstepOptions): LockstepResult {
  // Traded as it is made: each step's bars, features and signals die young, and the garbage
  // collector does not copy a whole tape from generation to generation.
  const tape = streamSignalTape(options);
  return { ...tradeTape(tape, options), counts: tape.counts() };
}

/**
 * Gives each bar its partition and offset in crypto.market_data and keeps those its consumers
 * accept (validated against each partition's stream clock), in their merge order.
 */
function placeBars(
  input: readonly MarketData[],
  partitionCount: number,
): { valid: PlacedBar[]; deadLettered: number } {
  const contract = TOPIC_CONTRACTS[MARKET_DATA];
  const clock: ValidationClock = streamClock();
  const offsets = new Array<number>(partitionCount).fill(0);
  const partitionOf = new Map<string, number>();
  const valid: PlacedBar[] = [];
  let deadLettered = 0;
  for (const bar of input) {
    let partition = partitionOf.get(bar.symbol);
    if (partition === undefined) {
      partition = partitionFor(bar.symbol, partitionCount);
      partitionOf.set(bar.symbol, partition);
    }
    const offset = (offsets[partition] as number)++;
    const placed = record(MARKET_DATA, partition, offset, bar.timestamp);
    if (contract.validate(bar, clock.contextOf(placed)).length > 0) deadLettered++;
    else {
      clock.accepted(placed);
      valid.push({ bar, partition, offset });
    }
  }
  valid.sort(byMergeOrder);
  return { valid, deadLettered };
}
