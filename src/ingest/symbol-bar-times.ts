import { MARKET_DATA } from '../contracts/index.ts';
import { partitionFor } from '../log/partitioner.ts';
import type { LogPort } from '../log/port.ts';

/** Large reads: each read is a consumer on Kafka. */
const CHUNK = 50_000;

/**
 * The event times of the symbol's bars that crypto.market_data holds, read from its partition's
 * first retained record (keys and timestamps only: a bar's record timestamp is its open time), so
 * an import can tell a bar already in the log from one that is not, by (symbol, time).
 */
export async function symbolBarTimes(log: LogPort, symbol: string): Promise<Set<number>> {
  const partition = partitionFor(symbol, await log.partitionCount(MARKET_DATA));
  const end = (await log.endOffsets(MARKET_DATA)).get(partition) ?? 0;
  const times = new Set<number>();
  let offset = (await log.startOffsets(MARKET_DATA)).get(partition) ?? 0;
  while (offset < end) {
    const records = await log.read(MARKET_DATA, partition, offset, Math.min(CHUNK, end - offset));
    if (records.length === 0) break;
    for (const record of records) if (record.key === symbol) times.add(record.timestamp);
    offset = (records.at(-1)?.offset ?? end) + 1;
  }
  return times;
}
