import type { EquitySample } from './equity-series.ts';

/**
 * One equity sample per bar time: with several symbols, bars of one time each give a sample; the
 * last has every bar of the time marked. Charts and per-bar returns need strictly rising times.
 */
export function equityPerTime(samples: readonly EquitySample[]): EquitySample[] {
  return samples.filter((sample, i) => samples[i + 1]?.time !== sample.time);
}
