import { describe, expect, it } from 'vitest';
import { chunkMessages, estimatedBytes } from '../../../src/log/kafka/chunk-messages.ts';

describe('chunkMessages', () => {
  it('splits large appends into requests under the limit, keeping every message once and in order', () => {
    const value = Buffer.alloc(1_000, 1);
    const input = [
      { topic: 'a', messages: Array.from({ length: 25 }, (_, n) => ({ key: `k${n}`, value, partition: 0 })) },
      { topic: 'b', messages: Array.from({ length: 10 }, (_, n) => ({ key: `j${n}`, value, partition: 1 })) },
    ];
    const chunks = chunkMessages(input, 10_000);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(estimatedBytes(chunk)).toBeLessThanOrEqual(10_000);
    const flat = chunks.flatMap((chunk) =>
      chunk.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.key as string}`)),
    );
    expect(flat).toEqual(input.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.key}`)));
  });

  it('keeps a small append whole', () => {
    const input = [{ topic: 'a', messages: [{ key: 'k', value: Buffer.from('v') }] }];
    expect(chunkMessages(input)).toEqual([input]);
  });
});
