/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// DOM types: the callbacks given to page.evaluate run in the browser.
import { existsSync } from 'node:fs';
import type { Page } from 'puppeteer-core';

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH points elsewhere. Never downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** An RGB colour as the charts draw it, e.g. '#26a69a'. */
const rgb = (hex: string): [number, number, number] => [
  Number.parseInt(hex.slice(1, 3), 16),
  Number.parseInt(hex.slice(3, 5), 16),
  Number.parseInt(hex.slice(5, 7), 16),
];

/**
 * How many pixels of the canvases inside `selector` are (nearly) each of `colors`: proof that the
 * chart drew candles or a line, not only its background and axes.
 */
export async function colourPixels(
  page: Page,
  selector: string,
  colors: readonly string[],
): Promise<Record<string, number>> {
  const targets = colors.map(rgb);
  const counts = await page.evaluate(
    (sel, wanted) => {
      const out: number[] = wanted.map(() => 0);
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>(`${sel} canvas`)) {
        if (canvas.width === 0 || canvas.height === 0) continue;
        const context = canvas.getContext('2d');
        if (context === null) continue;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          if ((data[i + 3] as number) < 200) continue;
          wanted.forEach(([r, g, b], n) => {
            const close =
              Math.abs((data[i] as number) - r) +
              Math.abs((data[i + 1] as number) - g) +
              Math.abs((data[i + 2] as number) - b);
            if (close < 24) out[n] = (out[n] as number) + 1;
          });
        }
      }
      return out;
    },
    selector,
    targets,
  );
  return Object.fromEntries(colors.map((color, n) => [color, counts[n] ?? 0]));
}
