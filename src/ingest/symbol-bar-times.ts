import { MARKET_DATA } from '../contracts/index.ts';
import { partitionFor } from '../log/partitioner.ts';
import type { LogPort } from '../log/port.ts';

/** The event times of a symbol's bars that crypto.market_data holds, and the newest of them. */
export interface SymbolBarTimes {
  readonly times: ReadonlySet<number>;
  readonly newest: number | undefined;
}

const CHUNK = 5_000;

/**
 * Reads the symbol's partition from its first retained record (keys and timestamps only: a bar's
 * record timestamp is its open time), so an import can tell a bar already in the log from one
 * that is not, by (symbol, time).
 */
export async function symbolBarTimes(log: LogPort, symbol: string): Promise<SymbolBarTimes> {
  const partition = partitionFor(symbol, await log.partitionCount(MARKET_DATA));
  const end = (await log.endOffsets(MARKET_DATA)).get(partition) ?? 0;
  const times = new Set<number>();
  let newest: number | undefined;
  let offset = (await log.startOffsets(MARKET_DATA)).get(partition) ?? 0;
  while (offset < end) {
    const records = await log.read(MARKET_DATA, partition, offset, Math.min(CHUNK, end - offset));
    if (records.length === 0) break;
    for (const record of records) {
      if (record.key !== symbol) continue;
      times.add(record.timestamp);
      if (newest === undefined || record.timestamp > newest) newest = record.timestamp;
    }
    offset = (records.at(-1)?.offset ?? end) + 1;
  }
  return { times, newest };
}
