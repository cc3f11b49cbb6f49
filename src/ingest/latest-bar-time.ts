import { MARKET_DATA } from '../contracts/index.ts';
import { partitionFor } from '../log/partitioner.ts';
import type { LogPort, LogRecord } from '../log/port.ts';

/**
 * The event time of the newest bar of `symbol` already in crypto.market_data, found by reading
 * its partition backwards from the end; undefined when the symbol has no bar yet.
 */
export async function latestBarTime(
  log: LogPort,
  symbol: string,
  chunk = 2_000,
): Promise<number | undefined> {
  return (await latestBarRecord(log, symbol, chunk))?.timestamp;
}

/** The newest record of `symbol` in crypto.market_data (to resume a feed from its last close). */
export async function latestBarRecord(
  log: LogPort,
  symbol: string,
  chunk = 2_000,
): Promise<LogRecord | undefined> {
  const partitions = await log.partitionCount(MARKET_DATA);
  const partition = partitionFor(symbol, partitions);
  let end = (await log.endOffsets(MARKET_DATA)).get(partition) ?? 0;
  while (end > 0) {
    const from = Math.max(0, end - chunk);
    const records = await log.read(MARKET_DATA, partition, from, end - from);
    const latest = records
      .filter((r) => r.key === symbol)
      .reduce<LogRecord | undefined>(
        (max, r) => (max === undefined || r.timestamp > max.timestamp ? r : max),
        undefined,
      );
    if (latest !== undefined) return latest;
    end = from;
  }
  return undefined;
}
