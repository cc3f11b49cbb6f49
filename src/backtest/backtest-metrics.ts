import type { ClosedTrade } from '../../projections/portfolio/index.ts';
import type { EquitySample } from './equity-series.ts';

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

/**
 * The report's figures, pure: from the equity at each bar time, the closed trades, the fees and the
 * first and last close of the period (buy and hold).
 */
export function backtestMetrics(input: {
  readonly samples: readonly EquitySample[];
  readonly trades: readonly ClosedTrade[];
  readonly fees: number;
  readonly initialEquity: number;
  readonly firstClose: number;
  readonly lastClose: number;
  /** Buy and hold of several symbols (equal-weighted), in place of lastClose / firstClose. */
  readonly buyAndHoldReturnPct?: number;
}): BacktestMetrics {
  const { samples, trades } = input;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const finalEquity = last?.equity ?? input.initialEquity;
  const span = first !== undefined && last !== undefined ? last.time - first.time : 0;
  // Plain loops over one typed array: a sweep computes this three times per row. The sums run in
  // the same order as a reduce over the returns would, so the figures are the same to the bit.
  const returns = new Float64Array(samples.length);
  let previous = input.initialEquity;
  let peak = input.initialEquity;
  let maxDrawdown = 0;
  let exposed = 0;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as EquitySample;
    returns[i] = sample.equity / previous - 1;
    previous = sample.equity;
    peak = Math.max(peak, sample.equity);
    maxDrawdown = Math.max(maxDrawdown, (peak - sample.equity) / peak);
    if (sample.exposed) exposed++;
  }
  const barMs = samples.length > 1 ? span / (samples.length - 1) : 0;
  const perYear = barMs > 0 ? YEAR_MS / barMs : 0;
  let sum = 0;
  for (let i = 0; i < returns.length; i++) sum += returns[i] as number;
  const average = returns.length === 0 ? 0 : sum / returns.length;
  let squares = 0;
  let downsideSquares = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i] as number;
    squares += (r - average) ** 2;
    downsideSquares += Math.min(0, r) ** 2;
  }
  const deviation = Math.sqrt(returns.length === 0 ? 0 : squares / returns.length);
  const downside = Math.sqrt(returns.length === 0 ? 0 : downsideSquares / returns.length);
  const total = finalEquity / input.initialEquity - 1;
  const wins = trades.filter((t) => t.realizedPnl > 0);
  const grossProfit = wins.reduce((s, t) => s + t.realizedPnl, 0);
  const grossLoss = -trades.filter((t) => t.realizedPnl < 0).reduce((s, t) => s + t.realizedPnl, 0);
  return {
    from: first?.time ?? 0,
    to: last?.time ?? 0,
    bars: samples.length,
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
    exposurePct: samples.length > 0 ? (exposed / samples.length) * 100 : 0,
    trades: trades.length,
    feesPaid: input.fees,
    realizedPnl: trades.reduce((s, t) => s + t.realizedPnl, 0),
  };
}
