import type { ModelArtifact } from './artifact.ts';
import type { ReliabilityBin } from './calibration/calibration-scores.ts';
import type { MeanInterval } from './evaluation/bootstrap.ts';
import type { TierScore } from './evaluation/confidence-tiers.ts';
import type { ScoresWithBaselines, Spread } from './evaluation/model-validation.ts';
import type { SignalScores } from './evaluation/signal-scores.ts';
import { escapeHtml as esc, minuteUtc } from '../backtest/report-text.ts';

const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number, digits = 1): string => (Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : '–');

/** A mean trade return with its 95% interval, and whether the interval excludes zero. */
export function describeInterval(r: MeanInterval): string {
  if (r.n === 0) return 'no BUY';
  if (!Number.isFinite(r.low)) return `${fmt(r.mean, 2)}% (n ${r.n})`;
  const sign = r.low > 0 ? ', above 0' : r.high < 0 ? ', below 0' : ', 0 inside';
  return `${fmt(r.mean, 2)}% [${fmt(r.low, 2)}, ${fmt(r.high, 2)}] (n ${r.n}${sign})`;
}

const W = 420;
const PAD = 44;

/** Hit rate against mean confidence per bin, raw and calibrated; a perfectly calibrated model lies on the diagonal. */
export function reliabilityDiagram(
  raw: readonly ReliabilityBin[],
  calibrated: readonly ReliabilityBin[],
): string {
  const size = W - PAD - 10;
  const px = (v: number): number => PAD + v * size;
  const py = (v: number): number => 10 + (1 - v) * size;
  const total = Math.max(1, ...raw.map((b) => b.count), ...calibrated.map((b) => b.count));
  const dots = (bins: readonly ReliabilityBin[], color: string): string => {
    const used = bins.filter((b) => b.count > 0);
    const path = used
      .map((b, i) => `${i === 0 ? 'M' : 'L'}${px(b.meanConfidence).toFixed(1)},${py(b.hitRate).toFixed(1)}`)
      .join('');
    return (
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>` +
      used
        .map(
          (b) =>
            `<circle cx="${px(b.meanConfidence).toFixed(1)}" cy="${py(b.hitRate).toFixed(1)}" r="${(2 + 6 * Math.sqrt(b.count / total)).toFixed(1)}" fill="${color}" fill-opacity="0.6"><title>${b.count} predictions, confidence ${fmt(b.meanConfidence)}, right ${fmt(b.hitRate)}</title></circle>`,
        )
        .join('')
    );
  };
  const H = W;
  return (
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">` +
    `<rect x="${PAD}" y="10" width="${size}" height="${size}" fill="none" stroke="#444"/>` +
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 3"/>` +
    [0.6, 0.8]
      .map(
        (t) =>
          `<line x1="${px(t)}" y1="10" x2="${px(t)}" y2="${py(0)}" stroke="#ddd"/><text x="${px(t)}" y="${py(0) + 14}" text-anchor="middle">${t}</text>`,
      )
      .join('') +
    dots(raw, '#cc7733') +
    dots(calibrated, '#3366cc') +
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle">confidence (mean of the bin)</text>` +
    `<text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">share right</text>` +
    `<text x="${PAD + 6}" y="24" fill="#cc7733">raw</text><text x="${PAD + 6}" y="38" fill="#3366cc">calibrated</text>` +
    `</svg>`
  );
}

function tierTable(tiers: readonly TierScore[]): string {
  return (
    `<table><tr><th>confidence tier</th><th>BUY/SELL signals</th><th>right</th><th>hit rate</th><th>verdict</th></tr>` +
    tiers
      .map(
        (t) =>
          `<tr><th>${esc(t.label)}</th><td>${t.signals}</td><td>${t.right}</td><td>${t.signals > 0 ? pct(t.hitRate) : '–'}</td><td style="text-align:left">${esc(t.verdict)}</td></tr>`,
      )
      .join('') +
    `</table>`
  );
}

function scoresRow(name: string, s: SignalScores): string {
  return `<tr><th>${esc(name)}</th><td>${fmt(s.accuracy)}</td><td>${s.buys}</td><td>${s.sells}</td><td>${s.buys > 0 ? fmt(s.buyPrecision) : '–'}</td><td>${s.sells > 0 ? fmt(s.sellPrecision) : '–'}</td><td>${fmt(s.brier, 4)}</td><td>${fmt(s.ece, 4)}</td><td style="text-align:left">${esc(describeInterval(s.buyReturn))}</td></tr>`;
}

function baselinesTable(scores: ScoresWithBaselines): string {
  return (
    `<table><tr><th></th><th>accuracy</th><th>BUY</th><th>SELL</th><th>BUY precision</th><th>SELL precision</th><th>Brier</th><th>ECE</th><th>BUY trade mean return, 95% interval</th></tr>` +
    scoresRow('this model', scores.model) +
    scoresRow('always HOLD', scores.alwaysHold) +
    scoresRow('MA/RSI rule', scores.maRsiRule) +
    scoresRow('random at the model’s signal rate', scores.random) +
    `</table>`
  );
}

const spread = (s: Spread, digits = 3): string => `${fmt(s.mean, digits)} ± ${fmt(s.sd, digits)}`;

/** The sections of the model report on calibration, tiers, baselines, significance and cross-validation. */
export function validationSections(
  artifact: ModelArtifact,
  bars: (items: ReadonlyArray<{ label: string; value: number; color?: string }>) => string,
): string[] {
  const v = artifact.validation;
  if (v === undefined)
    return [
      '<h2>Calibration and confidence tiers</h2><p>Not measured: this artifact predates them; train it again.</p>',
    ];
  const labeling = artifact.labeling;
  const labels =
    labeling?.labels === 'barrier'
      ? `triple-barrier labels: up when a long entered at the close would reach +${labeling.barriers.takeProfitPct}% before ${labeling.barriers.stopLossPct}% within ${artifact.horizonBars} bars, down when the stop came first, flat when neither`
      : `band labels: the change ${artifact.horizonBars} bars later beyond ±${artifact.bandPct}%`;
  const calibration = artifact.calibration;
  const sections = [
    `<h2>Is the confidence a probability?</h2>`,
    `<p>A signal is right when its class happened (${esc(labels)}${artifact.target === 'trend' ? '' : '; regressions are judged on the band'}). ` +
      (calibration === undefined
        ? 'The served confidence is the raw one (no calibration).'
        : `The served confidence is the raw one mapped by ${calibration.method} calibration, fitted per predicted class on ${calibration.rows} training rows the model was not fitted on (predicted down/flat/up ${calibration.predicted.join('/')} times there).`) +
      ` Below: the test rows, out of sample. Brier: mean squared gap between confidence and outcome (lower is better); ECE: mean gap between confidence and hit rate over 10 bins.</p>`,
    `<table><tr><th>confidence</th><th>Brier</th><th>ECE</th></tr>${v.comparison
      .map(
        (c) =>
          `<tr><th>${c.method}${c.method === calibration?.method ? ' (served)' : ''}</th><td>${fmt(c.brier, 4)}</td><td>${fmt(c.ece, 4)}</td></tr>`,
      )
      .join('')}</table>`,
    `<h3>Reliability diagram</h3>`,
    reliabilityDiagram(v.reliability.raw, v.reliability.calibrated),
    `<h2>Earned confidence tiers (test rows)</h2>`,
    `<p>The decision rules act on ≥ 0.8, wait for a second signal at 0.6 – 0.8 and ignore the rest. A tier is earned when its BUY and SELL signals were right at least as often as its lower bound, on at least 20 of them.</p>`,
    tierTable(v.tiers),
    `<h2>Against baselines on the same rows</h2>`,
    `<p>BUY trade: a long entered at the signal bar's close, left at the stop-loss, the take-profit or the horizon, before fees; the interval is a 95% circular block bootstrap of the mean (trades overlap in time).</p>`,
    baselinesTable(v.scores),
    `<h2>Permutation importance</h2>`,
    `<p>Rise of the Brier score when one input is shuffled across the test rows (grey, below 0: shuffling it helped, so what the model learned from it does not hold out of sample).</p>`,
    bars(
      artifact.features.columns
        .map((c, i) => {
          const value = v.permutationImportance[i] ?? 0;
          // Grey: shuffling it helped, so the model's use of it does not carry out of sample.
          return { label: c, value, ...(value < 0 ? { color: '#bbb' } : {}) };
        })
        .sort((a, b) => b.value - a.value),
    ),
  ];
  const cv = v.crossValidation;
  if (cv === undefined) {
    sections.push(
      `<h2>Cross-validation</h2><p>Not run for this artifact (train with <code>ml.cvFolds</code> &gt; 0, e.g. <code>train --cv-folds 5</code>).</p>`,
    );
    return sections;
  }
  sections.push(
    `<h2>Purged walk-forward cross-validation (${cv.folds.length} folds)</h2>`,
    `<p>Each fold tests a later block of the labelled rows on a model fitted and calibrated on the rows before it; training rows whose ${artifact.horizonBars}-bar label reaches into the block are purged. Mean ± standard deviation over the folds:</p>`,
    `<table><tr><th></th><th>accuracy</th><th>Brier</th><th>ECE</th><th>BUY precision</th><th>BUY trade mean %</th></tr>` +
      `<tr><th>this model</th><td>${spread(cv.summary.accuracy)}</td><td>${spread(cv.summary.brier, 4)}</td><td>${spread(cv.summary.ece, 4)}</td><td>${spread(cv.summary.buyPrecision)}</td><td>${spread(cv.summary.buyReturnPct, 2)}</td></tr>` +
      (['alwaysHold', 'maRsiRule', 'random'] as const)
        .map(
          (k) =>
            `<tr><th>${k === 'alwaysHold' ? 'always HOLD' : k === 'maRsiRule' ? 'MA/RSI rule' : 'random at the model’s rate'}</th><td>${spread(cv.baselineSummary[k].accuracy)}</td><td></td><td></td><td></td><td>${spread(cv.baselineSummary[k].buyReturnPct, 2)}</td></tr>`,
        )
        .join('') +
      `</table>`,
    `<p>All folds' BUY trades pooled: ${esc(describeInterval(cv.buyReturn))}.</p>`,
    `<table><tr><th>fold test block</th><th>training rows</th><th>test rows</th><th>accuracy</th><th>BUY / SELL</th><th>Brier</th><th>ECE</th><th>BUY trade mean</th></tr>${cv.folds
      .map(
        (f) =>
          `<tr><th>${minuteUtc(f.testFrom)} .. ${minuteUtc(f.testTo)}</th><td>${f.trainRows}</td><td>${f.testRows}</td><td>${fmt(f.model.accuracy)}</td><td>${f.model.buys} / ${f.model.sells}</td><td>${fmt(f.model.brier, 4)}</td><td>${fmt(f.model.ece, 4)}</td><td style="text-align:left">${esc(describeInterval(f.model.buyReturn))}</td></tr>`,
      )
      .join('')}</table>`,
    `<h3>Tiers over all folds</h3>`,
    tierTable(cv.tiers),
  );
  return sections;
}
