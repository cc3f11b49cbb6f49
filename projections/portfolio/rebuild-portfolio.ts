import {
  MARKET_DATA,
  ORDERS,
  TOPIC_CONTRACTS,
  type MarketData,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import type { LogPort } from '../../src/log/port.ts';
import { streamClock } from '../../src/messaging/index.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { foldPortfolio, initialPortfolio, type PortfolioState } from './portfolio-fold.ts';
import { portfolioStateHash } from './state-hash.ts';

export interface RebuildResult {
  readonly state: PortfolioState;
  readonly hash: string;
  readonly orderEvents: number;
  readonly bars: number;
  readonly skipped: number;
}

const CHUNK = 10_000;

/**
 * Re-folds the portfolio from offset 0 of crypto.orders (then crypto.market_data for the marks),
 * without consumer groups, into a fresh state, and hashes what the order log determines. A record
 * that does not decode or validate is skipped, as the live consumers dead-letter it.
 */
export interface RebuildOptions {
  readonly onProgress?: (done: number) => void;
  /** The topics to read, when not the system's own (benchmarks, isolated copies). */
  readonly ordersTopic?: string;
  readonly marketDataTopic?: string;
}

export async function rebuildPortfolio(
  log: LogPort,
  serde: AvroSerde,
  initialCash: number,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  let { state } = initialPortfolio(initialCash);
  let orderEvents = 0;
  let bars = 0;
  let skipped = 0;
  for (const topic of [ORDERS, MARKET_DATA] as const) {
    // As the live projection: the clock moves only on accepted records.
    const clock = streamClock();
    const source =
      topic === ORDERS ? (options.ordersTopic ?? ORDERS) : (options.marketDataTopic ?? MARKET_DATA);
    for (const [partition, end] of await log.endOffsets(source)) {
      let offset = 0;
      while (offset < end) {
        const records = await log.read(source, partition, offset, Math.min(CHUNK, end - offset));
        if (records.length === 0) break;
        for (const record of records) {
          try {
            const value = await serde.decode(topic, record.value);
            if (TOPIC_CONTRACTS[topic].validate(value as never, clock.contextOf(record)).length > 0) {
              skipped++;
              continue;
            }
            clock.accepted(record);
            state =
              topic === ORDERS
                ? foldPortfolio(state, { kind: 'order', event: value as OrderEvent }).state
                : foldPortfolio(state, { kind: 'bar', bar: value as MarketData }).state;
            if (topic === ORDERS) orderEvents++;
            else bars++;
          } catch {
            skipped++;
          }
        }
        offset = (records.at(-1)?.offset ?? end) + 1;
        options.onProgress?.(orderEvents + bars + skipped);
      }
    }
  }
  return { state, hash: portfolioStateHash(state), orderEvents, bars, skipped };
}
