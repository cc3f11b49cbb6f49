/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// DOM types: the callbacks given to page.evaluate run in the browser.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_DATA, ML_SIGNALS, ORDERS, type MarketData } from '../../src/contracts/index.ts';
import { CHROMIUM, colourPixels, haveChromium } from './browser.ts';
import { dashboardMarket, extraOrderId, marketBuy, publishInTimeOrder, SYMBOLS } from './dashboard-market.ts';
import { DashboardStack } from './dashboard-stack.ts';

const MINUTES = 90;
const UP = '#26a69a';
const DOWN = '#ef5350';
const EQUITY = '#4c8dff';

/** Where the screenshots go; the path is printed so a person can look at them. */
const shots = mkdtempSync(join(tmpdir(), 'cml-dashboard-shots-'));

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

  beforeAll(async () => {
    stack = await DashboardStack.start();
    const market = dashboardMarket(MINUTES);
    lastBar = market.bars.filter((bar) => bar.symbol === SYMBOLS[0]).at(-1) as MarketData;
    await publishInTimeOrder((topic, values) => stack.publish(topic, values), market);
    await stack.settled();
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
    // Same page: no navigation happened.
    expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    await page.screenshot({ path: join(shots, '2-live-1440.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('fits a smaller laptop screen and a narrow window', async () => {
    for (const [width, height] of [
      [1280, 800],
      [820, 1000],
    ] as const) {
      await page.setViewport({ width, height });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(shots, `3-${width}.png`), fullPage: true });
    }
  });
});
