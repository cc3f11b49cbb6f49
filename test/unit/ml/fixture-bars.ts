import type { MarketData } from '../../../src/contracts/index.ts';
import { readBarsFile } from '../../../src/ml/index.ts';

export const FIXTURE = new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url)
  .pathname;

let cached: MarketData[] | undefined;
/** The shared BTCUSDT 5 m bars (10,999 of them). */
export function fixtureBars(): MarketData[] {
  cached ??= readBarsFile(FIXTURE).bars;
  return cached;
}
