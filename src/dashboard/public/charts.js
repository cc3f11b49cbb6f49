/** The two charts, on TradingView's lightweight-charts (served by the API from node_modules). */
import {
  AreaSeries,
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  createChart,
  createSeriesMarkers,
} from '/dashboard/vendor/lightweight-charts.mjs';
import { signedPct } from './format.js';

export const COLORS = {
  up: '#26a69a',
  down: '#ef5350',
  fill: '#42a5f5',
  sell: '#ffa726',
  equity: '#4c8dff',
  text: '#9aa4b2',
  grid: '#1f242d',
};

/** The charts' text (axes, marker labels): the page's font, named so that labels can be measured as drawn. */
export const FONT = {
  size: 12,
  family: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
};

const base = {
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: '#171b22' },
    textColor: COLORS.text,
    fontSize: FONT.size,
    fontFamily: FONT.family,
    attributionLogo: false,
  },
  grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
  rightPriceScale: { borderColor: '#252b35' },
  timeScale: { borderColor: '#252b35', timeVisible: true, secondsVisible: false },
  crosshair: { mode: CrosshairMode.Normal },
};

/**
 * Free pixels on each side of the bars when a chart fits its data. The chart centres time labels
 * and marker labels on their bar and cuts what passes the plot's edge: fitted edge to edge (the
 * library's `fitContent`), the first and last labels lost their outer characters ("6:00" for
 * "16:00"). Half the widest label fits in this margin.
 */
export const EDGE_PX = 48;

/** Shows `count` bars with `EDGE_PX` free on either side (at the chart's current width). */
function fit(chart, count) {
  const width = chart.timeScale().width();
  if (count === 0) return;
  if (width <= 4 * EDGE_PX) {
    chart.timeScale().fitContent();
    return;
  }
  const pad = EDGE_PX / ((width - 2 * EDGE_PX) / count);
  chart.timeScale().setVisibleLogicalRange({ from: -0.5 - pad, to: count - 0.5 + pad });
}

/**
 * Keeps a chart fitted to its bars as they come, until the user scrolls or zooms it (a wheel or a
 * drag on it). Left to the chart, a new bar scrolls the view by one bar, which moves the left
 * margin away and lets the first time label be cut at the edge.
 */
function fitting(chart, element) {
  let count = 0;
  let moved = false;
  element.addEventListener('wheel', () => (moved = true), { passive: true });
  element.addEventListener('pointermove', (event) => {
    if (event.buttons !== 0) moved = true;
  });
  return {
    /** All bars replaced: `n` of them now, shown whole again. */
    reset(n) {
      count = n;
      moved = false;
      fit(chart, count);
    },
    /** `append()` adds a bar, or updates the last one when it returns false. */
    grow(append) {
      if (append() !== true) return;
      count++;
      if (!moved) fit(chart, count);
    },
    resized: () => fit(chart, count),
  };
}

/** Chart time: seconds since epoch (lightweight-charts' UTCTimestamp). */
export const chartTime = (ms) => Math.floor(ms / 1000);

let measuring;
/** The width in pixels of a label in the charts' font, as the chart measures it on its canvas. */
export function textWidth(text) {
  measuring ??= document.createElement('canvas').getContext('2d');
  measuring.font = `${FONT.size}px ${FONT.family}`;
  return measuring.measureText(text).width;
}

const toBar = (c) => ({ time: chartTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close });
const toVolume = (c) => ({
  time: chartTime(c.time),
  value: c.volume,
  color: c.close >= c.open ? 'rgba(38,166,154,0.35)' : 'rgba(239,83,80,0.35)',
});

/**
 * Candles with volume underneath and markers; `onHover` gets the chart time and bar under the
 * crosshair, `onScale` is called (once a frame at most) when zoom, scroll or size change where bars
 * are drawn, which is when marker labels must be placed again.
 */
export function candleChart(element, onHover, onScale) {
  const chart = createChart(element, base);
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: COLORS.up,
    downColor: COLORS.down,
    borderVisible: false,
    wickUpColor: COLORS.up,
    wickDownColor: COLORS.down,
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
  const volume = chart.addSeries(HistogramSeries, {
    priceScaleId: 'volume',
    priceFormat: { type: 'volume' },
  });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
  const markers = createSeriesMarkers(candles, []);
  chart.subscribeCrosshairMove((param) => onHover(param.time, param.seriesData.get(candles)));
  let frame;
  const rescaled = () => {
    if (frame !== undefined) return;
    frame = requestAnimationFrame(() => {
      frame = undefined;
      onScale();
    });
  };
  const view = fitting(chart, element);
  chart.timeScale().subscribeVisibleLogicalRangeChange(rescaled);
  chart.timeScale().subscribeSizeChange(() => {
    view.resized();
    rescaled();
  });
  return {
    chart,
    series: candles,
    markers,
    setCandles(list) {
      candles.setData(list.map(toBar));
      volume.setData(list.map(toVolume));
      view.reset(list.length);
    },
    /** A new or updated last bar; older bars than the last shown are ignored (the chart cannot insert). */
    update(candle, lastTime) {
      if (lastTime !== undefined && candle.time < lastTime) return;
      view.grow(() => {
        candles.update(toBar(candle));
        volume.update(toVolume(candle));
        return lastTime === undefined || candle.time > lastTime;
      });
    },
    setMarkers(list) {
      markers.setMarkers(list);
    },
    /** The x of a chart time in pixels from the left of the plot, or null when the chart has no such bar. */
    xOf: (time) => chart.timeScale().timeToCoordinate(time),
    /** The plot's width in pixels (the price scale not included). */
    plotWidth: () => chart.timeScale().width(),
  };
}

/**
 * Equity on top, drawdown below it in its own pane as a negative percentage: the summary card shows
 * it the same way (`signedPct`), so both read e.g. "−0.07%".
 */
export function equityChart(element) {
  const chart = createChart(element, base);
  const equity = chart.addSeries(LineSeries, { color: COLORS.equity, lineWidth: 2, title: 'equity' });
  const drawdown = chart.addSeries(
    AreaSeries,
    {
      lineColor: COLORS.down,
      topColor: 'rgba(239,83,80,0.05)',
      bottomColor: 'rgba(239,83,80,0.35)',
      lineWidth: 1,
      title: 'drawdown',
      priceFormat: { type: 'custom', minMove: 0.01, formatter: (percent) => signedPct(percent / 100) },
    },
    1,
  );
  chart.panes()[1]?.setHeight(90);
  let last;
  const view = fitting(chart, element);
  chart.timeScale().subscribeSizeChange(view.resized);
  const point = (p) => ({ time: chartTime(p.time), equity: p.equity, drawdown: -100 * p.drawdown });
  return {
    chart,
    series: { equity, drawdown },
    /** Points in time order; several in one second keep the last. */
    setPoints(points) {
      const bySecond = new Map();
      for (const p of points) bySecond.set(chartTime(p.time), point(p));
      const list = [...bySecond.values()];
      equity.setData(list.map((p) => ({ time: p.time, value: p.equity })));
      drawdown.setData(list.map((p) => ({ time: p.time, value: p.drawdown })));
      last = list.at(-1)?.time;
      view.reset(list.length);
    },
    add(p) {
      const next = point(p);
      if (last !== undefined && next.time < last) return;
      view.grow(() => {
        equity.update({ time: next.time, value: next.equity });
        drawdown.update({ time: next.time, value: next.drawdown });
        const added = next.time !== last;
        last = next.time;
        return added;
      });
    },
  };
}
