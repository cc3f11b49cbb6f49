import { CmlError, ErrorCodes } from '../../errors/index.ts';
import type { BacktestMetrics } from '../backtest-metrics.ts';

/** Figures a sweep can rank rows by; all but the drawdown are better when higher. */
export const SWEEP_METRICS = [
  'totalReturnPct',
  'annualizedReturnPct',
  'sharpe',
  'sortino',
  'profitFactor',
  'winRatePct',
  'maxDrawdownPct',
] as const satisfies readonly (keyof BacktestMetrics)[];

export type SweepMetric = (typeof SWEEP_METRICS)[number];

export const DEFAULT_SWEEP_METRIC: SweepMetric = 'totalReturnPct';

export function sweepMetricOf(name: string): SweepMetric {
  if ((SWEEP_METRICS as readonly string[]).includes(name)) return name as SweepMetric;
  throw new CmlError(ErrorCodes.USAGE, `${name} is not a metric a sweep can rank by`, {
    hint: `Use one of ${SWEEP_METRICS.join(', ')}.`,
  });
}

/** A metric's value oriented so that more is better (the drawdown negated). */
export const scoreOf = (metrics: BacktestMetrics, metric: SweepMetric): number =>
  metric === 'maxDrawdownPct' ? -metrics.maxDrawdownPct : metrics[metric];

/** The rows sorted best first by a score (ties: the earlier row first). */
export function rankBy<T extends { readonly id: number }>(
  rows: readonly T[],
  score: (row: T) => number,
): T[] {
  return [...rows].sort((a, b) => score(b) - score(a) || a.id - b.id);
}
