import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Partitioners } from '../../../src/log/kafka/kafkajs.ts';
import { murmur2, partitionFor } from '../../../src/log/partitioner.ts';

describe('partitionFor', () => {
  // Reference values of the Java client's Utils.murmur2 (from Kafka's own UtilsTest).
  it('matches the Java client murmur2 on known vectors', () => {
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('puts every key in the partition the kafkajs default (Java-compatible) partitioner picks', () => {
    const kafkajsPartitioner = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        (key, count) => {
          const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
            partitionId,
            leader: 0,
            partitionErrorCode: 0,
            replicas: [0],
            isr: [0],
          }));
          const expected = kafkajsPartitioner({
            topic: 't',
            partitionMetadata,
            message: { key, value: null },
          });
          expect(partitionFor(key, count)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
