import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClosedTrade } from '../../projections/portfolio/index.ts';
import type { BacktestMetrics } from './backtest-metrics.ts';
import type { ConfidenceTier } from './confidence-tiers.ts';
import type { EquitySample } from './equity-series.ts';
import type { OpenPosition, Reconciliation, SymbolFigures } from './portfolio-breakdown.ts';
import { formatPrice } from './price-format.ts';
import type { TradeWindow } from './walk-forward.ts';
import type { WindowModel } from './window-scores.ts';
import { escapeHtml, fixed, minuteUtc } from './report-text.ts';

/** A model generation as the report shows it: its windows, versions, scores and trades. */
export interface WindowReport extends TradeWindow {
  readonly trainedOn: number;
  readonly models: readonly WindowModel[];
  /** BUY and SELL signals in the window. */
  readonly signals: number;
  /** Closed trades opened in the window, and their PnL net of fees. */
  readonly trades: number;
  readonly realizedPnl: number;
}

export interface BacktestReport {
  readonly title: string;
  /** The symbols traded, comma-separated. */
  readonly symbol: string;
  readonly strategy: string;
  readonly metrics: BacktestMetrics;
  readonly trades: readonly ClosedTrade[];
  readonly samples: readonly EquitySample[];
  readonly symbols: readonly SymbolFigures[];
  readonly open: readonly OpenPosition[];
  readonly reconciliation: Reconciliation;
  readonly windows: readonly WindowReport[];
  readonly tiers: readonly ConfidenceTier[];
  /** How the run went: bars, signals, orders, seconds. */
  readonly run: Readonly<Record<string, number | string>>;
}

/** lightweight-charts' standalone build, inlined so the report opens anywhere, offline. */
function chartLibrary(): string {
  // The package's exports hide dist/: find the package through its entry point.
  const dist = dirname(fileURLToPath(import.meta.resolve('lightweight-charts')));
  return readFileSync(`${dist}/lightweight-charts.standalone.production.js`, 'utf8').replaceAll(
    '</script',
    '<\\/script',
  );
}

const signed = (v: number): string => `${v > 0 ? '+' : ''}${fixed(v)}`;
const pnlCell = (v: number): string => `<td class="${v >= 0 ? 'up' : 'down'}">${signed(v)}</td>`;
/** A table; a heading starting with `<` is left-aligned. */
const table = (head: readonly string[], rows: readonly string[]): string =>
  `<table><thead><tr>${head.map((h) => (h.startsWith('<') ? `<th class="l">${escapeHtml(h.slice(1))}</th>` : `<th>${escapeHtml(h)}</th>`)).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;

/** Why a run without a single position traded nothing, and what to loosen. */
function noTradeNote(report: BacktestReport): string {
  if (report.trades.length > 0 || report.open.length > 0) return '';
  const signals = report.tiers.reduce((s, t) => s + t.signals, 0);
  return `<p class="note"><b>No trade.</b> The models gave ${signals} BUY/SELL signals in the traded period (per confidence tier below); the decision rules acted on none. Looser rules: <code>DECISION_MIN_CONFIDENCE</code>, <code>DECISION_HIGH_CONFIDENCE</code>, <code>DECISION_BUY_THRESHOLD_PCT</code>; or trade the MA/RSI rule beside the models (without <code>--no-rule</code>).</p>`;
}

/** How the PnL adds up to the change in equity, line by line. */
function reconciliationRows(r: Reconciliation): string[] {
  const line = (label: string, value: string, cls = ''): string =>
    `<tr${cls === '' ? '' : ` class="${cls}"`}><td>${escapeHtml(label)}</td><td>${value}</td></tr>`;
  const rows = [
    line('Initial equity', `${fixed(r.initialEquity)} USDT`),
    line('+ Realized PnL of closed trades, net of their fees', `${signed(r.realizedPnl)} USDT`),
    line(
      '+ Unrealized PnL of open positions at the last close, net of their entry fees',
      `${signed(r.unrealizedPnl)} USDT`,
    ),
    line('= Final equity', `${fixed(r.finalEquity)} USDT`, 'total'),
    line('Fees paid (included above)', `${fixed(r.fees)} USDT`),
  ];
  if (Math.abs(r.gap) >= 0.005) rows.push(line('Rounding gap', `${signed(r.gap)} USDT`));
  return rows;
}

/**
 * A standalone HTML page: the figures and how they add up, per symbol and per model window, the
 * confidence tiers, the equity and drawdown charts with trade markers, open positions and trades.
 */
export function renderBacktestHtml(report: BacktestReport): string {
  const m = report.metrics;
  const several = report.symbols.length > 1;
  const seconds = (ms: number): number => Math.floor(ms / 1_000);
  const equity = report.samples.map((s) => ({ time: seconds(s.time), value: Number(s.equity.toFixed(2)) }));
  let peak = m.initialEquity;
  const drawdown = report.samples.map((s) => {
    peak = Math.max(peak, s.equity);
    return { time: seconds(s.time), value: Number((((s.equity - peak) / peak) * 100).toFixed(3)) };
  });
  const prefix = (symbol: string): string => (several ? `${symbol.replace(/USDT$/, '')} ` : '');
  const markers = [
    ...report.trades.flatMap((t) => [
      {
        time: seconds(t.entryTime),
        position: 'belowBar',
        color: '#26a69a',
        shape: 'arrowUp',
        text: `${prefix(t.symbol)}buy`,
      },
      {
        time: seconds(t.exitTime),
        position: 'aboveBar',
        color: t.realizedPnl >= 0 ? '#26a69a' : '#ef5350',
        shape: 'arrowDown',
        text: `${prefix(t.symbol)}${t.reason.toLowerCase().replace('_', ' ')}`,
      },
    ]),
    ...report.open.map((p) => ({
      time: seconds(p.entryTime),
      position: 'belowBar',
      color: '#f5a623',
      shape: 'arrowUp',
      text: `${prefix(p.symbol)}buy (open)`,
    })),
  ].sort((a, b) => a.time - b.time);
  // Beyond a few dozen trades, labels would hide the curve: arrows only (the colours tell).
  if (markers.length > 60) for (const marker of markers) marker.text = '';
  const r = report.reconciliation;
  const figures: Array<[string, string]> = [
    ['Period', `${minuteUtc(m.from)} → ${minuteUtc(m.to)}`],
    ['Total return', `${fixed(m.totalReturnPct)} %`],
    ['Annualized return', `${fixed(m.annualizedReturnPct)} %`],
    [several ? 'Buy and hold (equal-weighted)' : 'Buy and hold', `${fixed(m.buyAndHoldReturnPct)} %`],
    ['Sharpe', fixed(m.sharpe)],
    ['Sortino', fixed(m.sortino)],
    ['Max drawdown', `${fixed(m.maxDrawdownPct)} %`],
    ['Win rate', m.trades > 0 ? `${fixed(m.winRatePct, 1)} %` : '–'],
    ['Profit factor', m.trades > 0 ? fixed(m.profitFactor) : '–'],
    ['Exposure', `${fixed(m.exposurePct, 1)} %`],
    ['Closed trades', String(m.trades)],
    ['Open positions', String(report.open.length)],
    ['Fees paid', `${fixed(r.fees)} USDT`],
    ['Realized PnL (net)', `${signed(r.realizedPnl)} USDT`],
    ['Unrealized PnL (net)', `${signed(r.unrealizedPnl)} USDT`],
    ['Final equity', `${fixed(m.finalEquity)} USDT`],
  ];
  const total = report.symbols.reduce(
    (t, f) => ({
      trades: t.trades + f.trades,
      realized: t.realized + f.realizedPnl,
      unrealized: t.unrealized + f.unrealizedPnl,
      fees: t.fees + f.fees,
      open: t.open + f.openPositions,
    }),
    { trades: 0, realized: 0, unrealized: 0, fees: 0, open: 0 },
  );
  const symbolRows = report.symbols.map(
    (f) =>
      `<tr><td>${escapeHtml(f.symbol)}</td><td>${f.trades}</td><td>${f.trades > 0 ? `${fixed(f.winRatePct, 1)} %` : '–'}</td>${pnlCell(f.realizedPnl)}${pnlCell(f.unrealizedPnl)}<td>${fixed(f.fees)}</td><td>${f.openPositions}</td><td>${formatPrice(f.firstClose)}</td><td>${formatPrice(f.lastClose)}</td><td>${fixed(f.buyAndHoldReturnPct)} %</td></tr>`,
  );
  if (several)
    symbolRows.push(
      `<tr class="total"><td>Total</td><td>${total.trades}</td><td>${fixed(m.winRatePct, 1)} %</td>${pnlCell(total.realized)}${pnlCell(total.unrealized)}<td>${fixed(total.fees)}</td><td>${total.open}</td><td></td><td></td><td>${fixed(m.buyAndHoldReturnPct)} % (equal-weighted)</td></tr>`,
    );
  const openRows = report.open.map(
    (p) =>
      `<tr><td>${escapeHtml(p.orderId)}</td><td>${escapeHtml(p.symbol)}</td><td>${minuteUtc(p.entryTime)}</td><td>${formatPrice(p.entryPrice)}</td><td>${formatPrice(p.markPrice)}</td><td>${fixed(p.quantity, 6)}</td><td>${fixed(p.entryFee, 4)}</td>${pnlCell(p.unrealizedPnl)}</tr>`,
  );
  const windowRows = report.windows.flatMap((w) =>
    w.models.map((model, k) => {
      const scores = (x: WindowModel['holdout'] | undefined): string =>
        x === undefined
          ? '<td>–</td><td>–</td>'
          : `<td>${fixed(x.accuracy * 100, 1)} % <span class="note">(HOLD ${fixed(x.holdAccuracy * 100, 1)} %)</span></td><td>${fixed(x.r2, 3)}</td>`;
      const span = `rowspan="${w.models.length}"`;
      const window =
        k === 0
          ? `<td class="l" ${span}>${minuteUtc(w.from)} → ${minuteUtc(w.to - 1)}</td><td class="l" ${span}>${minuteUtc(w.trainFrom)} → ${minuteUtc(w.trainTo - 1)}<br><span class="note">${w.trainedOn} bars</span></td>`
          : '';
      const outcome =
        k === 0
          ? `<td ${span}>${w.signals}</td><td ${span}>${w.trades}</td>${pnlCell(w.realizedPnl).replace('<td', `<td ${span}`)}`
          : '';
      return `<tr${k === 0 ? ' class="first"' : ''}>${window}<td class="l">${escapeHtml(model.version)}</td>${scores(model.holdout)}${scores(model.traded)}${outcome}</tr>`;
    }),
  );
  const interval = (t: ConfidenceTier): string =>
    Number.isFinite(t.meanReturn.low) ? `[${signed(t.meanReturn.low)}, ${signed(t.meanReturn.high)}]` : '–';
  const tierRows = report.tiers.map(
    (t) =>
      `<tr><td>${escapeHtml(t.label)}</td><td>${t.signals}</td><td>${t.judged > 0 ? `${t.right} of ${t.judged} (${fixed((t.right / t.judged) * 100, 0)} %)` : '–'}</td><td>${t.trades}</td><td class="${t.meanReturnPct >= 0 ? 'up' : 'down'}">${t.trades > 0 ? `${signed(t.meanReturnPct)} %` : '–'}</td><td>${interval(t)}</td><td class="l">${escapeHtml(t.verdict)}</td></tr>`,
  );
  const tradeRows = report.trades.map(
    (t) =>
      `<tr><td>${escapeHtml(t.orderId)}</td><td>${escapeHtml(t.symbol)}</td><td>${minuteUtc(t.entryTime)}</td><td>${formatPrice(t.entryPrice)}</td><td>${minuteUtc(t.exitTime)}</td><td>${formatPrice(t.exitPrice)}</td><td>${fixed(t.quantity, 6)}</td><td>${fixed(t.fees, 4)}</td>${pnlCell(t.realizedPnl)}<td>${escapeHtml(t.reason)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>
body{background:#131722;color:#d1d4dc;font:14px/1.4 system-ui,sans-serif;margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.sub{color:#8a8f98;margin-bottom:16px}.note{color:#8a8f98;margin:4px 0 8px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.figure{background:#1e222d;border-radius:6px;padding:8px 10px}.figure b{display:block;font-size:16px;color:#fff}
.chart{height:320px;background:#1e222d;border-radius:6px;margin-top:8px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
td,th{padding:4px 8px;border-bottom:1px solid #2a2e39;text-align:right}td:first-child,th:first-child{text-align:left}
th{color:#8a8f98;font-weight:normal}tr.total td{font-weight:bold;color:#fff}
table.narrow{width:auto;min-width:480px}td{white-space:nowrap}td.l,th.l{text-align:left;white-space:normal}tr.first td{border-top:2px solid #434651}td[rowspan]{vertical-align:top}
.up{color:#26a69a}.down{color:#ef5350}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
<div class="sub">strategy ${escapeHtml(report.strategy)} · ${Object.entries(report.run)
    .map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(String(v))}`)
    .join(' · ')}</div>
<div class="figures">${figures.map(([k, v]) => `<div class="figure">${escapeHtml(k)}<b>${escapeHtml(v)}</b></div>`).join('')}</div>
${noTradeNote(report)}
<h2>How the PnL adds up</h2>
<table class="narrow">${reconciliationRows(r).join('')}</table>
<h2>Equity (USDT) with trades</h2><div id="equity" class="chart"></div>
<h2>Drawdown (%)</h2><div id="drawdown" class="chart" style="height:200px"></div>
<h2>Per symbol</h2>
${table(['symbol', 'closed trades', 'win rate', 'realized PnL', 'unrealized PnL', 'fees', 'open', 'first close', 'last close', 'buy and hold'], symbolRows)}
<h2>Open positions at the end (${report.open.length})</h2>
${report.open.length === 0 ? '<div class="note">None: every position was closed.</div>' : `<div class="note">Marked at their symbol's last close; closing them would also pay the exit fee.</div>${table(['order', 'symbol', 'entry', 'entry price', 'last close', 'quantity', 'entry fee', 'unrealized PnL'], openRows)}`}
<h2>Model windows (${report.windows.length})</h2>
<div class="note">Each window trades with models trained only on bars before it. Scores: signal accuracy (against always HOLD on the same bars) and R², held out from the training window's latest part, and on the bars the window traded.</div>
${table(['traded', '<trained on', '<model version', 'held-out accuracy', 'held-out R²', 'traded accuracy', 'traded R²', 'BUY/SELL signals', 'trades opened', 'their PnL'], windowRows)}
<h2>Confidence tiers</h2>
<div class="note">High tier: acted on alone; middle: acted on with a second agreeing signal; low: ignored. Right: the signal's class happened, under the labels of the model that sent it (the band at its horizon, or its barriers); the models never trained on these bars. A tier is earned when its signals were right at least as often as its lower bound, on at least 20 of them. Return: a closed trade's PnL, net of fees, over its cost, with a 95 % block-bootstrap interval of the mean.</div>
${table(['confidence', 'BUY/SELL signals', 'right', 'closed trades', 'mean return', '95 % interval', 'verdict'], tierRows)}
<h2>Closed trades (${report.trades.length})</h2>
${table(['order', 'symbol', 'entry', 'entry price', 'exit', 'exit price', 'quantity', 'fees', 'PnL', 'reason'], tradeRows)}
<script>${chartLibrary()}</script>
<script>
const data = ${JSON.stringify({ equity, drawdown, markers })};
// A tiny minimum bar spacing, so fitContent shows the whole period however many bars it holds.
const options = { layout: { background: { color: '#1e222d' }, textColor: '#d1d4dc' },
  grid: { vertLines: { color: '#2a2e39' }, horzLines: { color: '#2a2e39' } },
  timeScale: { timeVisible: true, minBarSpacing: 0.001 } };
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
