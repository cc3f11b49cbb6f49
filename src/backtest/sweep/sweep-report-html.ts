import type { BacktestMetrics } from '../backtest-metrics.ts';
import type { SweepReport, SweepRowReport } from './run-sweep.ts';
import { rankBy, scoreOf, type SweepMetric } from './sweep-metric.ts';
import type { SweepParam } from './sweep-params.ts';
import { escapeHtml, fixed, minuteUtc } from '../report-text.ts';

const LABELS: Record<SweepMetric, string> = {
  totalReturnPct: 'total return %',
  annualizedReturnPct: 'annualized return %',
  sharpe: 'Sharpe',
  sortino: 'Sortino',
  profitFactor: 'profit factor',
  winRatePct: 'win rate %',
  maxDrawdownPct: 'max drawdown %',
};

const FIGURES: Array<[keyof BacktestMetrics, string, number]> = [
  ['totalReturnPct', 'Total return %', 2],
  ['buyAndHoldReturnPct', 'Buy and hold %', 2],
  ['sharpe', 'Sharpe', 2],
  ['sortino', 'Sortino', 2],
  ['maxDrawdownPct', 'Max drawdown %', 2],
  ['winRatePct', 'Win rate %', 1],
  ['profitFactor', 'Profit factor', 2],
  ['exposurePct', 'Exposure %', 1],
  ['trades', 'Trades', 0],
  ['feesPaid', 'Fees (USDT)', 2],
  ['finalEquity', 'Final equity (USDT)', 2],
];

const valuesLabel = (row: SweepRowReport, params: readonly SweepParam[]): string =>
  params.map((p) => `${p}=${row.values[p] ?? ''}`).join(' ');

/** Background of a heatmap cell: red below the middle, green above, by distance from it. */
function shade(value: number, low: number, high: number): string {
  if (!Number.isFinite(value)) return '#2a2e39';
  const middle = low < 0 && high > 0 ? 0 : (low + high) / 2;
  const span = Math.max(high - middle, middle - low, 1e-12);
  const strength = Math.min(1, Math.abs(value - middle) / span);
  const alpha = (0.15 + 0.75 * strength).toFixed(2);
  return value >= middle ? `rgba(38,166,154,${alpha})` : `rgba(239,83,80,${alpha})`;
}

interface Cell {
  readonly row: SweepRowReport;
  readonly value: number;
}

/**
 * The heatmap of a metric over two parameters: each cell is the row the in-sample choice would
 * take among those with the cell's two values (the best in sample), shown on `period`.
 */
function heatmap(
  report: SweepReport,
  x: SweepParam,
  y: SweepParam | undefined,
  period: 'inSample' | 'outOfSample',
): string {
  const metric = report.metric;
  const xs = [...new Set(report.rows.map((r) => r.values[x] as number))].sort((a, b) => a - b);
  const ys =
    y === undefined
      ? [undefined]
      : [...new Set(report.rows.map((r) => r.values[y] as number))].sort((a, b) => a - b);
  const cells = new Map<string, Cell>();
  for (const row of rankBy(report.rows, (r) => scoreOf(r.inSample, metric))) {
    const key = `${row.values[x]}|${y === undefined ? '' : row.values[y]}`;
    if (!cells.has(key)) cells.set(key, { row, value: row[period][metric] });
  }
  const values = [...cells.values()].map((c) => c.value).filter(Number.isFinite);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const head = `<tr><th>${escapeHtml(y ?? '')} \\ ${escapeHtml(x)}</th>${xs.map((v) => `<th>${fixed(v, 2)}</th>`).join('')}</tr>`;
  const body = ys
    .map((yv) => {
      const tds = xs
        .map((xv) => {
          const cell = cells.get(`${xv}|${yv ?? ''}`);
          if (cell === undefined) return '<td class="empty">·</td>';
          return `<td style="background:${shade(cell.value, low, high)}" title="row ${cell.row.id}: ${escapeHtml(valuesLabel(cell.row, report.params))}">${fixed(cell.value)}</td>`;
        })
        .join('');
      return `<tr><th>${yv === undefined ? '' : fixed(yv, 2)}</th>${tds}</tr>`;
    })
    .join('\n');
  return `<table class="heatmap">${head}\n${body}</table>`;
}

/** A standalone HTML page: the choice in sample beside its out-of-sample figures, the heatmaps, the top rows. */
export function renderSweepHtml(report: SweepReport): string {
  const { metric, chosen, periods } = report;
  const label = LABELS[metric];
  const ranked = rankBy(report.rows, (r) => scoreOf(r.inSample, metric));
  const oosValues = report.rows.map((r) => r.outOfSample[metric]).sort((a, b) => a - b);
  const median = oosValues[Math.floor((oosValues.length - 1) / 2)] as number;
  const side = FIGURES.map(
    ([key, name, digits]) =>
      `<tr><td>${escapeHtml(name)}</td><td>${fixed(chosen.inSample[key], digits)}</td><td>${fixed(chosen.outOfSample[key], digits)}</td><td>${fixed(chosen.full[key], digits)}</td></tr>`,
  ).join('\n');
  const top = ranked
    .slice(0, 20)
    .map(
      (r, i) =>
        `<tr><td>${i + 1}</td><td>${r.id}</td><td>${escapeHtml(r.models.join(' '))}</td><td>${escapeHtml(valuesLabel(r, report.params))}</td><td>${fixed(r.inSample[metric])}</td><td>${fixed(r.outOfSample[metric])}</td><td>${r.inSample.trades}</td><td>${r.outOfSample.trades}</td><td><code>${escapeHtml(r.command)}</code></td></tr>`,
    )
    .join('\n');
  const maps =
    report.x === undefined
      ? '<p class="sub">No parameter varies: no heatmap.</p>'
      : `<div class="maps"><div><h3>In sample (what the choice sees)</h3>${heatmap(report, report.x, report.y, 'inSample')}</div>
<div><h3>Out of sample (the same rows, later bars)</h3>${heatmap(report, report.x, report.y, 'outOfSample')}</div></div>`;
  const period = (name: string, p: { from: number; to: number; bars: number }): string =>
    `${name} ${minuteUtc(p.from)} → ${minuteUtc(p.to)} (${p.bars} bars)`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>
body{background:#131722;color:#d1d4dc;font:14px/1.4 system-ui,sans-serif;margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:8px 0}
.sub{color:#8a8f98;margin-bottom:16px}
.note{background:#1e222d;border-left:3px solid #f0b90b;border-radius:6px;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
td,th{padding:4px 8px;border-bottom:1px solid #2a2e39;text-align:right}td:first-child,th:first-child{text-align:left}
.maps{display:flex;flex-wrap:wrap;gap:24px}
.heatmap td{min-width:56px;text-align:center;border:1px solid #131722}.heatmap td.empty{color:#555}
code{font-size:12px;color:#8a8f98;text-align:left;white-space:nowrap}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
<div class="sub">${escapeHtml(report.file)} · ${escapeHtml(report.symbol)} · ${report.combinations} combinations tried on ${report.tapes} signal tape(s) · ${escapeHtml(period('trained on', periods.trainedOn))}</div>
<div class="note">The sweep chose row ${chosen.id} (${escapeHtml(chosen.models.join(' '))} ${escapeHtml(valuesLabel(chosen, report.params))}) as the best of <b>${report.combinations} combinations</b> by ${escapeHtml(label)} on the <b>in-sample</b> period, ${escapeHtml(period('', periods.inSample))}.
The best of many in-sample figures is flattered by the choice itself; the <b>out-of-sample</b> column is the same settings on the later bars, ${escapeHtml(period('', periods.outOfSample))}, which played no part in the choice (the run goes on: a position open at the boundary carries over).
Out of sample the chosen row ranks <b>${report.chosenOutOfSampleRank} of ${report.combinations}</b>; the median row's ${escapeHtml(label)} there is ${fixed(median)}.</div>
<h2>The choice, in sample and out of sample</h2>
<table><thead><tr><th></th><th>in sample</th><th>out of sample</th><th>whole period</th></tr></thead><tbody>
${side}
</tbody></table>
<p class="sub">Replay it as a full backtest with the same trades: <code>${escapeHtml(chosen.command)}</code></p>
<h2>${escapeHtml(label)}${report.x === undefined ? '' : ` by ${escapeHtml(report.x)}${report.y === undefined ? '' : ` and ${escapeHtml(report.y)}`}`}</h2>
<p class="sub">Each cell: the best in-sample row with those values${report.params.length > 2 ? ' (other parameters at their best in sample)' : ''}.</p>
${maps}
<h2>Top rows in sample</h2>
<table><thead><tr><th>#</th><th>row</th><th>models</th><th>values</th><th>${escapeHtml(label)} in sample</th><th>out of sample</th><th>trades in</th><th>trades out</th><th>replay</th></tr></thead><tbody>
${top}
</tbody></table>
<p class="sub">${escapeHtml(report.run.where)} · ${report.run.barsTraded} bars traded per row · ${fixed(report.run.barCombinationsPerSecond, 0)} bar-combinations/s (bars traded × rows / ${fixed(report.run.sweepSeconds, 3)} s of sweep) · ${fixed(report.run.seconds, 1)} s in all</p>
</body></html>
`;
}
