import { reportedScores, type ModelArtifact, type ValueMetrics } from './artifact.ts';
import { TREND_CLASSES } from './dataset.ts';
import type { ClassificationMetrics } from './metrics.ts';
import { validationSections } from './report-validation.ts';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

const W = 640;
const H = 280;
const PAD = 66;

function scaleOf(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values)
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  if (min === max) return { min: min - 1, max: max + 1 };
  return { min, max };
}

function axes(xLabel: string, yLabel: string, y: { min: number; max: number }): string {
  return [
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - 10}" y2="${H - PAD}" stroke="#444"/>`,
    `<line x1="${PAD}" y1="10" x2="${PAD}" y2="${H - PAD}" stroke="#444"/>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
    `<text x="${PAD - 4}" y="14" text-anchor="end">${fmt(y.max, 2)}</text>`,
    `<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end">${fmt(y.min, 2)}</text>`,
  ].join('');
}

/** A line chart of several series over one x axis. */
export function lineChart(
  x: readonly number[],
  series: ReadonlyArray<{ name: string; values: readonly number[]; color: string }>,
  labels: { x: string; y: string },
): string {
  const xs = scaleOf(x);
  const ys = scaleOf(series.flatMap((s) => s.values));
  const px = (v: number): number => PAD + ((v - xs.min) / (xs.max - xs.min)) * (W - PAD - 10);
  const py = (v: number): number => H - PAD - ((v - ys.min) / (ys.max - ys.min)) * (H - PAD - 10);
  const paths = series.map((s) => {
    const d = s.values
      .map((v, i) => `${i === 0 ? 'M' : 'L'}${px(x[i] as number).toFixed(1)},${py(v).toFixed(1)}`)
      .join('');
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1"/>`;
  });
  const legend = series.map(
    (s, i) =>
      `<text x="${W - 12}" y="${20 + 14 * i}" text-anchor="end" fill="${s.color}">${esc(s.name)}</text>`,
  );
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${axes(labels.x, labels.y, ys)}${paths.join('')}${legend.join('')}</svg>`;
}

/** A scatter plot with the diagonal y = x. */
export function scatterChart(
  x: readonly number[],
  y: readonly number[],
  labels: { x: string; y: string },
): string {
  const s = scaleOf([...x, ...y]);
  const px = (v: number): number => PAD + ((v - s.min) / (s.max - s.min)) * (W - PAD - 10);
  const py = (v: number): number => H - PAD - ((v - s.min) / (s.max - s.min)) * (H - PAD - 10);
  const dots = x.map(
    (v, i) =>
      `<circle cx="${px(v).toFixed(1)}" cy="${py(y[i] as number).toFixed(1)}" r="1.5" fill="#3366cc" fill-opacity="0.35"/>`,
  );
  const diagonal = `<line x1="${px(s.min)}" y1="${py(s.min)}" x2="${px(s.max)}" y2="${py(s.max)}" stroke="#cc3333" stroke-dasharray="4 3"/>`;
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${axes(labels.x, labels.y, s)}${diagonal}${dots.join('')}</svg>`;
}

/** Horizontal bars, one per label. */
export function barChart(
  items: ReadonlyArray<{ label: string; value: number; color?: string }>,
  unit = '',
): string {
  const max = Math.max(1e-12, ...items.map((i) => Math.abs(i.value)));
  const rowH = 22;
  const height = items.length * rowH + 10;
  const left = 200;
  const rows = items.map((item, i) => {
    const width = (Math.abs(item.value) / max) * (W - left - 80);
    const y = 5 + i * rowH;
    return (
      `<text x="${left - 6}" y="${y + 15}" text-anchor="end">${esc(item.label)}</text>` +
      `<rect x="${left}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowH - 6}" fill="${item.color ?? '#3366cc'}"/>` +
      `<text x="${left + width + 6}" y="${y + 15}">${fmt(item.value)}${unit}</text>`
    );
  });
  return `<svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}">${rows.join('')}</svg>`;
}

function confusionTable(metrics: ClassificationMetrics): string {
  const labels = TREND_CLASSES.map((c) =>
    c === 'up' ? 'up (BUY)' : c === 'down' ? 'down (SELL)' : 'flat (HOLD)',
  );
  const max = Math.max(1, ...metrics.confusion.flat());
  const rows = metrics.confusion.map(
    (row, a) =>
      `<tr><th>${labels[a]}</th>${row
        .map(
          (v) => `<td style="background: rgba(51,102,204,${(0.08 + (0.8 * v) / max).toFixed(2)})">${v}</td>`,
        )
        .join('')}</tr>`,
  );
  return `<table class="confusion"><tr><th>actual \\ predicted</th>${labels.map((l) => `<th>${l}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function metricsRows(name: string, m: ValueMetrics): string {
  const cls = (k: number): string => {
    const c = m.signal.perClass[k];
    return c === undefined ? '<td></td><td></td>' : `<td>${fmt(c.precision)}</td><td>${fmt(c.recall)}</td>`;
  };
  return `<tr><th>${esc(name)}</th><td>${fmt(m.r2)}</td><td>${fmt(m.maeChangePct)}</td><td>${fmt(m.r2Price)}</td><td>${fmt(m.mae, 1)}</td><td>${fmt(m.signal.accuracy)}</td>${cls(2)}${cls(0)}${cls(1)}</tr>`;
}

/** Where a trainer-made version comes from and when it serves; nothing for one trained by hand. */
function provenanceSection(artifact: ModelArtifact): string {
  const p = artifact.provenance;
  if (p === undefined) return '';
  const offsets = Object.entries(p.offsets)
    .map(([partition, offset]) => `${esc(partition)}: ${offset}`)
    .join(', ');
  return (
    `<h2>Provenance</h2><p>Published by the trainer service; serves bars from <b>${iso(p.activeFrom)}</b> on. ` +
    `Trained on ${p.bars} bars of ${esc(p.topic)} (${iso(p.dataFrom)} .. ${iso(p.dataTo)}), read up to offsets ${offsets}, ` +
    `by code ${esc(p.code.packageVersion)}${p.code.gitCommit === undefined ? '' : ` (${esc(p.code.gitCommit)})`}; ` +
    `window ${fmt(p.trainer.windowMs / 3_600_000, 1)} h, retrained every ${fmt(p.trainer.intervalMs / 3_600_000, 1)} h.</p>`
  );
}

/** A self-contained HTML report of an artifact: what it is, how it did out of sample, against what. */
export function renderModelReport(artifact: ModelArtifact): string {
  const e = artifact.evaluation;
  const scores = reportedScores(artifact);
  const predictedPrice = e.close.map((c, i) => c * (1 + (e.expectedChangePct[i] as number) / 100));
  const actualPrice = e.close.map((c, i) => c * (1 + (e.actualChangePct[i] as number) / 100));
  const hours = e.time.map((t) => (t - (e.time[0] as number)) / 3_600_000);
  const importances = artifact.importances;
  const base = artifact.baselines.lastPrice;
  const sections = [
    `<h1>${esc(artifact.version)}</h1>`,
    `<p>${esc(artifact.model)} predicting <b>${esc(artifact.target)}</b> ${artifact.horizonBars} bars ahead; trend band ±${artifact.bandPct}%. ` +
      `Trained ${esc(artifact.createdAt)} in ${fmt(artifact.training.seconds, 2)} s on ${artifact.training.trainRows} bars ` +
      `(${iso(artifact.training.trainFrom)} .. ${iso(artifact.training.trainTo)}), tested out of sample on ${artifact.training.testRows} bars ` +
      `(${iso(artifact.training.testFrom)} .. ${iso(artifact.training.testTo)}) of ${esc(artifact.training.symbols.join(', '))}. ` +
      `Signals carry r2_score ${fmt(scores.r2)} and mae ${fmt(scores.mae)} (${scores.unit}).</p>`,
    provenanceSection(artifact),
    `<h2>Out-of-sample scores against the naive baseline</h2>`,
    `<table><tr><th></th><th>R² of change</th><th>MAE change (pp)</th><th>R² of price</th><th>MAE price (USDT)</th><th>signal accuracy</th><th>BUY precision</th><th>BUY recall</th><th>SELL precision</th><th>SELL recall</th><th>HOLD precision</th><th>HOLD recall</th></tr>` +
      metricsRows('this model', artifact.metrics) +
      metricsRows('last price / always HOLD', base) +
      `</table>`,
    `<p>Class shares (down, flat, up): training ${artifact.classShares.train.map((v) => fmt(v)).join(', ')}; test ${artifact.classShares.test.map((v) => fmt(v)).join(', ')}.</p>`,
    barChart([
      { label: 'this model', value: artifact.metrics.signal.accuracy },
      { label: 'always HOLD', value: base.signal.accuracy, color: '#999' },
    ]),
    ...validationSections(artifact, (items) => barChart(items)),
    `<h2>Confusion matrix (signals vs realized trend)</h2>`,
    confusionTable(artifact.metrics.signal),
    `<h2>Predicted vs actual</h2>`,
    scatterChart(e.actualChangePct, e.expectedChangePct, { x: 'actual change %', y: 'expected change %' }),
    lineChart(
      hours,
      [
        { name: `actual price ${artifact.horizonBars} bars later`, values: actualPrice, color: '#222' },
        { name: 'predicted', values: predictedPrice, color: '#3366cc' },
      ],
      { x: 'hours into the test period', y: 'USDT' },
    ),
    `<h2>Feature importances</h2>`,
    importances === undefined
      ? '<p>Not available for this model family.</p>'
      : barChart(
          artifact.features.columns
            .map((c, i) => ({ label: c, value: importances[i] ?? 0 }))
            .sort((a, b) => b.value - a.value),
        ),
    `<h2>Features</h2><table>${artifact.features.columns
      .map((c) => `<tr><th>${esc(c)}</th><td>${esc(artifact.features.descriptions[c] ?? '')}</td></tr>`)
      .join('')}</table>` +
      `<p>volatility_7d window: ${artifact.features.volatilityBars} bars; short volatility ${artifact.features.shortVolatilityBars} bars; momentum ${artifact.features.momentumBars} bars; interval ${artifact.features.intervalMs / 60_000} min.</p>`,
    `<h2>Training parameters</h2><pre>${esc(JSON.stringify(artifact.training.params, null, 2))}</pre>`,
  ];
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(artifact.version)}</title><style>
body{font:14px system-ui,sans-serif;margin:24px;max-width:980px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}
svg{display:block;margin:8px 0;font-size:11px}
</style></head><body>${sections.join('\n')}</body></html>`;
}
