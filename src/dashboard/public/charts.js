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

export const COLORS = {
  up: '#26a69a',
  down: '#ef5350',
  fill: '#42a5f5',
  sell: '#ffa726',
  equity: '#4c8dff',
  text: '#9aa4b2',
  grid: '#1f242d',
};

const base = {
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: '#171b22' },
    textColor: COLORS.text,
    fontSize: 12,
    attributionLogo: false,
  },
  grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
  rightPriceScale: { borderColor: '#252b35' },
  timeScale: { borderColor: '#252b35', timeVisible: true, secondsVisible: false },
  crosshair: { mode: CrosshairMode.Normal },
};

/** Chart time: seconds since epoch (lightweight-charts' UTCTimestamp). */
export const chartTime = (ms) => Math.floor(ms / 1000);

const toBar = (c) => ({ time: chartTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close });
const toVolume = (c) => ({
  time: chartTime(c.time),
  value: c.volume,
  color: c.close >= c.open ? 'rgba(38,166,154,0.35)' : 'rgba(239,83,80,0.35)',
});

/** Candles with volume underneath and markers; `onHover` gets the chart time and bar under the crosshair. */
export function candleChart(element, onHover) {
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
  return {
    setCandles(list) {
      candles.setData(list.map(toBar));
      volume.setData(list.map(toVolume));
      chart.timeScale().fitContent();
    },
    /** A new or updated last bar; older bars than the last shown are ignored (the chart cannot insert). */
    update(candle, lastTime) {
      if (lastTime !== undefined && candle.time < lastTime) return;
      candles.update(toBar(candle));
      volume.update(toVolume(candle));
    },
    setMarkers(list) {
      markers.setMarkers(list);
    },
  };
}

/** Equity on top, drawdown (as a negative percentage) in a pane below. */
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
      title: 'drawdown %',
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
    },
    1,
  );
  chart.panes()[1]?.setHeight(90);
  let last;
  const point = (p) => ({ time: chartTime(p.time), equity: p.equity, drawdown: -100 * p.drawdown });
  return {
    /** Points in time order; several in one second keep the last. */
    setPoints(points) {
      const bySecond = new Map();
      for (const p of points) bySecond.set(chartTime(p.time), point(p));
      const list = [...bySecond.values()];
      equity.setData(list.map((p) => ({ time: p.time, value: p.equity })));
      drawdown.setData(list.map((p) => ({ time: p.time, value: p.drawdown })));
      last = list.at(-1)?.time;
      chart.timeScale().fitContent();
    },
    add(p) {
      const next = point(p);
      if (last !== undefined && next.time < last) return;
      equity.update({ time: next.time, value: next.equity });
      drawdown.update({ time: next.time, value: next.drawdown });
      last = next.time;
    },
  };
}
