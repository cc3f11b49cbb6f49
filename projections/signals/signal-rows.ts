import type { ML_SIGNALS } from '../../src/contracts/index.ts';
import type { ValidMessage } from '../../src/messaging/index.ts';
import { positionKey } from '../projection-lag.ts';
import type { SignalRow } from './signal-store.ts';

/**
 * The fold of the signal history, pure: a batch of valid signals becomes rows and the offsets
 * they cover. A record below the offsets already folded is a redelivery and adds nothing.
 */
export function signalRows(
  folded: ReadonlyMap<string, number>,
  messages: readonly ValidMessage<typeof ML_SIGNALS>[],
): { rows: SignalRow[]; offsets: Map<string, number> } {
  const offsets = new Map(folded);
  const rows: SignalRow[] = [];
  for (const { record, value } of messages) {
    const key = positionKey(record.topic, record.partition);
    if (record.offset < (offsets.get(key) ?? 0)) continue;
    rows.push({ signal: value, partition: record.partition, offset: record.offset });
    offsets.set(key, record.offset + 1);
  }
  return { rows, offsets };
}
