import { FORCE_CLOSE_STRATEGY, type MarketData, type MlSignal } from '../../contracts/index.ts';
import type { ClosedTrade } from '../../../projections/portfolio/index.ts';
import {
  exitLevels,
  formatOrderId,
  mayAct,
  sizePosition,
  utcDayOf,
  type DecisionSettings,
} from '../../../streams/decision/index.ts';
import { closeFigures, exitOnLevels, feeOf, marketFillPrice } from '../../../streams/exchange/index.ts';
import type { SignalTape } from '../lockstep-engine.ts';
import { outOfSampleStart, type RowTrading, type SweepContext } from './sweep-evaluate.ts';

/**
 * A signal tape laid out for the kernel: one bar per event time (the sweep's `context.bars`, in
 * order), the signals of each, and each signal's source as a number.
 */
export interface KernelTape {
  readonly bars: readonly MarketData[];
  readonly signals: readonly MlSignal[];
  /** Signals of bar i: `signals[signalsFrom[i]]` up to `signals[signalsFrom[i + 1]]`. */
  readonly signalsFrom: Int32Array;
  /** Per signal, its source (`model/prediction_type`) as an index. */
  readonly sourceOf: Int32Array;
  readonly sources: number;
}

/**
 * The tape as the kernel takes it, or why the kernel cannot trade it (the sweep then trades it on
 * the research engine): one symbol, bars in strictly increasing time with none dead-lettered, the
 * bars the sweep measures.
 */
export function kernelTapeOf(tape: SignalTape, context: SweepContext): KernelTape | string {
  const bars = context.bars;
  if (tape.counts.deadLetteredBars > 0) return 'bars were dead-lettered';
  if (tape.steps.length !== bars.length) return 'bars share an event time';
  const signals: MlSignal[] = [];
  const signalsFrom = new Int32Array(bars.length + 1);
  const sourceIds = new Map<string, number>();
  const sources: number[] = [];
  for (let i = 0; i < bars.length; i++) {
    const step = tape.steps[i];
    if (step === undefined || step.bars.length !== 1 || step.bars[0] !== bars[i])
      return 'the tape does not follow the bars one time each';
    if (i > 0 && (bars[i] as MarketData).timestamp <= (bars[i - 1] as MarketData).timestamp)
      return 'bar times do not increase';
    if ((bars[i] as MarketData).symbol !== context.symbol) return 'several symbols';
    signalsFrom[i] = signals.length;
    for (const signal of step.signals) {
      if (signal.symbol !== context.symbol) return 'several symbols';
      const source = `${signal.model}/${signal.prediction_type}`;
      let id = sourceIds.get(source);
      if (id === undefined) sourceIds.set(source, (id = sourceIds.size));
      signals.push(signal);
      sources.push(id);
    }
  }
  signalsFrom[bars.length] = signals.length;
  return {
    bars,
    signals,
    signalsFrom,
    sourceOf: Int32Array.from(sources),
    sources: sourceIds.size,
  };
}

/**
 * Why the kernel cannot trade with these decision settings, or undefined when it can: it holds at
 * most one position and places MARKET orders only.
 */
export function kernelRefuses(decision: DecisionSettings): string | undefined {
  if (decision.maxPositionsPerSymbol !== 1) return 'maxPositionsPerSymbol is not 1';
  if (decision.orderType !== 'MARKET') return 'orders are not MARKET';
  if (decision.strategy === FORCE_CLOSE_STRATEGY) return "the strategy is the operators' force-close";
  return undefined;
}

const NONE = 0;
const BUY = 1;
const SELL = 2;
const kindOf = (signal: MlSignal): number =>
  signal.signal === 'BUY' ? BUY : signal.signal === 'SELL' ? SELL : NONE;

/**
 * A sweep row's trading, flat: what `tradeRowOnEngine` gives (the research engine's order events
 * folded into the equity series), computed without building the order events. For one symbol, one
 * position at a time and MARKET orders (`kernelRefuses`), with no operators' controls, the states
 * of the decision engine, the exchange and the ledger shrink to a few numbers: the cash, the open
 * position, the one PENDING order, the last close and the votes. The rules are the engine's, in
 * its order: at each bar the decisions' portfolio marks the bar, then the exchange fills the
 * PENDING order at the open and closes on the levels; then the bar's signals are decided. The
 * arithmetic is the engine's own functions (`sizePosition`, `marketFillPrice`, `exitOnLevels`,
 * `closeFigures`, `exitLevels`, `mayAct`) or the same expressions in the same order, so the figures
 * are the same to the bit: test/unit/backtest/sweep-kernel-parity.unit.test.ts holds the kernel
 * to the engine over random markets and settings, and the sweep checks the first row of every
 * tape against the engine as it runs.
 */
export function tradeOnKernel(
  tape: KernelTape,
  decision: DecisionSettings,
  context: SweepContext,
): RowTrading {
  const exchange = context.exchange;
  const { bars, signals, signalsFrom, sourceOf } = tape;
  const oosStart = outOfSampleStart(context);
  const measured = bars.length - context.tradedFrom;
  const series = {
    time: new Float64Array(measured),
    equity: new Float64Array(measured),
    exposed: new Uint8Array(measured),
  };
  const trades: ClosedTrade[] = [];
  let cash = exchange.initialCash;
  let orderEvents = 0;
  const fees = { inSample: 0, outOfSample: 0, total: 0 };
  const payFee = (time: number, fee: number): void => {
    fees.total += fee;
    if (time < oosStart) fees.inSample += fee;
    else fees.outOfSample += fee;
  };

  // The open position, and the peak equity of the portfolio the decisions read.
  let open = false;
  const position = {
    orderId: '',
    quantity: 0,
    entryPrice: 0,
    entryFee: 0,
    entryTime: 0,
    stopLoss: 0,
    takeProfit: 0,
  };
  let peakEquity = exchange.initialCash;
  let lastCloseAt = Number.NEGATIVE_INFINITY;

  // The PENDING order: with one position at a time there is at most one.
  let pending = NONE;
  const order = { orderId: '', time: 0, quantity: 0, stopLoss: 0, takeProfit: 0 };

  // Order ids: the UTC day of the signal and its sequence in the day.
  let day = '';
  let sequence = 0;
  const nextOrderId = (time: number): string => {
    const today = utcDayOf(time);
    if (today !== day) {
      day = today;
      sequence = 0;
    }
    return formatOrderId(day, ++sequence);
  };

  // Each source's latest vote: BUY or SELL, and its time.
  const voteKind = new Int8Array(tape.sources);
  const voteTime = new Float64Array(tape.sources);
  const agrees = (source: number, kind: number, time: number): boolean => {
    for (let other = 0; other < voteKind.length; other++)
      if (
        other !== source &&
        voteKind[other] === kind &&
        Math.abs(time - (voteTime[other] as number)) <= decision.agreementWindowMs
      )
        return true;
    return false;
  };

  const close = (exit: number, reason: string, time: number): void => {
    const { exitFee, pnl } = closeFigures(position, exit, exchange);
    cash = cash + position.quantity * exit - exitFee;
    payFee(time, exitFee);
    trades.push({
      orderId: position.orderId,
      symbol: context.symbol,
      quantity: position.quantity,
      entryTime: position.entryTime,
      entryPrice: position.entryPrice,
      exitTime: time,
      exitPrice: exit,
      fees: position.entryFee + exitFee,
      realizedPnl: pnl,
      reason,
    });
    open = false;
    lastCloseAt = time;
    peakEquity = Math.max(peakEquity, cash + 0);
  };

  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i] as MarketData;
    const time = bar.timestamp;
    // The decisions' portfolio marks a bar before the fills and closes it causes.
    if (open) peakEquity = Math.max(peakEquity, cash + (0 + position.quantity * bar.price));
    if (pending !== NONE && order.time < time) {
      orderEvents++;
      if (pending === BUY) {
        const price = marketFillPrice('BUY', bar, exchange);
        const fee = feeOf(order.quantity, price, exchange);
        if (order.quantity * price + fee <= cash + 1e-9) {
          cash = cash - order.quantity * price - fee;
          payFee(time, fee);
          open = true;
          position.orderId = order.orderId;
          position.quantity = order.quantity;
          position.entryPrice = price;
          position.entryFee = fee;
          position.entryTime = time;
          position.stopLoss = order.stopLoss;
          position.takeProfit = order.takeProfit;
          // The new holding is marked at its fill price until the next bar.
          peakEquity = Math.max(peakEquity, cash + (0 + position.quantity * price));
        }
      } else if (open) {
        orderEvents++;
        close(marketFillPrice('SELL', bar, exchange), 'SELL_SIGNAL', time);
      }
      pending = NONE;
    }
    if (open && position.entryTime <= time) {
      const exit = exitOnLevels(position, bar, exchange);
      if (exit !== undefined) {
        orderEvents++;
        close(exit.price, exit.reason, time);
      }
    }
    if (i >= context.tradedFrom) {
      const at = i - context.tradedFrom;
      series.time[at] = time;
      series.equity[at] = open ? cash + (0 + position.quantity * bar.price) : cash + 0;
      series.exposed[at] = open ? 1 : 0;
    }

    for (let k = signalsFrom[i] as number; k < (signalsFrom[i + 1] as number); k++) {
      const signal = signals[k] as MlSignal;
      const kind = kindOf(signal);
      const source = sourceOf[k] as number;
      const votes = kind !== NONE && signal.confidence >= decision.minConfidence;
      const acts = mayAct(signal, decision);
      // Agreement counts the votes from before this signal.
      const confirmed = !acts || signal.confidence >= decision.highConfidence || agrees(source, kind, time);
      if (votes) {
        voteKind[source] = kind;
        voteTime[source] = time;
      }
      if (!acts || !confirmed) continue;
      if (kind === SELL) {
        if (pending === SELL || !open) continue;
        pending = SELL;
        order.orderId = nextOrderId(time);
        order.time = time;
        orderEvents++;
        continue;
      }
      if (open || pending === BUY) continue;
      // Nothing is held: the equity is the cash.
      const equity = cash + 0;
      if (time - lastCloseAt < decision.cooldownMs) continue;
      const peak = Math.max(peakEquity, equity);
      const drawdownPct = peak > 0 ? ((peak - equity) / peak) * 100 : 0;
      if (drawdownPct > decision.maxDrawdownPct) continue;
      const sizing = sizePosition(
        {
          equity,
          availableCash: cash - 0,
          price: signal.current_price,
          volatilityPct: signal.features.volatility_7d,
        },
        decision,
      );
      if (sizing.kind === 'too-small') continue;
      const levels = exitLevels(signal.current_price, decision);
      pending = BUY;
      order.orderId = nextOrderId(time);
      order.time = time;
      order.quantity = sizing.quantity;
      order.stopLoss = levels.stopLoss;
      order.takeProfit = levels.takeProfit;
      orderEvents++;
    }
  }
  return { series, trades, fees, orderEvents };
}
