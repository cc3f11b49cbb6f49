import { setTimeout as sleep } from 'node:timers/promises';
import { MARKET_DATA } from '../../contracts/index.ts';
import type { Publisher } from '../../messaging/index.ts';
import type { MarketSimulator } from './market-simulator.ts';

export interface RunSimulatorOptions {
  readonly publisher: Publisher;
  readonly simulator: MarketSimulator;
  readonly intervalMs: number;
  /** How many times faster than real time; `max` publishes as fast as the log takes it. */
  readonly speed: number | 'max';
  /** Stop after this many bars per symbol; run until aborted when absent. */
  readonly bars?: number;
  readonly signal?: AbortSignal;
  readonly onBars?: (done: number) => void;
}

/**
 * Publishes simulated bars. Each bar is validated against its own event time (simulated history
 * runs on its own clock, ahead of or behind the wall clock). At `max` speed bars go out in
 * batches; otherwise one step of all symbols every `intervalMs / speed` milliseconds.
 */
export async function runSimulator(options: RunSimulatorOptions): Promise<number> {
  const batchSteps = options.speed === 'max' ? 500 : 1;
  const pause = options.speed === 'max' ? 0 : options.intervalMs / options.speed;
  let done = 0;
  while (options.signal?.aborted !== true && (options.bars === undefined || done < options.bars)) {
    const steps = Math.min(batchSteps, (options.bars ?? Number.POSITIVE_INFINITY) - done);
    const bars = Array.from({ length: steps }, () => options.simulator.next()).flat();
    await options.publisher.publish(MARKET_DATA, bars, (bar) => bar.timestamp);
    done += steps;
    options.onBars?.(done);
    if (pause > 0) await sleep(pause, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return done;
}
