/** The tables and summary cards, rendered from plain data (text only: nothing from the server becomes markup). */
import { modelLabel } from './markers.js';
import { clock, pct, price, quantity, signedPct, signedUsd, time, tone, usd } from './format.js';

/** A table cell: text, optional class. */
function cell(text, className = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== '') td.className = className;
  return td;
}

function badge(text) {
  const span = document.createElement('span');
  span.className = `badge ${text}`;
  span.textContent = text;
  return span;
}

function fillBody(table, rows, columns, emptyText) {
  const body = table.tBodies[0];
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(emptyText, 'empty');
    td.colSpan = columns;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...rows);
}

export function renderSummary(root, p) {
  const set = (field, text, className = '') => {
    const el = root.querySelector(`[data-field="${field}"]`);
    el.textContent = text;
    el.className = `value ${className}`;
  };
  set('equity', usd(p.equity));
  set('cash', usd(p.cash));
  set('realizedPnl', signedUsd(p.realizedPnl), tone(p.realizedPnl));
  set('unrealizedPnl', signedUsd(p.unrealizedPnl), tone(p.unrealizedPnl));
  set('fees', usd(p.fees));
  set('exposure', pct(p.exposure));
  // Negative, as on the equity chart: a drawdown is a loss from the peak (red unless it rounds to 0).
  const drawdown = signedPct(-p.drawdown);
  set('drawdown', drawdown, drawdown.startsWith('−') ? 'neg' : '');
}

export function renderPositions(table, positions) {
  const rows = positions.map((p) => {
    const tr = document.createElement('tr');
    tr.dataset.symbol = p.symbol;
    tr.append(
      cell(p.symbol),
      cell(quantity(p.quantity), 'num'),
      cell(price(p.averageEntry), 'num'),
      cell(price(p.markPrice), 'num'),
      cell(signedUsd(p.unrealizedPnl), `num ${tone(p.unrealizedPnl)}`),
    );
    return tr;
  });
  fillBody(table, rows, 5, 'No open positions');
}

/** One step of an order's history, e.g. `FILLED 10:02 @ 100.12` or `CLOSED 10:30 take profit +12.30`. */
function step(event) {
  const at = clock(event.event_time ?? event.timestamp);
  switch (event.status) {
    case 'FILLED':
      return `FILLED ${at} @ ${price(event.fill_price ?? event.price)}`;
    case 'CLOSED':
      return `CLOSED ${at} ${(event.close_reason ?? '').toLowerCase().replaceAll('_', ' ')} ${price(event.exit_price)}`;
    case 'CANCELLED':
      return `CANCELLED ${at} ${(event.cancel_reason ?? '').toLowerCase().replaceAll('_', ' ')}`;
    default:
      return `${event.status} ${at}`;
  }
}

export function renderOrders(table, orders) {
  const rows = orders.map((order) => {
    const first = order.events[0];
    const last = order.events.at(-1);
    const filled = order.events.find((e) => e.status === 'FILLED');
    const closed = order.events.find((e) => e.status === 'CLOSED');
    const tr = document.createElement('tr');
    tr.dataset.orderId = order.orderId;
    const status = document.createElement('td');
    status.append(badge(order.status));
    const side = document.createElement('td');
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = first.order_type;
    side.append(badge(first.action), type);
    const history = document.createElement('td');
    const steps = document.createElement('div');
    steps.className = 'history';
    order.events.forEach((event, i) => {
      if (i > 0) {
        const arrow = document.createElement('span');
        arrow.className = 'arrow';
        arrow.textContent = '→';
        steps.append(arrow);
      }
      const span = document.createElement('span');
      span.className = 'step';
      span.textContent = step(event);
      steps.append(span);
    });
    history.append(steps);
    const pnl = closed?.realized_pnl;
    tr.title = `created ${time(first.timestamp)} UTC`;
    tr.append(
      cell(order.orderId),
      cell(last.symbol),
      side,
      cell(quantity(first.quantity), 'num'),
      cell(price(filled?.fill_price ?? first.price), 'num'),
      status,
      cell(pnl === undefined || pnl === null ? '' : signedUsd(pnl), `num ${tone(pnl ?? 0)}`),
      history,
    );
    return tr;
  });
  fillBody(table, rows, 8, 'No orders yet');
}

/** The latest signal of each model, best confidence first. */
export function renderModels(table, signals) {
  const latest = new Map();
  for (const s of signals) {
    const seen = latest.get(s.model);
    if (seen === undefined || s.timestamp >= seen.timestamp) latest.set(s.model, s);
  }
  const rows = [...latest.values()]
    .sort((a, b) => b.confidence - a.confidence)
    .map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.model = s.model;
      tr.dataset.time = String(s.timestamp);
      const signal = document.createElement('td');
      signal.append(badge(s.signal));
      const confidence = document.createElement('td');
      const wrap = document.createElement('div');
      wrap.className = 'confidence';
      const bar = document.createElement('div');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.style.width = `${Math.round(s.confidence * 100)}%`;
      fill.className = s.confidence >= 0.8 ? 'high' : s.confidence < 0.6 ? 'low' : '';
      bar.append(fill);
      const number = document.createElement('span');
      number.textContent = s.confidence.toFixed(2);
      wrap.append(bar, number);
      confidence.append(wrap);
      tr.title = `${s.model} ${s.metadata?.model_version ?? ''}`;
      tr.append(
        cell(modelLabel(s.model)),
        signal,
        confidence,
        cell(
          `${s.expected_change_pct >= 0 ? '+' : ''}${s.expected_change_pct.toFixed(2)}%`,
          `num ${tone(s.expected_change_pct)}`,
        ),
        cell(clock(s.timestamp), 'num'),
      );
      return tr;
    });
  fillBody(table, rows, 5, 'No signals yet');
}

const shortTopic = (topic) => topic.replace(/^crypto\./, '');

/**
 * Lag per service (the consumer groups' common first name segment): the topics it reads and their
 * summed lag. Store ids in group names mean nothing to a reader; each row's title lists the full
 * group names with their lag on each topic.
 */
export function renderPipeline(lagTable, deadTable, health) {
  const services = health.services.map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.service = s.service;
    tr.title = s.groups
      .map((g) => `${g.group} on ${g.topic}: lag ${g.lag.toLocaleString('en-US')}`)
      .join('\n');
    const name = cell(s.service);
    name.className = 'service';
    tr.append(
      name,
      cell(s.topics.map(shortTopic).join(', '), 'wrap muted'),
      cell(s.lag.toLocaleString('en-US'), `num ${s.lag > 0 ? 'warn' : ''}`),
    );
    return tr;
  });
  fillBody(lagTable, services, 3, 'No consumers yet');
  const dead = health.deadLetters.map((d) => {
    const tr = document.createElement('tr');
    tr.append(cell(d.topic), cell(d.count.toLocaleString('en-US'), `num ${d.count > 0 ? 'neg' : ''}`));
    return tr;
  });
  fillBody(deadTable, dead, 2, 'No dead-letter topics');
}
