/**
 * The dashboard page: loads the history through the API, then applies the server-sent events
 * (`/events`) as they come, without reloading. A `resync` event or a reconnect loads everything again.
 */
import { candleChart, equityChart } from './charts.js';
import * as data from './data.js';
import { price, time } from './format.js';
import { markersOf } from './markers.js';
import { renderModels, renderOrders, renderPipeline, renderPositions, renderSummary } from './tables.js';

const CANDLES = 500;
const ORDERS_KEPT = 200;
const ORDERS_SHOWN = 25;
const PIPELINE_EVERY_MS = 5_000;

const $ = (id) => document.getElementById(id);

const state = {
  symbol: undefined,
  candles: [],
  signals: [],
  /** orderId -> { orderId, status, events } */
  orders: new Map(),
  portfolio: undefined,
};

const ohlc = $('ohlc');
/** Chart time -> what happened on that bar, for the hover legend. */
let details = new Map();
const candles = candleChart($('candles'), (time, bar) => {
  if (bar === undefined) {
    ohlc.textContent = '';
    return;
  }
  const what = details.get(time) ?? [];
  ohlc.textContent = [
    `O ${price(bar.open)}  H ${price(bar.high)}  L ${price(bar.low)}  C ${price(bar.close)}`,
    ...what,
  ].join('  ·  ');
});
const equity = equityChart($('equity'));

function drawMarkers() {
  const barTimes = state.candles.map((c) => c.time);
  const orders = [...state.orders.values()].filter((o) => o.events[0]?.symbol === state.symbol);
  const drawn = markersOf(barTimes, state.signals, orders);
  details = drawn.details;
  candles.setMarkers(drawn.markers);
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
  $('as-of').textContent = p.asOf > 0 ? `as of ${time(p.asOf)} UTC` : '';
}

function drawLastPrice() {
  const last = state.candles.at(-1);
  $('last-price').textContent = last === undefined ? '' : `${state.symbol} ${price(last.close)}`;
}

async function loadSymbol(symbol) {
  state.symbol = symbol;
  $('market-title').textContent = symbol ?? '';
  $('models-title').textContent = symbol ?? '';
  state.candles = symbol === undefined ? [] : await data.candles(symbol, CANDLES);
  state.signals =
    symbol === undefined || state.candles.length === 0
      ? []
      : await data.signals(symbol, state.candles[0].time);
  candles.setCandles(state.candles);
  drawLastPrice();
  drawMarkers();
  renderModels($('models'), state.signals);
}

async function loadAll() {
  const symbols = await data.symbols();
  const select = $('symbol');
  const chosen = symbols.includes(state.symbol) ? state.symbol : symbols[0];
  select.replaceChildren(
    ...symbols.map((s) => {
      const option = document.createElement('option');
      option.value = s;
      option.textContent = s;
      return option;
    }),
  );
  if (chosen !== undefined) select.value = chosen;
  const [portfolio, points, orders] = await Promise.all([
    data.portfolio(),
    data.equity(),
    data.recentOrders(ORDERS_KEPT),
  ]);
  state.portfolio = portfolio;
  state.orders = new Map(orders.map((o) => [o.orderId, o]));
  equity.setPoints(points);
  drawPortfolio();
  drawOrders();
  await loadSymbol(chosen);
  await refreshPipeline();
}

async function refreshPipeline() {
  try {
    renderPipeline($('lag'), $('dead-letters'), await data.pipeline());
  } catch (error) {
    console.warn('pipeline health unavailable', error);
  }
}

/** A bar marks the position of its symbol at once; the next portfolio event brings the projection's figures. */
function onBar(candle) {
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
  if (candle.symbol !== state.symbol) return;
  const last = state.candles.at(-1);
  candles.update(candle, last?.time);
  if (last === undefined || candle.time > last.time) state.candles.push(candle);
  else if (candle.time === last.time) state.candles[state.candles.length - 1] = candle;
  else return;
  drawLastPrice();
}

function onSignal(signal) {
  if (signal.symbol !== state.symbol) return;
  if (state.signals.some((s) => s.model === signal.model && s.timestamp === signal.timestamp)) return;
  state.signals.push(signal);
  renderModels($('models'), state.signals);
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
  if (previous === undefined || portfolio.asOf > previous.asOf)
    equity.add({ time: portfolio.asOf, equity: portfolio.equity, drawdown: portfolio.drawdown });
}

/** Events that arrive while the history loads wait, then apply (repeats of loaded data are no-ops). */
let loading = Promise.resolve();
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

$('symbol').addEventListener('change', (event) => void loadSymbol(event.target.value));
setInterval(() => void refreshPipeline(), PIPELINE_EVERY_MS);
connect();
await reload();
document.body.dataset.ready = 'true';
