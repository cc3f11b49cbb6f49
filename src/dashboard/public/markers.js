/** Chart markers from the signal history and the order events of one symbol. */
import { COLORS, chartTime } from './charts.js';
import { price, quantity, signedUsd } from './format.js';

const MODEL_LABELS = { random_forest: 'RF', svm: 'SVM', logistic_regression: 'LR', rule: 'rule' };
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

/**
 * BUY and SELL signals as arrows (one per bar and direction), fills as circles and closes as
 * squares labelled with their reason and PnL. Labels stay short so a busy chart stays readable;
 * `details` holds, per chart time, the full lines the hover legend shows (each model's signal and
 * confidence, each execution).
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
          text: buy ? 'buy' : 'sell',
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
          text: `${reason} ${signedUsd(pnl)}`,
        });
      }
    }
  return { markers: markers.sort((a, b) => a.time - b.time), details };
}
