import { MARKET_DATA, type MarketData } from '../../src/contracts/index.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import type { Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';

/** Every bar of one symbol in crypto.market_data, decoded, in log order. */
export async function barsOf(runtime: Runtime, symbol: string): Promise<MarketData[]> {
  const serde = await AvroSerde.create(runtime.registry);
  const partition = partitionFor(symbol, await runtime.log.partitionCount(MARKET_DATA));
  const end = (await runtime.log.endOffsets(MARKET_DATA)).get(partition) ?? 0;
  const bars: MarketData[] = [];
  for (const record of await runtime.log.read(MARKET_DATA, partition, 0, end)) {
    if (record.key === symbol) bars.push(await serde.decode(MARKET_DATA, record.value));
  }
  return bars;
}
