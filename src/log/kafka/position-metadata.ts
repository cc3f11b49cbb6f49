/**
 * The event time a group has processed a partition up to, kept in the metadata string Kafka
 * stores with every committed offset (OffsetCommit and TxnOffsetCommit both carry it), so it is
 * committed atomically with the offset, in the same transaction as the output.
 */
const PREFIX = 'cml.lastTime=';

export function encodeLastTime(lastTime: number | undefined): string | null {
  return lastTime === undefined ? null : `${PREFIX}${lastTime}`;
}

/** The event time in a committed offset's metadata; undefined for none, or metadata another client wrote. */
export function decodeLastTime(metadata: string | null | undefined): number | undefined {
  if (metadata?.startsWith(PREFIX) !== true) return undefined;
  const value = Number(metadata.slice(PREFIX.length));
  return Number.isFinite(value) ? value : undefined;
}
