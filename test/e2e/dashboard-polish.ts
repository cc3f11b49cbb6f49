/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// DOM types: the callbacks given to page.evaluate run in the browser.
import type { Page } from 'puppeteer-core';

/** A marker label as the chart draws it: its text centred on its bar, in the chart's font. */
export interface LabelBox {
  readonly text: string;
  readonly position: string;
  readonly left: number;
  readonly right: number;
}

/** The page's inspection handle (`window.dashboard`), as far as these checks read it. */
interface Inspectable {
  dashboard: {
    /** The free pixels the charts keep on either side of their bars (`EDGE_PX`). */
    margin: number;
    candles: {
      chart: {
        options(): { layout: { fontSize: number; fontFamily: string } };
        timeScale(): {
          width(): number;
          timeToCoordinate(time: number): number | null;
        };
      };
      series: { data(): ReadonlyArray<{ time: number }> };
      markers: { markers(): ReadonlyArray<{ time: number; position: string; text?: string }> };
    };
    equity: {
      chart: { timeScale(): { width(): number; timeToCoordinate(time: number): number | null } };
      series: {
        equity: { data(): ReadonlyArray<{ time: number }> };
        drawdown: {
          data(): ReadonlyArray<{ value: number }>;
          priceFormatter(): { format(value: number): string };
        };
      };
    };
  };
}

/**
 * The labels of the markers the candle chart was given, placed as lightweight-charts draws them
 * (centred on the bar's x, measured in the chart's layout font), and the plot's width.
 */
export function markerLabels(page: Page): Promise<{ plotWidth: number; labels: LabelBox[] }> {
  return page.evaluate(() => {
    const { candles } = (window as unknown as Inspectable).dashboard;
    const { fontSize, fontFamily } = candles.chart.options().layout;
    const context = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
    context.font = `${fontSize}px ${fontFamily}`;
    const scale = candles.chart.timeScale();
    const labels = candles.markers
      .markers()
      .filter((m) => m.text !== undefined && m.text !== '')
      .map((m) => {
        const x = scale.timeToCoordinate(m.time) ?? Number.NaN;
        const width = context.measureText(m.text as string).width;
        return { text: m.text as string, position: m.position, left: x - width / 2, right: x + width / 2 };
      });
    return { plotWidth: scale.width(), labels };
  });
}

/** Pairs of labels on the same side of the bars whose boxes overlap. */
export const overlapping = (labels: readonly LabelBox[]): Array<[string, string]> =>
  labels.flatMap((a, i) =>
    labels
      .slice(i + 1)
      .filter((b) => a.position === b.position && a.right > b.left && b.right > a.left)
      .map((b): [string, string] => [a.text, b.text]),
  );

/**
 * The runs of text on the time axis of the chart in `selector` (columns with glyph pixels, gaps of
 * a few pixels joined: one run per label), in canvas pixels, with the axis width.
 */
export function timeAxisRuns(
  page: Page,
  selector: string,
): Promise<{ width: number; runs: Array<[number, number]> }> {
  return page.evaluate((sel) => {
    // The chart is a table: pane rows, then the time axis row (price-axis stub, axis, stub).
    const row = [...document.querySelectorAll(`${sel} table tr`)].at(-1);
    const canvas = row?.querySelector<HTMLCanvasElement>('td:nth-child(2) canvas');
    if (canvas === null || canvas === undefined) throw new Error(`no time axis in ${sel}`);
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    const { width, height } = canvas;
    const { data } = context.getImageData(0, 0, width, height);
    const ink: boolean[] = [];
    for (let x = 0; x < width; x++) {
      let found = false;
      // Below the border line: the labels' band.
      for (let y = 3; y < height && !found; y++) {
        const i = (y * width + x) * 4;
        const luminance =
          0.3 * (data[i] as number) + 0.59 * (data[i + 1] as number) + 0.11 * (data[i + 2] as number);
        found = luminance > 70;
      }
      ink.push(found);
    }
    const runs: Array<[number, number]> = [];
    for (let x = 0; x < width; x++) {
      if (!ink[x]) continue;
      const last = runs.at(-1);
      if (last !== undefined && x - last[1] <= 4) last[1] = x;
      else runs.push([x, x]);
    }
    return { width, runs };
  }, selector);
}

/** Where each chart draws its first and last bar, in pixels from the plot's left, and the plot's width. */
export function chartEnds(
  page: Page,
): Promise<{ margin: number; charts: Array<{ first: number | null; last: number | null; width: number }> }> {
  return page.evaluate(() => {
    const { candles, equity, margin } = (window as unknown as Inspectable).dashboard;
    const charts = [
      { chart: candles.chart, data: candles.series.data() },
      { chart: equity.chart, data: equity.series.equity.data() },
    ].map(({ chart, data }) => {
      const scale = chart.timeScale();
      const at = (point: { time: number } | undefined) =>
        point === undefined ? null : scale.timeToCoordinate(point.time);
      return { first: at(data[0]), last: at(data.at(-1)), width: scale.width() };
    });
    return { margin, charts };
  });
}

/** The drawdown as the summary card shows it, and as the equity chart labels its last point. */
export function drawdownReadings(
  page: Page,
): Promise<{ card: string; cardRed: boolean; chart: string | null }> {
  return page.evaluate(() => {
    const series = (window as unknown as Inspectable).dashboard.equity.series.drawdown;
    const last = series.data().at(-1);
    const card = document.querySelector('[data-field="drawdown"]') as HTMLElement;
    return {
      card: card.textContent ?? '',
      cardRed: card.classList.contains('neg'),
      chart: last === undefined ? null : series.priceFormatter().format(last.value),
    };
  });
}

/** The as-of times the page stamps (header, model panel), the newest signal shown and the last bar drawn. */
export function stamps(
  page: Page,
): Promise<{ header: number; models: number; newestSignal: number; lastBar: number; headerText: string }> {
  return page.evaluate(() => {
    const asOf = (id: string): number => Number((document.getElementById(id) as HTMLElement).dataset.asOf);
    const times = [...document.querySelectorAll<HTMLElement>('#models tbody tr[data-time]')].map((tr) =>
      Number(tr.dataset.time),
    );
    const bars = (window as unknown as Inspectable).dashboard.candles.series.data();
    return {
      header: asOf('as-of'),
      models: asOf('models-as-of'),
      newestSignal: Math.max(0, ...times),
      lastBar: (bars.at(-1)?.time ?? 0) * 1000,
      headerText: document.getElementById('as-of')?.textContent ?? '',
    };
  });
}

/** Text of the page that must never show: numbers that failed to be numbers. */
export const BROKEN_TEXT = /NaN|undefined|Infinity|null/;
