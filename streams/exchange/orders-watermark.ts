import { MARKET_DATA, ML_SIGNALS } from '../../src/contracts/index.ts';
import type { LogPort } from '../../src/log/port.ts';
import { groupPassed } from '../../src/messaging/index.ts';

/**
 * When the exchange may settle a bar at time T: once every order placed before T can be in
 * crypto.orders. The exchange then folds the orders up to the log's end and settles the bar, so
 * its fills depend on event times only, never on how the two topics' deliveries interleave.
 */
export interface OrdersWatermark {
  /** Whether all orders with a timestamp before `time` are in the log (or on their way in it). */
  complete(time: number): Promise<boolean>;
  readonly description: string;
}

/**
 * The orders already in the log are all there will be before any bar: right for an order log
 * written ahead (imports, replays, tests), and for orders typed by hand. Live, an order that
 * reaches the log after its bar was settled fills at the next bar.
 */
export const logWatermark = (): OrdersWatermark => ({
  complete: () => Promise.resolve(true),
  description: 'orders in the log',
});

export interface PipelineGroups {
  /** The signals processor's group on crypto.market_data. */
  readonly signals: string;
  /** The decision engine's group on crypto.ml_signals. */
  readonly decision: string;
  readonly marketDataTopic?: string;
  readonly signalsTopic?: string;
}

/**
 * Orders come from the pipeline: bar -> signal (signals processor) -> order (decision engine),
 * each committing its output with its input offsets. Once the signals processor has passed every
 * bar before T and, after that, the decision engine every signal before T, every order before T
 * is in the log. Checked in that order, and remembered: the watermark only moves forward.
 */
export function pipelineWatermark(log: LogPort, groups: PipelineGroups): OrdersWatermark {
  let passed = Number.NEGATIVE_INFINITY;
  return {
    description: `signals group ${groups.signals}, then decision group ${groups.decision}`,
    async complete(time) {
      if (time <= passed) return true;
      const ok =
        (await groupPassed(log, groups.signals, groups.marketDataTopic ?? MARKET_DATA, time)) &&
        (await groupPassed(log, groups.decision, groups.signalsTopic ?? ML_SIGNALS, time));
      if (ok) passed = time;
      return ok;
    },
  };
}
