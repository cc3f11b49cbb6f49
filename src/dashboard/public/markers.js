/** Chart markers from the signal history and the order events of one symbol, and their labels' placing. */
import { COLORS, chartTime } from './charts.js';
import { price, quantity, signedUsd } from './format.js';

const MODEL_LABELS = {
  random_forest: 'RF',
  svm: 'SVM',
  logistic_regression: 'LR',
  gradient_boosting: 'GB',
  rule: 'rule',
};
export const modelLabel = (model) => MODEL_LABELS[model] ?? model;

/** The time of the last bar at or before `ms`, or undefined before the first bar (markers must sit on a bar). */
function barTimeOf(barTimes, ms) {
  let lo = 0;
  let hi = barTimes.length - 1;
  let found;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (barTimes[mid] <= ms) {
      found = barTimes[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const REASONS = { TAKE_PROFIT: 'TP', STOP_LOSS: 'SL', SELL_SIGNAL: 'sell', MANUAL: 'manual' };

/** What a marker's label says: a fill (`buy`, `sell`) or a close with its reason and PnL. */
const labelText = (label) => (label.kind === 'fill' ? label.side : `${label.reason} ${signedUsd(label.pnl)}`);

/** One label for several executions: `sell · SL −4.82`, `2 buys`, `3 closes +5.10`. */
export function mergedText(labels) {
  if (labels.length === 1) return labelText(labels[0]);
  const parts = [];
  for (const side of ['buy', 'sell']) {
    const n = labels.filter((l) => l.kind === 'fill' && l.side === side).length;
    if (n > 0) parts.push(n === 1 ? side : `${n} ${side}s`);
  }
  const closes = labels.filter((l) => l.kind === 'close');
  if (closes.length === 1) parts.push(labelText(closes[0]));
  else if (closes.length > 1)
    parts.push(`${closes.length} closes ${signedUsd(closes.reduce((sum, c) => sum + c.pnl, 0))}`);
  return parts.join(' · ');
}

/**
 * BUY and SELL signals as arrows (one per bar and direction), fills as circles and closes as
 * squares; fills and closes carry a `label` (see `placeLabels`). `details` holds, per chart time, the
 * full lines the hover legend shows (each model's signal and confidence, each execution).
 */
export function markersOf(barTimes, signals, orders) {
  const markers = [];
  const details = new Map();
  const note = (time, line) => details.set(time, [...(details.get(time) ?? []), line]);
  const arrows = new Set();
  for (const s of [...signals].sort((a, b) => a.timestamp - b.timestamp)) {
    const at = barTimeOf(barTimes, s.timestamp);
    if (at === undefined) continue;
    const time = chartTime(at);
    note(time, `${modelLabel(s.model)} ${s.signal} ${s.confidence.toFixed(2)}`);
    if (s.signal === 'HOLD' || arrows.has(`${time}/${s.signal}`)) continue;
    arrows.add(`${time}/${s.signal}`);
    const buy = s.signal === 'BUY';
    markers.push({
      time,
      position: buy ? 'belowBar' : 'aboveBar',
      shape: buy ? 'arrowUp' : 'arrowDown',
      color: buy ? COLORS.up : COLORS.down,
      size: 0.8,
    });
  }
  for (const order of orders)
    for (const event of order.events) {
      const at = barTimeOf(barTimes, event.event_time ?? event.timestamp);
      if (at === undefined) continue;
      const time = chartTime(at);
      if (event.status === 'FILLED') {
        const buy = event.action === 'BUY';
        note(
          time,
          `${order.orderId} ${buy ? 'bought' : 'sold'} ${quantity(event.quantity)} @ ${price(event.fill_price ?? event.price)}`,
        );
        markers.push({
          time,
          position: buy ? 'belowBar' : 'aboveBar',
          shape: 'circle',
          color: buy ? COLORS.fill : COLORS.sell,
          label: { kind: 'fill', side: buy ? 'buy' : 'sell' },
        });
      } else if (event.status === 'CLOSED') {
        const pnl = event.realized_pnl ?? 0;
        const reason = REASONS[event.close_reason] ?? 'close';
        note(time, `${order.orderId} closed (${reason}) @ ${price(event.exit_price)}: ${signedUsd(pnl)}`);
        markers.push({
          time,
          position: 'aboveBar',
          shape: 'square',
          color: pnl >= 0 ? COLORS.up : COLORS.down,
          label: { kind: 'close', reason, pnl },
        });
      }
    }
  return { markers: markers.sort((a, b) => a.time - b.time), details };
}

/** Pixels kept free between two labels. */
export const LABEL_GAP = 6;

/**
 * A run of labelled markers shown as one label, centred (as the chart draws it) on the rightmost
 * marker of the run that keeps it inside the plot, or the one that cuts it least.
 */
function cluster(items, widthOf, plotWidth) {
  const text = mergedText(items.map((item) => item.label));
  const width = widthOf(text);
  const cut = (x) => Math.max(0, width / 2 - x) + Math.max(0, x + width / 2 - plotWidth);
  const anchor = items.reduce((best, item) =>
    cut(item.x) < cut(best.x) || (cut(item.x) === cut(best.x) && item.x >= best.x) ? item : best,
  );
  return { items, anchor, text, left: anchor.x - width / 2, right: anchor.x + width / 2 };
}

const overlap = (a, b) => a.right + LABEL_GAP > b.left && b.right + LABEL_GAP > a.left;

/**
 * The markers as the chart gets them, with label texts placed for the chart's current scale: the
 * chart centres a label on its marker's bar, so labels of bars closer than the labels are wide
 * would overlap. On each side of the bars (above, below), a run of such labels becomes one label
 * on the run's last marker that keeps it inside the plot (`sell · SL −4.82`); the other markers
 * keep their shapes without text. `xOf(time)` is the bar's x in pixels (null if the chart has no
 * such bar), `widthOf(text)` a label's width in pixels, `plotWidth` the plot's. Pure: the same
 * markers, positions and widths give the same labels.
 */
export function placeLabels(markers, xOf, widthOf, plotWidth) {
  const placed = markers.map(({ label: _label, ...marker }) => marker);
  for (const position of ['aboveBar', 'belowBar']) {
    const items = markers
      .map((marker, i) => ({ label: marker.label, marker: placed[i], x: xOf(marker.time) }))
      .filter((item) => item.label !== undefined && item.marker.position === position && item.x !== null)
      .sort((a, b) => a.x - b.x);
    const clusters = [];
    for (const item of items) {
      clusters.push(cluster([item], widthOf, plotWidth));
      // A merged label is wider: it may now reach the one before it, so merge backwards as needed.
      while (clusters.length > 1 && overlap(clusters.at(-2), clusters.at(-1))) {
        const later = clusters.pop();
        const earlier = clusters.pop();
        clusters.push(cluster([...earlier.items, ...later.items], widthOf, plotWidth));
      }
    }
    for (const c of clusters) c.anchor.marker.text = c.text;
  }
  return placed;
}
