import { UNREADABLE_HEADER } from '../port.ts';

/** What a record batch's header says about its records, enough to stand in for them. */
export interface BatchHeader {
  readonly baseOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly count: number;
}

/**
 * Stand-ins for the records of a batch that cannot be read, encoded as the decompressed records
 * of that batch (Kafka's Record v0): one per record, with no key and no value and the reason in
 * the `UNREADABLE_HEADER` header. The consumer then sees them at their offsets, dead-letters them,
 * and moves past the batch. Offsets are exact when the batch is dense; in a compacted batch
 * the records between the first and the last take the first offsets.
 */
export function unreadableBatch(header: BatchHeader, reason: string): Buffer {
  const first = header.baseOffset;
  const last = first + BigInt(header.lastOffsetDelta);
  const why = `${header.count} records at offsets ${first}-${last} cannot be read (${reason})`;
  const records: Buffer[] = [];
  for (let i = 0; i < header.count; i++) {
    const offsetDelta = i === header.count - 1 ? header.lastOffsetDelta : i;
    records.push(unreadableRecord(offsetDelta, why));
  }
  return Buffer.concat(records);
}

function unreadableRecord(offsetDelta: number, reason: string): Buffer {
  const name = Buffer.from(UNREADABLE_HEADER, 'utf8');
  const value = Buffer.from(reason, 'utf8');
  const body = Buffer.concat([
    Buffer.from([0]), // attributes
    varint(0), // timestamp delta: the batch's first timestamp
    varint(offsetDelta),
    varint(-1), // no key
    varint(-1), // no value
    varint(1), // one header
    varint(name.length),
    name,
    varint(value.length),
    value,
  ]);
  return Buffer.concat([varint(body.length), body]);
}

/** A zigzag varint, as Kafka's record format writes lengths and deltas. */
function varint(n: number): Buffer {
  let zigzag = (n << 1) ^ (n >> 31);
  const bytes: number[] = [];
  while ((zigzag & ~0x7f) !== 0) {
    bytes.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  bytes.push(zigzag);
  return Buffer.from(bytes);
}
