import type { BacktestMetrics } from '../backtest-metrics.ts';
import type { SweepReport, SweepRowReport } from './run-sweep.ts';

/** The figures each period gets in the results table. */
const FIGURES = [
  'totalReturnPct',
  'sharpe',
  'sortino',
  'maxDrawdownPct',
  'winRatePct',
  'profitFactor',
  'exposurePct',
  'trades',
  'feesPaid',
  'finalEquity',
] as const satisfies readonly (keyof BacktestMetrics)[];

const PERIODS = [
  ['is', 'inSample'],
  ['oos', 'outOfSample'],
  ['full', 'full'],
] as const;

const cell = (value: string | number): string => {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : String(value)) : value;
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One line per row: id, models, the varied parameters, each period's figures, the replay command. */
export function sweepCsv(report: SweepReport): string {
  const header = [
    'id',
    'models',
    ...report.params,
    ...PERIODS.flatMap(([prefix]) => FIGURES.map((f) => `${prefix}_${f}`)),
    'order_events',
    'command',
  ];
  const line = (row: SweepRowReport): string =>
    [
      row.id,
      row.models.join(' '),
      ...report.params.map((p) => row.values[p] ?? ''),
      ...PERIODS.flatMap(([, period]) => FIGURES.map((f) => row[period][f])),
      row.orderEvents,
      row.command,
    ]
      .map(cell)
      .join(',');
  return `${[header.join(','), ...report.rows.map(line)].join('\n')}\n`;
}

/** The whole report as JSON; infinite figures (a profit factor with no loss) as "Infinity". */
export function sweepJson(report: SweepReport): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2)}\n`;
}
