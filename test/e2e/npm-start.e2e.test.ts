/// <reference lib="dom" />
// DOM types: the callbacks given to page.evaluate run in the browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, colourPixels, haveChromium } from './browser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'src/cli/main.ts');
/** What a newcomer is promised: trades on the dashboard within two minutes of `npm start`. */
const TRADES_WITHIN_MS = 120_000;

/** Runs `npm start`'s command in a fresh data directory on a free port; resolves with the dashboard URL. */
function start(dataDir: string): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start'], {
    cwd: ROOT,
    env: { ...process.env, CML_DATA_DIR: dataDir, CML_API_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const seen = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /dashboard: (http:\/\/\S+)/.exec(output);
      if (match !== null) resolve(match[1] as string);
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${output}`)));
  });
  return { child, url, output: () => output };
}

describe.skipIf(!haveChromium)('npm start, as a newcomer sees it', () => {
  let browser: Browser | undefined;
  let child: ChildProcess | undefined;

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGINT');
  });

  it(
    'serves the dashboard, which shows trades within two minutes, draws its charts and updates live',
    { timeout: 240_000 },
    async () => {
      const started = Date.now();
      const run = start(mkdtempSync(join(tmpdir(), 'cml-npm-start-')));
      child = run.child;
      const url = await run.url;
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
      });
      const page = await browser.newPage();
      await page.setViewport({ width: 1440, height: 900 });
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });

      // Trades: an order that the exchange filled, on the page.
      await page.waitForSelector('#orders tbody tr .badge.FILLED', {
        timeout: Math.max(1_000, TRADES_WITHIN_MS - (Date.now() - started)),
      });
      const tradedAfter = Date.now() - started;
      console.log(`npm start: first fill on the dashboard ${(tradedAfter / 1_000).toFixed(1)} s after start`);
      expect(tradedAfter).toBeLessThan(TRADES_WITHIN_MS);

      // Charts: candles drawn in both colours.
      const candles = await colourPixels(page, '#candles', ['#26a69a', '#ef5350']);
      expect(candles['#26a69a']).toBeGreaterThan(100);
      expect(candles['#ef5350']).toBeGreaterThan(100);

      // Live: the simulator's next bar moves the last price without a reload.
      const before = await page.$eval('#last-price', (e) => e.textContent);
      await page.waitForFunction(
        (text) => document.querySelector('#last-price')?.textContent !== text,
        { timeout: 30_000 },
        before,
      );
      const shots = join(ROOT, 'test-results', 'dashboard');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'npm-start-1440.png'), fullPage: true });
    },
  );
});
