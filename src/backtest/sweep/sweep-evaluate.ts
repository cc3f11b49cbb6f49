import { isDeepStrictEqual } from 'node:util';
import type { MarketData, OrderEvent } from '../../contracts/index.ts';
import type { ModelArtifact } from '../../ml/index.ts';
import type { ClosedTrade } from '../../../projections/portfolio/index.ts';
import type { ExchangeSettings } from '../../../streams/exchange/index.ts';
import { seriesMetrics, type BacktestMetrics } from '../backtest-metrics.ts';
import { columnsOf, equitySeries, type EquityColumns } from '../equity-series.ts';
import { buildSignalTape, tradeOrders, tradeTape, type SignalTape } from '../lockstep-engine.ts';
import type { SweepRow, TapeSpec } from './sweep-plan.ts';
import { kernelRefuses, kernelTapeOf, tradeOnKernel, type KernelTape } from './sweep-kernel.ts';

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

/** What trading a row gives its figures. */
export interface RowTrading {
  /** The equity at every traded bar's close. */
  readonly series: EquityColumns;
  /** The sweep symbol's closed trades, by exit time then order id. */
  readonly trades: ClosedTrade[];
  /** Fees the ledger counts before the out-of-sample period, from it on, and in all, each summed in log order. */
  readonly fees: { readonly inSample: number; readonly outOfSample: number; readonly total: number };
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

/** The first out-of-sample bar's time: where the in-sample period ends. */
export const outOfSampleStart = (context: SweepContext): number =>
  (context.bars[context.outOfSampleFrom] as MarketData).timestamp;

/**
 * Trades a row's tape on the research engine (`tradeOrders`) and folds its order events into the
 * equity series, as `cml backtest` does.
 */
export function tradeRowOnEngine(tape: SignalTape, row: SweepRow, context: SweepContext): RowTrading {
  const traded = context.bars.slice(context.tradedFrom);
  const orders = tradeOrders(tape.steps, { decision: row.decision, exchange: context.exchange });
  // One fold of the orders gives the equity, the fees and the trades.
  const folded = equitySeries(traded, orders, context.exchange.initialCash);
  const oosStart = outOfSampleStart(context);
  return {
    series: columnsOf(folded.samples),
    trades: folded.trades.filter((t) => t.symbol === context.symbol),
    fees: {
      inSample: feesBetween(orders, Number.NEGATIVE_INFINITY, oosStart),
      outOfSample: feesBetween(orders, oosStart, Number.POSITIVE_INFINITY),
      total: folded.final.fees,
    },
    orderEvents: orders.length,
  };
}

/**
 * A row's figures on the in-sample period, on the out-of-sample period that follows (the same run
 * going on: positions open at the boundary carry over, and its return is measured from the equity
 * there) and on the whole traded period, with the backtest's own metrics.
 */
export function measureRow(id: number, trading: RowTrading, context: SweepContext): RowResult {
  const tradedCount = context.bars.length - context.tradedFrom;
  const boundary = context.outOfSampleFrom - context.tradedFrom;
  /** The i-th traded bar. */
  const bar = (i: number): MarketData => context.bars[context.tradedFrom + i] as MarketData;
  const initialEquity = context.exchange.initialCash;
  const { series, trades } = trading;
  const closeAt = (i: number): number => bar(i).price;
  const period = (from: number, to: number, startEquity: number, fees: number): BacktestMetrics => {
    const startTime = bar(from).timestamp;
    const endTime = to < tradedCount ? bar(to).timestamp : Number.POSITIVE_INFINITY;
    return seriesMetrics({
      series,
      from,
      to,
      trades: trades.filter((t) => t.exitTime >= startTime && t.exitTime < endTime),
      fees,
      initialEquity: startEquity,
      firstClose: closeAt(from),
      lastClose: closeAt(to - 1),
    });
  };
  const inSample = period(0, boundary, initialEquity, trading.fees.inSample);
  const outOfSample = period(
    boundary,
    tradedCount,
    series.equity[boundary - 1] as number,
    trading.fees.outOfSample,
  );
  const full = seriesMetrics({
    series,
    from: 0,
    to: tradedCount,
    trades,
    fees: trading.fees.total,
    initialEquity,
    firstClose: closeAt(0),
    lastClose: closeAt(tradedCount - 1),
  });
  return { id, inSample, outOfSample, full, orderEvents: trading.orderEvents };
}

/** Trades a row's tape on the research engine and measures it (`measureRow`). */
export const evaluateRow = (tape: SignalTape, row: SweepRow, context: SweepContext): RowResult =>
  measureRow(row.id, tradeRowOnEngine(tape, row, context), context);

/** A tape built for a worker, and its kernel layout when the kernel can trade it. */
interface BuiltTape {
  readonly tape: SignalTape;
  readonly kernel: KernelTape | undefined;
  /** Whether a row of this tape was traded both ways and found the same. */
  checked: boolean;
}

/**
 * Evaluates rows, building each tape the first time a row needs it and keeping the latest few
 * (rows come grouped by tape, so a worker rarely builds one twice). A row is traded on the sweep
 * kernel when the kernel covers it (one symbol, one position, MARKET orders) and on the research
 * engine otherwise; the first kernel row of each tape is traded both ways, and a difference
 * stops the sweep rather than report figures the engine would not give.
 */
export class RowEvaluator {
  private readonly cache = new Map<string, BuiltTape>();

  constructor(
    private readonly context: SweepContext,
    private readonly keep = 2,
  ) {}

  evaluate(row: SweepRow): RowResult {
    return measureRow(row.id, this.trade(row), this.context);
  }

  /** A row's closed trades on the whole traded period (what `cml backtest` lists for it). */
  trades(row: SweepRow): ClosedTrade[] {
    return tradeTape(this.tapeOf(row.tape).tape, {
      decision: row.decision,
      exchange: this.context.exchange,
    }).trades.filter((t) => t.symbol === this.context.symbol);
  }

  private trade(row: SweepRow): RowTrading {
    const built = this.tapeOf(row.tape);
    if (built.kernel === undefined || kernelRefuses(row.decision) !== undefined)
      return tradeRowOnEngine(built.tape, row, this.context);
    const trading = tradeOnKernel(built.kernel, row.decision, this.context);
    if (!built.checked) {
      if (!isDeepStrictEqual(trading, tradeRowOnEngine(built.tape, row, this.context)))
        throw new Error(
          `the sweep kernel and the research engine disagree on row ${row.id} (tape ${row.tape}): please report it with the sweep's command`,
        );
      built.checked = true;
    }
    return trading;
  }

  private tapeOf(key: string): BuiltTape {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const artifacts = this.context.artifacts[key];
    if (artifacts === undefined) throw new Error(`no artifacts for tape ${key}`);
    const tape = buildSignalTape({
      bars: this.context.bars,
      artifacts,
      partitions: this.context.partitions,
    });
    const kernel = kernelTapeOf(tape, this.context);
    const built: BuiltTape = {
      tape,
      kernel: typeof kernel === 'string' ? undefined : kernel,
      checked: false,
    };
    this.cache.set(key, built);
    while (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value as string);
    return built;
  }
}
