import type { MarketData, OrderEvent } from '../../contracts/index.ts';
import type { ModelArtifact } from '../../ml/index.ts';
import type { ClosedTrade } from '../../../projections/portfolio/index.ts';
import type { ExchangeSettings } from '../../../streams/exchange/index.ts';
import { backtestMetrics, type BacktestMetrics } from '../backtest-metrics.ts';
import { equitySeries, type EquitySample } from '../equity-series.ts';
import { buildSignalTape, tradeOrders, tradeTape, type SignalTape } from '../lockstep-engine.ts';
import type { SweepRow, TapeSpec } from './sweep-plan.ts';

/** What every row of a sweep shares: the bars, where the periods start, the models, the exchange. */
export interface SweepContext {
  /** The bars the engine runs over: the features' warm-up bars, then the traded bars. */
  readonly bars: readonly MarketData[];
  /** Index in `bars` of the first traded bar. */
  readonly tradedFrom: number;
  /** Index in `bars` of the first out-of-sample bar: the in-sample period is before it. */
  readonly outOfSampleFrom: number;
  readonly symbol: string;
  readonly partitions: { readonly marketData: number; readonly signals: number };
  readonly exchange: ExchangeSettings;
  readonly tapes: readonly TapeSpec[];
  /** The artifacts each tape serves, by tape key, in the order the signals processor loads them. */
  readonly artifacts: Readonly<Record<string, readonly ModelArtifact[]>>;
}

/** A row's figures on each period. */
export interface RowResult {
  readonly id: number;
  readonly inSample: BacktestMetrics;
  readonly outOfSample: BacktestMetrics;
  /** The whole traded period: what `cml backtest` reports for the row. */
  readonly full: BacktestMetrics;
  readonly orderEvents: number;
}

const timeOf = (event: OrderEvent): number => event.event_time ?? event.timestamp;

/** Fees the ledger counts (BUY fills, closes) for events from `from` to before `to`. */
function feesBetween(orders: readonly OrderEvent[], from: number, to: number): number {
  let fees = 0;
  for (const e of orders) {
    const time = timeOf(e);
    if (time < from || time >= to) continue;
    if (e.status === 'FILLED' && e.action === 'BUY') fees += e.fill_fee ?? 0;
    else if (e.status === 'CLOSED') fees += e.exit_fee ?? 0;
  }
  return fees;
}

/**
 * Trades a row's tape and measures it on the in-sample period, on the out-of-sample period that
 * follows (the same run going on: positions open at the boundary carry over, and its return is
 * measured from the equity there) and on the whole traded period, with the backtest's own equity
 * series and metrics.
 */
export function evaluateRow(tape: SignalTape, row: SweepRow, context: SweepContext): RowResult {
  const traded = context.bars.slice(context.tradedFrom);
  const boundary = context.outOfSampleFrom - context.tradedFrom;
  const orders = tradeOrders(tape, { decision: row.decision, exchange: context.exchange });
  const initialEquity = context.exchange.initialCash;
  // One fold of the orders gives the equity, the fees and the trades.
  const folded = equitySeries(traded, orders, initialEquity);
  const samples = folded.samples;
  const trades = folded.trades.filter((t) => t.symbol === context.symbol);
  const oosStart = (traded[boundary] as MarketData).timestamp;
  const closeAt = (i: number): number => (traded[i] as MarketData).price;
  const period = (
    from: number,
    to: number,
    startEquity: number,
    periodSamples: readonly EquitySample[],
    fees: number,
  ): BacktestMetrics => {
    const startTime = (traded[from] as MarketData).timestamp;
    const endTime = to < traded.length ? (traded[to] as MarketData).timestamp : Number.POSITIVE_INFINITY;
    return backtestMetrics({
      samples: periodSamples,
      trades: trades.filter((t) => t.exitTime >= startTime && t.exitTime < endTime),
      fees,
      initialEquity: startEquity,
      firstClose: closeAt(from),
      lastClose: closeAt(to - 1),
    });
  };
  const inSample = period(
    0,
    boundary,
    initialEquity,
    samples.slice(0, boundary),
    feesBetween(orders, Number.NEGATIVE_INFINITY, oosStart),
  );
  const outOfSample = period(
    boundary,
    traded.length,
    (samples[boundary - 1] as EquitySample).equity,
    samples.slice(boundary),
    feesBetween(orders, oosStart, Number.POSITIVE_INFINITY),
  );
  const full = backtestMetrics({
    samples,
    trades,
    fees: folded.final.fees,
    initialEquity,
    firstClose: closeAt(0),
    lastClose: closeAt(traded.length - 1),
  });
  return { id: row.id, inSample, outOfSample, full, orderEvents: orders.length };
}

/**
 * Evaluates rows, building each tape the first time a row needs it and keeping the latest few
 * (rows come grouped by tape, so a worker rarely builds one twice).
 */
export class RowEvaluator {
  private readonly cache = new Map<string, SignalTape>();

  constructor(
    private readonly context: SweepContext,
    private readonly keep = 2,
  ) {}

  evaluate(row: SweepRow): RowResult {
    return evaluateRow(this.tapeOf(row.tape), row, this.context);
  }

  /** A row's closed trades on the whole traded period (what `cml backtest` lists for it). */
  trades(row: SweepRow): ClosedTrade[] {
    return tradeTape(this.tapeOf(row.tape), {
      decision: row.decision,
      exchange: this.context.exchange,
    }).trades.filter((t) => t.symbol === this.context.symbol);
  }

  private tapeOf(key: string): SignalTape {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const artifacts = this.context.artifacts[key];
    if (artifacts === undefined) throw new Error(`no artifacts for tape ${key}`);
    const tape = buildSignalTape({
      bars: this.context.bars,
      artifacts,
      partitions: this.context.partitions,
    });
    this.cache.set(key, tape);
    while (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value as string);
    return tape;
  }
}
