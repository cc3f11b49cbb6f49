import type { ClosedTrade } from '../../projections/portfolio/index.ts';
import { columnsOf, type EquityColumns, type EquitySample } from './equity-series.ts';

const YEAR_MS = 365 * 24 * 3_600_000;

export interface BacktestMetrics {
  readonly from: number;
  readonly to: number;
  readonly bars: number;
  readonly initialEquity: number;
  readonly finalEquity: number;
  readonly totalReturnPct: number;
  readonly annualizedReturnPct: number;
  readonly buyAndHoldReturnPct: number;
  /** Annualised from per-bar returns, risk-free rate 0. */
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdownPct: number;
  readonly winRatePct: number;
  /** Gross profit / gross loss of closed trades (Infinity with no losing trade). */
  readonly profitFactor: number;
  /** Share of bars with a position open, percent. */
  readonly exposurePct: number;
  readonly trades: number;
  readonly feesPaid: number;
  readonly realizedPnl: number;
}

/** What the figures take besides the equity: the closed trades, the fees and buy and hold's closes. */
interface MetricsInput {
  readonly trades: readonly ClosedTrade[];
  readonly fees: number;
  readonly initialEquity: number;
  readonly firstClose: number;
  readonly lastClose: number;
  /** Buy and hold of several symbols (equal-weighted), in place of lastClose / firstClose. */
  readonly buyAndHoldReturnPct?: number;
}

/**
 * The report's figures, pure: from the equity at each bar time, the closed trades, the fees and the
 * first and last close of the period (buy and hold).
 */
export const backtestMetrics = (
  input: MetricsInput & { readonly samples: readonly EquitySample[] },
): BacktestMetrics =>
  seriesMetrics({ ...input, series: columnsOf(input.samples), from: 0, to: input.samples.length });

/**
 * `backtestMetrics` over the samples `from` to `to` (exclusive) of an equity series in columns:
 * a sweep measures three periods of each row without copying its samples.
 */
export function seriesMetrics(
  input: MetricsInput & { readonly series: EquityColumns; readonly from: number; readonly to: number },
): BacktestMetrics {
  const { series, from, to, trades } = input;
  const { time, equity } = series;
  const count = to - from;
  const finalEquity = count > 0 ? (equity[to - 1] as number) : input.initialEquity;
  const first = count > 0 ? (time[from] as number) : undefined;
  const last = count > 0 ? (time[to - 1] as number) : undefined;
  const span = first !== undefined && last !== undefined ? last - first : 0;
  // Plain loops over typed arrays: a sweep computes this three times per row. Each bar's return
  // is computed alike in both passes, and the sums run in the order a reduce over the returns
  // would, so the figures are the same to the bit.
  let previous = input.initialEquity;
  let peak = input.initialEquity;
  let maxDrawdown = 0;
  let exposed = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const value = equity[i] as number;
    sum += value / previous - 1;
    previous = value;
    peak = Math.max(peak, value);
    maxDrawdown = Math.max(maxDrawdown, (peak - value) / peak);
    if (series.exposed[i] === 1) exposed++;
  }
  const barMs = count > 1 ? span / (count - 1) : 0;
  const perYear = barMs > 0 ? YEAR_MS / barMs : 0;
  const average = count === 0 ? 0 : sum / count;
  let squares = 0;
  let downsideSquares = 0;
  previous = input.initialEquity;
  for (let i = from; i < to; i++) {
    const value = equity[i] as number;
    const r = value / previous - 1;
    previous = value;
    squares += (r - average) ** 2;
    downsideSquares += Math.min(0, r) ** 2;
  }
  const deviation = Math.sqrt(count === 0 ? 0 : squares / count);
  const downside = Math.sqrt(count === 0 ? 0 : downsideSquares / count);
  const total = finalEquity / input.initialEquity - 1;
  const wins = trades.filter((t) => t.realizedPnl > 0);
  const grossProfit = wins.reduce((s, t) => s + t.realizedPnl, 0);
  const grossLoss = -trades.filter((t) => t.realizedPnl < 0).reduce((s, t) => s + t.realizedPnl, 0);
  return {
    from: first ?? 0,
    to: last ?? 0,
    bars: count,
    initialEquity: input.initialEquity,
    finalEquity,
    totalReturnPct: total * 100,
    annualizedReturnPct: span > 0 ? ((1 + total) ** (YEAR_MS / span) - 1) * 100 : 0,
    buyAndHoldReturnPct: input.buyAndHoldReturnPct ?? (input.lastClose / input.firstClose - 1) * 100,
    sharpe: deviation > 0 ? (average / deviation) * Math.sqrt(perYear) : 0,
    sortino: downside > 0 ? (average / downside) * Math.sqrt(perYear) : 0,
    maxDrawdownPct: maxDrawdown * 100,
    winRatePct: trades.length > 0 ? (wins.length / trades.length) * 100 : 0,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Number.POSITIVE_INFINITY : 0,
    exposurePct: count > 0 ? (exposed / count) * 100 : 0,
    trades: trades.length,
    feesPaid: input.fees,
    realizedPnl: trades.reduce((s, t) => s + t.realizedPnl, 0),
  };
}
