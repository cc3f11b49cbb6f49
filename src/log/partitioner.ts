/**
 * The Java client's default partitioner for keyed records: murmur2 of the UTF-8 key bytes, made
 * positive, modulo the partition count. Both runtimes use it, so a key lands in the same
 * partition on Kafka, in the embedded log, and for any Java or librdkafka (murmur2_random) producer.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) h = Math.imul(h ^ (data[whole] as number), m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export const partitionFor = (key: string, partitionCount: number): number =>
  (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitionCount;
