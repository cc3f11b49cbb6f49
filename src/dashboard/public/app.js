/**
 * The dashboard page: loads a snapshot through the API, then applies the server-sent events
 * (`/events`) as they come, without reloading. A `resync` event or a reconnect loads everything again.
 *
 * One as-of time stamps the page: the snapshot's, then each new bar's. Bars and signals after it
 * wait until the market reaches them, so the header, the charts and the model panel tell one moment.
 */
import { EDGE_PX, candleChart, equityChart, textWidth } from './charts.js';
import * as data from './data.js';
import { clock, price, time } from './format.js';
import { markersOf, placeLabels } from './markers.js';
import { renderModels, renderOrders, renderPipeline, renderPositions, renderSummary } from './tables.js';

const CANDLES = 500;
const ORDERS_KEPT = 200;
const ORDERS_SHOWN = 25;
const PIPELINE_EVERY_MS = 5_000;

const $ = (id) => document.getElementById(id);

const state = {
  symbol: undefined,
  /** The bars on the chart (up to `asOf`). */
  candles: [],
  /** Bars of the symbol after `asOf`, shown when the page's time reaches them. */
  ahead: [],
  /** The symbol's signals; those after `asOf` are kept but not shown yet. */
  signals: [],
  /** orderId -> { orderId, status, events } */
  orders: new Map(),
  portfolio: undefined,
  /** The page's as-of time (ms since epoch; 0 before any data). */
  asOf: 0,
};

const ohlc = $('ohlc');
/** Chart time -> what happened on that bar, for the hover legend. */
let details = new Map();
/** The markers with their labels unplaced; placed again whenever the chart's scale changes. */
let unplaced = [];
const candles = candleChart(
  $('candles'),
  (time, bar) => {
    if (bar === undefined) {
      ohlc.textContent = '';
      return;
    }
    const what = details.get(time) ?? [];
    ohlc.textContent = [
      `O ${price(bar.open)}  H ${price(bar.high)}  L ${price(bar.low)}  C ${price(bar.close)}`,
      ...what,
    ].join('  ·  ');
  },
  () => placeMarkers(),
);
const equity = equityChart($('equity'));

/** For the browser test and the console: the charts as the page drew them. */
window.dashboard = { candles, equity, state, margin: EDGE_PX };

const shownSignals = () => state.signals.filter((s) => s.timestamp <= state.asOf);

function placeMarkers() {
  candles.setMarkers(placeLabels(unplaced, candles.xOf, textWidth, candles.plotWidth()));
}

function drawMarkers() {
  const barTimes = state.candles.map((c) => c.time);
  const orders = [...state.orders.values()].filter((o) => o.events[0]?.symbol === state.symbol);
  const drawn = markersOf(barTimes, shownSignals(), orders);
  details = drawn.details;
  unplaced = drawn.markers;
  placeMarkers();
}

function drawModels() {
  renderModels($('models'), shownSignals());
}

function drawOrders() {
  const newest = [...state.orders.values()].sort((a, b) => (a.orderId < b.orderId ? 1 : -1));
  renderOrders($('orders'), newest.slice(0, ORDERS_SHOWN));
}

function drawPortfolio() {
  const p = state.portfolio;
  if (p === undefined) return;
  renderSummary($('summary'), p);
  renderPositions($('positions'), p.positions);
}

/** Every stamp on the page shows the one as-of time. */
function drawAsOf() {
  const known = state.asOf > 0;
  for (const [id, text] of [
    ['as-of', known ? `as of ${time(state.asOf)} UTC` : 'waiting for data'],
    ['models-as-of', known ? `as of ${clock(state.asOf)}` : ''],
  ]) {
    const element = $(id);
    element.textContent = text;
    element.dataset.asOf = String(state.asOf);
  }
}

function drawEmptyStates(equityPoints) {
  $('candles-empty').hidden = state.candles.length > 0;
  if (equityPoints !== undefined) $('equity-empty').hidden = equityPoints > 0;
}

function drawLastPrice() {
  const last = state.candles.at(-1);
  $('last-price').textContent = last === undefined ? '' : `${state.symbol} ${price(last.close)}`;
}

async function loadSymbol(symbol) {
  state.symbol = symbol;
  $('market-title').textContent = symbol ?? '';
  $('models-title').textContent = symbol ?? '';
  const bars = symbol === undefined ? [] : await data.candles(symbol, CANDLES);
  state.candles = bars.filter((c) => c.time <= state.asOf);
  state.ahead = bars.filter((c) => c.time > state.asOf);
  state.signals = symbol === undefined || bars.length === 0 ? [] : await data.signals(symbol, bars[0].time);
  candles.setCandles(state.candles);
  drawLastPrice();
  drawMarkers();
  drawModels();
  drawEmptyStates();
}

async function loadAll() {
  const symbols = await data.symbols();
  const select = $('symbol');
  const chosen = symbols.includes(state.symbol) ? state.symbol : symbols[0];
  const option = (value, text = value) => {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = text;
    return element;
  };
  select.replaceChildren(
    ...(symbols.length > 0 ? symbols.map((s) => option(s)) : [option('', 'no data yet')]),
  );
  select.disabled = symbols.length === 0;
  if (chosen !== undefined) select.value = chosen;
  const snapshot = await data.snapshot(ORDERS_KEPT);
  state.asOf = snapshot.asOf;
  state.portfolio = snapshot.portfolio;
  state.orders = new Map(snapshot.orders.map((o) => [o.orderId, o]));
  equity.setPoints(snapshot.equity);
  drawEmptyStates(snapshot.equity.length);
  drawPortfolio();
  drawOrders();
  drawAsOf();
  await loadSymbol(chosen);
  await refreshPipeline();
}

async function refreshPipeline() {
  try {
    renderPipeline($('lag'), $('dead-letters'), await data.pipeline());
  } catch (error) {
    console.warn('pipeline health unavailable', error);
  }
  await refreshBadges();
}

/** The header's badges: entries paused, for all symbols or some (crypto.controls, via GET /controls). */
async function refreshBadges() {
  let view;
  try {
    view = await data.controls();
  } catch {
    $('status-badges').replaceChildren();
    return;
  }
  const badges = [];
  const badge = (text, title) => {
    const element = document.createElement('span');
    element.className = 'status-badge paused';
    element.textContent = text;
    element.title = title;
    badges.push(element);
  };
  if (view.entriesPaused) badge('entries paused', 'New entries of every symbol are paused; exits still act.');
  if (view.pausedSymbols.length > 0)
    badge(
      `paused: ${view.pausedSymbols.join(', ')}`,
      `New entries of ${view.pausedSymbols.join(', ')} are paused; exits still act.`,
    );
  $('status-badges').replaceChildren(...badges);
}

/** The page's time moves on to `time`: bars and signals up to it show. */
function advance(time) {
  if (time <= state.asOf) return;
  state.asOf = time;
  drawAsOf();
  const due = state.ahead.filter((c) => c.time <= time);
  state.ahead = state.ahead.filter((c) => c.time > time);
  for (const candle of due) showBar(candle);
  drawMarkers();
  drawModels();
}

function showBar(candle) {
  const last = state.candles.at(-1);
  candles.update(candle, last?.time);
  if (last === undefined || candle.time > last.time) state.candles.push(candle);
  else if (candle.time === last.time) state.candles[state.candles.length - 1] = candle;
  else return;
  drawLastPrice();
  drawEmptyStates();
}

/** A bar marks the position of its symbol at once; the next portfolio event brings the projection's figures. */
function onBar(candle) {
  // The first data of an empty page: load it all (symbols, snapshot), once for the whole burst.
  if (state.symbol === undefined) {
    firstLoad ??= reload().finally(() => (firstLoad = undefined));
    return;
  }
  const p = state.portfolio;
  if (p !== undefined) {
    const position = p.positions.find((x) => x.symbol === candle.symbol);
    if (position !== undefined) {
      position.markPrice = candle.close;
      position.marketValue = position.quantity * candle.close;
      const unrealized = position.quantity * (candle.close - position.averageEntry);
      p.unrealizedPnl += unrealized - position.unrealizedPnl;
      position.unrealizedPnl = unrealized;
      drawPortfolio();
    }
  }
  if (candle.symbol === state.symbol) {
    if (candle.time <= state.asOf) showBar(candle);
    else state.ahead.push(candle);
  }
  advance(candle.time);
}

function onSignal(signal) {
  if (signal.symbol !== state.symbol) return;
  if (state.signals.some((s) => s.model === signal.model && s.timestamp === signal.timestamp)) return;
  state.signals.push(signal);
  if (signal.timestamp > state.asOf) return;
  drawModels();
  drawMarkers();
}

function onOrder(event) {
  const order = state.orders.get(event.order_id) ?? {
    orderId: event.order_id,
    status: event.status,
    events: [],
  };
  if (order.events.some((e) => e.sequence === event.sequence)) return;
  order.events = [...order.events, event].sort((a, b) => a.sequence - b.sequence);
  order.status = order.events.at(-1).status;
  state.orders.set(order.orderId, order);
  drawOrders();
  if (event.symbol === state.symbol) drawMarkers();
}

function onPortfolio(portfolio) {
  const previous = state.portfolio;
  state.portfolio = portfolio;
  drawPortfolio();
  if (portfolio.asOf > 0 && (previous === undefined || portfolio.asOf > previous.asOf)) {
    equity.add({ time: portfolio.asOf, equity: portfolio.equity, drawdown: portfolio.drawdown });
    drawEmptyStates(1);
  }
  advance(portfolio.asOf);
}

/** Events that arrive while the history loads wait, then apply (repeats of loaded data are no-ops). */
let loading = Promise.resolve();
/** The load an empty page started on its first bar, while it runs. */
let firstLoad;
function reload() {
  loading = loading.then(loadAll).catch((error) => console.error('loading the dashboard failed', error));
  return loading;
}

function connect() {
  const live = $('live');
  const source = new EventSource('/events');
  let opened = false;
  const handlers = { bar: onBar, signal: onSignal, order: onOrder, portfolio: onPortfolio };
  for (const [name, handle] of Object.entries(handlers))
    source.addEventListener(name, (message) => {
      const payload = JSON.parse(message.data);
      void loading.then(() => handle(payload));
    });
  source.addEventListener('resync', () => void reload());
  source.onopen = () => {
    live.dataset.state = 'live';
    live.textContent = 'live';
    // Events may have been missed while the stream was down.
    if (opened) void reload();
    opened = true;
  };
  source.onerror = () => {
    live.dataset.state = 'reconnecting';
    live.textContent = 'reconnecting';
  };
}

$('symbol').addEventListener('change', (event) => {
  loading = loading
    .then(() => loadSymbol(event.target.value))
    .catch((error) => console.error('loading the symbol failed', error));
});
setInterval(() => void refreshPipeline(), PIPELINE_EVERY_MS);
connect();
await reload();
document.body.dataset.ready = 'true';
