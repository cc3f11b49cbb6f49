import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClosedTrade } from '../../projections/portfolio/index.ts';
import type { BacktestMetrics } from './backtest-metrics.ts';
import type { EquitySample } from './equity-series.ts';

export interface BacktestReport {
  readonly title: string;
  readonly symbol: string;
  readonly strategy: string;
  readonly metrics: BacktestMetrics;
  readonly trades: readonly ClosedTrade[];
  readonly samples: readonly EquitySample[];
  /** How the run went: bars, signals, orders, seconds. */
  readonly run: Readonly<Record<string, number | string>>;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number, digits = 2): string =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : String(v);
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** lightweight-charts' standalone build, inlined so the report opens anywhere, offline. */
function chartLibrary(): string {
  // The package's exports hide dist/: find the package through its entry point.
  const dist = dirname(fileURLToPath(import.meta.resolve('lightweight-charts')));
  return readFileSync(`${dist}/lightweight-charts.standalone.production.js`, 'utf8').replaceAll(
    '</script',
    '<\\/script',
  );
}

/** A standalone HTML page: the figures, the equity and drawdown charts with trade markers, the trade list. */
export function renderBacktestHtml(report: BacktestReport): string {
  const m = report.metrics;
  const seconds = (ms: number): number => Math.floor(ms / 1_000);
  const equity = report.samples.map((s) => ({ time: seconds(s.time), value: Number(s.equity.toFixed(2)) }));
  let peak = m.initialEquity;
  const drawdown = report.samples.map((s) => {
    peak = Math.max(peak, s.equity);
    return { time: seconds(s.time), value: Number((((s.equity - peak) / peak) * 100).toFixed(3)) };
  });
  const markers = report.trades
    .flatMap((t) => [
      { time: seconds(t.entryTime), position: 'belowBar', color: '#26a69a', shape: 'arrowUp', text: 'buy' },
      {
        time: seconds(t.exitTime),
        position: 'aboveBar',
        color: t.realizedPnl >= 0 ? '#26a69a' : '#ef5350',
        shape: 'arrowDown',
        text: t.reason.toLowerCase().replace('_', ' '),
      },
    ])
    .sort((a, b) => a.time - b.time);
  const figures: Array<[string, string]> = [
    ['Period', `${iso(m.from)} → ${iso(m.to)} (${m.bars} bars)`],
    ['Total return', `${num(m.totalReturnPct)} %`],
    ['Annualized return', `${num(m.annualizedReturnPct)} %`],
    ['Buy and hold', `${num(m.buyAndHoldReturnPct)} %`],
    ['Sharpe', num(m.sharpe)],
    ['Sortino', num(m.sortino)],
    ['Max drawdown', `${num(m.maxDrawdownPct)} %`],
    ['Win rate', `${num(m.winRatePct, 1)} %`],
    ['Profit factor', num(m.profitFactor)],
    ['Exposure', `${num(m.exposurePct, 1)} %`],
    ['Trades', String(m.trades)],
    ['Fees paid', `${num(m.feesPaid)} USDT`],
    ['Realized PnL', `${num(m.realizedPnl)} USDT`],
    ['Final equity', `${num(m.finalEquity)} USDT`],
  ];
  const rows = report.trades
    .map(
      (t) =>
        `<tr><td>${esc(t.orderId)}</td><td>${iso(t.entryTime)}</td><td>${num(t.entryPrice)}</td><td>${iso(t.exitTime)}</td><td>${num(t.exitPrice)}</td><td>${num(t.quantity, 6)}</td><td>${num(t.fees, 4)}</td><td class="${t.realizedPnl >= 0 ? 'up' : 'down'}">${num(t.realizedPnl)}</td><td>${esc(t.reason)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(report.title)}</title>
<style>
body{background:#131722;color:#d1d4dc;font:14px/1.4 system-ui,sans-serif;margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.sub{color:#8a8f98;margin-bottom:16px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.figure{background:#1e222d;border-radius:6px;padding:8px 10px}.figure b{display:block;font-size:16px;color:#fff}
.chart{height:320px;background:#1e222d;border-radius:6px;margin-top:8px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
td,th{padding:4px 8px;border-bottom:1px solid #2a2e39;text-align:right}td:first-child,th:first-child{text-align:left}
.up{color:#26a69a}.down{color:#ef5350}
</style></head><body>
<h1>${esc(report.title)}</h1>
<div class="sub">${esc(report.symbol)} · strategy ${esc(report.strategy)} · ${Object.entries(report.run)
    .map(([k, v]) => `${esc(k)} ${esc(String(v))}`)
    .join(' · ')}</div>
<div class="figures">${figures.map(([k, v]) => `<div class="figure">${esc(k)}<b>${esc(v)}</b></div>`).join('')}</div>
<h2>Equity (USDT) with trades</h2><div id="equity" class="chart"></div>
<h2>Drawdown (%)</h2><div id="drawdown" class="chart" style="height:200px"></div>
<h2>Trades</h2>
<table><thead><tr><th>order</th><th>entry</th><th>entry price</th><th>exit</th><th>exit price</th><th>quantity</th><th>fees</th><th>PnL</th><th>reason</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<script>${chartLibrary()}</script>
<script>
const data = ${JSON.stringify({ equity, drawdown, markers })};
const options = { layout: { background: { color: '#1e222d' }, textColor: '#d1d4dc' },
  grid: { vertLines: { color: '#2a2e39' }, horzLines: { color: '#2a2e39' } }, timeScale: { timeVisible: true } };
const equityChart = LightweightCharts.createChart(document.getElementById('equity'), options);
const equitySeries = equityChart.addSeries(LightweightCharts.LineSeries, { color: '#2962ff', lineWidth: 2 });
equitySeries.setData(data.equity);
LightweightCharts.createSeriesMarkers(equitySeries, data.markers);
equityChart.timeScale().fitContent();
const ddChart = LightweightCharts.createChart(document.getElementById('drawdown'), options);
ddChart.addSeries(LightweightCharts.AreaSeries, { lineColor: '#ef5350', topColor: 'rgba(239,83,80,0.1)', bottomColor: 'rgba(239,83,80,0.4)', invertFilledArea: true }).setData(data.drawdown);
ddChart.timeScale().fitContent();
</script></body></html>
`;
}
