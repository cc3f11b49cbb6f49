/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// DOM types: the callbacks given to page.evaluate run in the browser.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_DATA, ML_SIGNALS, ORDERS, type MarketData } from '../../src/contracts/index.ts';
import { signalAt } from '../support/messages.ts';
import { CHROMIUM, colourPixels, haveChromium } from './browser.ts';
import { dashboardMarket, extraOrderId, marketBuy, publishInTimeOrder, SYMBOLS } from './dashboard-market.ts';
import {
  BROKEN_TEXT,
  drawdownReadings,
  markerLabels,
  overlapping,
  stamps,
  timeAxisRuns,
  chartEnds,
} from './dashboard-polish.ts';
import { DashboardStack } from './dashboard-stack.ts';

const MINUTES = 90;
const UP = '#26a69a';
const DOWN = '#ef5350';
const EQUITY = '#4c8dff';

/** The widths the page is checked at: a desktop, a smaller laptop, a narrow window (tablet). */
const WIDTHS = [
  [1440, 900],
  [1280, 800],
  [820, 1000],
] as const;

/** Where the screenshots are kept (git-ignored), for a person to look at after a run. */
const shots = fileURLToPath(new URL('../../test-results/dashboard/', import.meta.url));
mkdirSync(shots, { recursive: true });

/** What the page showed before the first data, and once the first data had come. */
interface FirstData {
  readonly empty: {
    readonly text: string;
    readonly asOf: string;
    readonly messages: readonly boolean[];
    readonly tables: readonly string[];
  };
  readonly loaded: { readonly symbol: string; readonly messages: readonly boolean[]; readonly text: string };
}

/** Whether the empty-chart messages are on screen (candles, equity). */
const chartMessages = (page: Page): Promise<boolean[]> =>
  page.$$eval('.chart-empty', (elements) =>
    elements.map((e) => !(e as HTMLElement).hidden && e.getBoundingClientRect().height > 0),
  );

it.runIf(!haveChromium && process.env.CI === 'true')('has a browser to run in (CI)', () => {
  throw new Error(
    `the dashboard's end-to-end test needs Chromium at ${CHROMIUM}: apt-get install -y chromium ` +
      '(or set CHROMIUM_PATH); bash .ci/run installs it',
  );
});

describe.skipIf(!haveChromium)('dashboard in a browser', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let lastBar: MarketData;
  let firstData: FirstData;

  beforeAll(async () => {
    stack = await DashboardStack.start();
    const market = dashboardMarket(MINUTES);
    lastBar = market.bars.filter((bar) => bar.symbol === SYMBOLS[0]).at(-1) as MarketData;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${message.text()} ${message.location().url ?? ''}`);
    });
    await page.setViewport({ width: 1440, height: 900 });
    // A newcomer's first look: the page opened before any data.
    await page.goto(stack.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const empty = {
      text: await page.evaluate(() => document.body.innerText),
      asOf: await page.$eval('#as-of', (e) => e.textContent ?? ''),
      messages: await chartMessages(page),
      tables: await page.$$eval('td.empty', (cells) => cells.map((c) => c.textContent ?? '')),
    };
    await page.screenshot({ path: join(shots, '0-empty-1440.png'), fullPage: true });
    await publishInTimeOrder((topic, values) => stack.publish(topic, values), market);
    await stack.settled();
    // The first data shows without a reload.
    await page
      .waitForFunction(() => document.querySelector<HTMLElement>('#candles-empty')?.hidden === true, {
        timeout: 20_000,
      })
      .catch(() => undefined);
    firstData = {
      empty,
      loaded: {
        symbol: await page.$eval('#symbol', (select) => (select as HTMLSelectElement).value),
        messages: await chartMessages(page),
        text: await page.evaluate(() => document.body.innerText),
      },
    };
    // The other checks start from a fresh load of the settled market.
    await page.goto(stack.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    console.log(`dashboard screenshots in ${shots}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const json = async <T>(path: string): Promise<T> =>
    (await fetch(`${stack.url}${path}`)).json() as Promise<T>;
  const texts = (selector: string): Promise<string[]> =>
    page.$$eval(selector, (elements) => elements.map((e) => e.textContent ?? ''));

  it('shows a clear empty state before the first data, then the data as it comes, without a reload', () => {
    const { empty, loaded } = firstData;
    expect(empty.text).not.toMatch(BROKEN_TEXT);
    expect(empty.asOf).toBe('waiting for data');
    // Both charts say why they are empty instead of showing a blank grid.
    expect(empty.messages).toEqual([true, true]);
    expect(empty.tables).toEqual(
      expect.arrayContaining(['No open positions', 'No signals yet', 'No consumers yet', 'No orders yet']),
    );
    expect(loaded.symbol).toBe(SYMBOLS[0]);
    expect(loaded.messages).toEqual([false, false]);
    expect(loaded.text).not.toMatch(BROKEN_TEXT);
  });

  it('draws the candles of the first symbol, with markers, and the equity curve', async () => {
    // Charts draw on the next animation frame.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await page.$eval('#symbol', (select) => (select as HTMLSelectElement).value)).toBe(SYMBOLS[0]);
    expect(await texts('#symbol option')).toEqual([...SYMBOLS]);
    const candles = await colourPixels(page, '#candles', [UP, DOWN]);
    expect(candles[UP]).toBeGreaterThan(300);
    expect(candles[DOWN]).toBeGreaterThan(300);
    const equity = await colourPixels(page, '#equity', [EQUITY, DOWN]);
    expect(equity[EQUITY]).toBeGreaterThan(100);
    // Hovering a bar shows its prices and each model's signal with its confidence.
    const box = await (await page.$('#candles'))?.boundingBox();
    if (box === null || box === undefined) throw new Error('no candle chart on the page');
    await page.mouse.move(box.x + 10, box.y + 10);
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4, { steps: 8 });
    await page.waitForFunction(() => (document.querySelector('#ohlc')?.textContent ?? '') !== '', {
      timeout: 5_000,
    });
    expect(await page.$eval('#ohlc', (e) => e.textContent)).toMatch(
      /^O .* C .*(RF|SVM|LR) (BUY|SELL|HOLD) 0\.\d\d/,
    );
    await page.screenshot({ path: join(shots, '1-loaded-1440.png'), fullPage: true });
    await page.mouse.move(0, 0);
    expect(pageErrors).toEqual([]);
  });

  it('lists the open positions and the recent orders with their histories', async () => {
    const positions = await json<Array<{ symbol: string }>>('/positions');
    expect(positions.length).toBeGreaterThan(0);
    expect(
      await page.$$eval('#positions tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.symbol)),
    ).toEqual(positions.map((p) => p.symbol));
    const recent = await json<Array<{ orderId: string; events: unknown[] }>>('/orders/recent?limit=25');
    const rows = await page.$$eval('#orders tbody tr', (trs) =>
      trs.map((r) => (r as HTMLElement).dataset.orderId),
    );
    expect(rows).toEqual(recent.map((o) => o.orderId));
    const histories = await texts('#orders tbody tr .history');
    expect(histories.some((h) => /PENDING .*→.*FILLED .*→.*CLOSED/.test(h))).toBe(true);
    expect(await texts('#models tbody tr td:first-child')).toHaveLength(3);
    expect((await texts('#lag tbody tr')).length).toBeGreaterThan(0);
    expect(await texts('#dead-letters tbody tr td:first-child')).toEqual([MARKET_DATA, ML_SIGNALS, ORDERS]);
    expect(await page.$eval('[data-field="equity"]', (e) => e.textContent)).toMatch(
      /^\d{1,3}(,\d{3})*\.\d{2}$/,
    );
  });

  it('applies a new bar and a new order as they reach the log, without a reload', async () => {
    const symbol = SYMBOLS[0];
    const time = lastBar.timestamp + 60_000;
    const close = Number((lastBar.price * 1.03).toFixed(4));
    const bar: MarketData = {
      symbol,
      timestamp: time,
      open: lastBar.price,
      high: close,
      low: lastBar.price,
      price: close,
      volume: 42,
      price_change_pct: Number((((close - lastBar.price) / lastBar.price) * 100).toFixed(6)),
    };
    const before = await page.$eval('#last-price', (e) => e.textContent);
    await page.evaluate(() => {
      (window as unknown as { marker: boolean }).marker = true;
    });
    await stack.publish(MARKET_DATA, [bar]);
    await page.waitForFunction(
      (text) => document.querySelector('#last-price')?.textContent !== text,
      { timeout: 10_000 },
      before,
    );
    expect(await page.$eval('#last-price', (e) => e.textContent)).toContain(close.toFixed(2).slice(0, -1));

    const orderId = extraOrderId(time, 50);
    await stack.publish(ORDERS, [marketBuy(orderId, symbol, time + 1_000, close)]);
    await page.waitForSelector(`#orders tbody tr[data-order-id="${orderId}"] .badge.PENDING`, {
      timeout: 10_000,
    });
    // The next bar fills it: the exchange's FILLED event reaches the page too.
    await stack.publish(MARKET_DATA, [{ ...bar, timestamp: time + 60_000, open: close, low: close }]);
    await page.waitForSelector(`#orders tbody tr[data-order-id="${orderId}"] .badge.FILLED`, {
      timeout: 15_000,
    });
    expect((await texts('#orders tbody tr:first-child'))[0]).toContain(orderId);
    // New bars keep both charts fitted with their margins: a view scrolled along cuts the first time label.
    const { margin, charts } = await chartEnds(page);
    for (const [i, { first, last, width }] of charts.entries()) {
      const chart = ['candles', 'equity'][i];
      expect(first, `the first bar keeps its left margin on ${chart}`).toBeGreaterThanOrEqual(margin - 1);
      expect(last, `the last bar keeps its right margin on ${chart}`).toBeLessThanOrEqual(width - margin + 1);
    }
    // Same page: no navigation happened.
    expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    await page.screenshot({ path: join(shots, '2-live-1440.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows a paused badge while entries are paused, and none once resumed', async () => {
    const badges = (): Promise<string[]> => texts('#status-badges .status-badge');
    expect(await badges()).toEqual([]);
    await stack.controls.pauseEntries({ by: 'e2e', reason: 'badge test' });
    await stack.controls.pauseEntries({ symbol: SYMBOLS[0], by: 'e2e' });
    // The page reads the controls with the pipeline panel, every 5 s.
    await page.waitForFunction(() => document.querySelectorAll('#status-badges .status-badge').length === 2, {
      timeout: 15_000,
    });
    expect(await badges()).toEqual(['entries paused', `paused: ${SYMBOLS[0]}`]);
    await page.screenshot({ path: join(shots, '3-paused-1440.png') });
    await stack.controls.resumeEntries({ by: 'e2e' });
    await stack.controls.resumeEntries({ symbol: SYMBOLS[0], by: 'e2e' });
    await page.waitForFunction(() => document.querySelectorAll('#status-badges .status-badge').length === 0, {
      timeout: 15_000,
    });
    expect(pageErrors).toEqual([]);
  });

  it("holds a signal ahead of the page's time until the market reaches it: the stamps stay one moment", async () => {
    const symbol = SYMBOLS[0];
    const before = await stamps(page);
    expect(before.models).toBe(before.header);
    const ahead = before.header + 60_000;
    const signal = signalAt(ahead, {
      symbol,
      model: 'svm',
      signal: 'SELL',
      confidence: 0.91,
      expected_change_pct: -2,
      current_price: lastBar.price,
      predicted_value: Number((lastBar.price * 0.98).toFixed(4)),
    });
    await stack.publish(ML_SIGNALS, [signal]);
    // The page has it, but does not show it: it is ahead of everything else on the page.
    await page.waitForFunction(
      (time) =>
        (
          window as unknown as { dashboard: { state: { signals: Array<{ timestamp: number }> } } }
        ).dashboard.state.signals.some((s) => s.timestamp === time),
      { timeout: 10_000 },
      ahead,
    );
    const held = await stamps(page);
    expect(held.header).toBe(before.header);
    expect(held.models).toBe(held.header);
    expect(held.newestSignal).toBeLessThanOrEqual(held.header);
    // Its bar comes: the page's time moves on, and the signal shows, stamped with the same time.
    await stack.publish(MARKET_DATA, [
      {
        ...lastBar,
        timestamp: ahead,
        open: lastBar.price,
        high: lastBar.price,
        low: lastBar.price,
        volume: 1,
      },
    ]);
    await page.waitForSelector(`#models tbody tr[data-time="${ahead}"]`, { timeout: 10_000 });
    const after = await stamps(page);
    expect(after.header).toBe(ahead);
    expect(after.models).toBe(ahead);
    expect(after.newestSignal).toBe(ahead);
    expect(after.lastBar).toBe(ahead);
    expect(after.headerText).toContain(new Date(ahead).toISOString().slice(11, 16));
    await stack.settled();
  });

  it.each(WIDTHS)(
    'at %i px: labels whole and apart, one drawdown sign, services, one as-of time',
    async (width, height) => {
      await page.setViewport({ width, height });
      await page.mouse.move(0, 0);
      // Resizing redraws the charts and places the marker labels again, on animation frames.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(shots, `polish-${width}.png`), fullPage: true });

      // Marker labels: none overlaps another on its side of the bars, none passes the plot's edges.
      const { plotWidth, labels } = await markerLabels(page);
      expect(labels.length).toBeGreaterThan(0);
      expect(overlapping(labels), `overlapping labels at ${width}px`).toEqual([]);
      for (const label of labels) {
        expect(label.left, `${label.text} cut on the left`).toBeGreaterThanOrEqual(0);
        expect(label.right, `${label.text} cut on the right`).toBeLessThanOrEqual(plotWidth);
      }

      // Time-axis labels: no label runs into either edge of its axis (where it would be cut).
      for (const chart of ['#candles', '#equity']) {
        const axis = await timeAxisRuns(page, chart);
        expect(axis.runs.length, `labels on the time axis of ${chart}`).toBeGreaterThan(2);
        for (const [from, to] of axis.runs) {
          expect(from, `a label cut at the left of ${chart}'s time axis`).toBeGreaterThan(4);
          expect(to, `a label cut at the right of ${chart}'s time axis`).toBeLessThan(axis.width - 5);
        }
      }

      // Drawdown: the card and the chart say the same, as a negative number (red unless zero).
      const drawdown = await drawdownReadings(page);
      expect(drawdown.card).toMatch(/^(−\d+\.\d\d%|0\.00%)$/);
      expect(drawdown.chart).toBe(drawdown.card);
      expect(drawdown.cardRed).toBe(drawdown.card.startsWith('−'));

      // Pipeline: one row per service, store ids hidden, every group's full name on hover.
      const health = await json<{ groups: Array<{ group: string }>; services: Array<{ service: string }> }>(
        '/pipeline',
      );
      const rows = await page.$$eval('#lag tbody tr', (trs) =>
        trs.map((tr) => ({
          name: tr.cells[0]?.textContent ?? '',
          title: tr.title,
        })),
      );
      const groups = [...new Set(health.groups.map((g) => g.group))];
      expect(rows.map((r) => r.name)).toEqual(health.services.map((s) => s.service));
      expect(rows.length).toBeLessThan(groups.length);
      for (const row of rows) expect(row.name).not.toMatch(/[0-9a-f]{8}/);
      for (const group of groups)
        expect(
          rows.filter((r) => r.title.split('\n').some((line) => line.startsWith(`${group} on `))),
        ).toHaveLength(1);

      // One moment: the header and the model panel carry the snapshot's time; nothing shown is later.
      const snapshot = await json<{ asOf: number }>('/dashboard/snapshot');
      const stamped = await stamps(page);
      expect(stamped.header).toBe(snapshot.asOf);
      expect(stamped.models).toBe(stamped.header);
      expect(stamped.newestSignal).toBeLessThanOrEqual(stamped.header);
      expect(stamped.lastBar).toBeLessThanOrEqual(stamped.header);
      expect(await page.evaluate(() => document.body.innerText)).not.toMatch(BROKEN_TEXT);
      expect(pageErrors).toEqual([]);
    },
  );
});
