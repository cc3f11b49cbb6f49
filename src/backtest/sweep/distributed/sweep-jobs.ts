import type { PeriodMetrics, SweepJob, SweepRowResult } from '../../../contracts/index.ts';
import type { BacktestMetrics } from '../../backtest-metrics.ts';
import type { RemoteSweep } from '../run-sweep.ts';
import type { RowResult } from '../sweep-evaluate.ts';
import type { SweepRow } from '../sweep-plan.ts';

/** A job's id: the sweep's, then its first row's; results are collected once per job id. */
export const jobIdOf = (sweepId: string, rows: readonly Pick<SweepRow, 'id'>[]): string =>
  `${sweepId}/${rows[0]?.id ?? 0}`;

/** The rows of a sweep as jobs of `rowsPerJob` rows, in order (rows of one tape stay together). */
export function jobsOf(
  sweepId: string,
  sweep: RemoteSweep,
  rows: readonly SweepRow[],
  rowsPerJob: number,
  now: number,
): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (let i = 0; i < rows.length; i += rowsPerJob) {
    const batch = rows.slice(i, i + rowsPerJob);
    jobs.push({
      sweep_id: sweepId,
      job_id: jobIdOf(sweepId, batch),
      created_at: now,
      file: sweep.file,
      symbol: sweep.symbol ?? null,
      train_share: sweep.trainShare,
      oos_share: sweep.outOfSampleShare,
      rows: batch.map((row) => ({
        id: row.id,
        models: [...row.models],
        values: Object.fromEntries(Object.entries(row.values)),
      })),
    });
  }
  return jobs;
}

// The metrics records carry the same names as BacktestMetrics: the mapping is a copy either way.
const toPeriod = (m: BacktestMetrics): PeriodMetrics => ({ ...m });
const fromPeriod = (m: PeriodMetrics): BacktestMetrics => ({ ...m });

export const toRowRecord = (result: RowResult): SweepRowResult => ({
  id: result.id,
  order_events: result.orderEvents,
  in_sample: toPeriod(result.inSample),
  out_of_sample: toPeriod(result.outOfSample),
  full: toPeriod(result.full),
});

export const fromRowRecord = (record: SweepRowResult): RowResult => ({
  id: record.id,
  inSample: fromPeriod(record.in_sample),
  outOfSample: fromPeriod(record.out_of_sample),
  full: fromPeriod(record.full),
  orderEvents: record.order_events,
});
