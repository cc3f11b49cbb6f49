import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyBlock } from 'snappy';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerCompressionCodecs } from '../../../src/log/kafka/compression-codecs.ts';
import { CompressionCodecs, CompressionTypes } from '../../../src/log/kafka/kafkajs.ts';
import { UNREADABLE_HEADER } from '../../../src/log/port.ts';

/**
 * kafkajs's own record-batch encoder and the decoder its fetch runs: the codecs are proven on the
 * very bytes and views kafkajs hands them (kafkajs is pinned; these are its internals).
 */
const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (options: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  decoder: unknown,
) => Promise<{ records: DecodedRecord[] }>;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;

interface DecodedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

type Codec = {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(b: Buffer): Promise<Buffer>;
};
const registry = CompressionCodecs as unknown as Record<number, () => Codec>;

/** A record batch of `values` at `firstOffset`, compressed with `compression`. */
async function batchOf(compression: number, firstOffset: number, values: string[]): Promise<Buffer> {
  const records = values.map((value, offsetDelta) =>
    Record({ offsetDelta, key: Buffer.from(`k${offsetDelta}`), value: Buffer.from(value) }),
  );
  const encoded = await RecordBatch({
    compression,
    firstOffset: String(firstOffset),
    lastOffsetDelta: values.length - 1,
    records,
  });
  return encoded.buffer;
}

/** Decodes the batches of a fetch response's partition, as kafkajs's fetch does. */
async function decodeAll(fetched: Buffer, batches: number): Promise<DecodedRecord[]> {
  const decoder = new Decoder(fetched);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < batches; i++) out.push(...(await decodeBatch(decoder)).records);
  return out;
}

const summary = (records: DecodedRecord[]) =>
  records.map((r) => ({
    offset: r.offset,
    value: r.value?.toString() ?? null,
    unreadable: r.headers[UNREADABLE_HEADER]?.toString() ?? null,
  }));

/** Encodes with `compress` in place of the registered codec (codecs this client only reads). */
async function withCompressor(id: number, compress: (b: Buffer) => Buffer, encode: () => Promise<Buffer>) {
  const registered = registry[id];
  registry[id] = () => ({
    compress: (e) => Promise.resolve(compress(e.buffer)),
    decompress: () => Promise.reject(new Error()),
  });
  try {
    return await encode();
  } finally {
    if (registered !== undefined) registry[id] = registered;
  }
}

/** snappy-java's stream framing, as the Java producer writes it: header, then length-prefixed blocks. */
const xerial = (data: Buffer): Buffer => {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  const blocks = [data.subarray(0, 7), data.subarray(7)].map((part) => {
    const block = snappyBlock(part);
    const size = Buffer.alloc(4);
    size.writeInt32BE(block.length);
    return Buffer.concat([size, block]);
  });
  return Buffer.concat([header, ...blocks]);
};

const VALUES = ['first', 'second', 'third'];
const readable = (first: number) =>
  VALUES.map((value, i) => ({ offset: String(first + i), value, unreadable: null }));

describe('compression codecs', () => {
  beforeEach(() => registerCompressionCodecs());

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
  ])('reads a %s batch', async (_name, id) => {
    expect(summary(await decodeAll(await batchOf(id, 40, VALUES), 1))).toEqual(readable(40));
  });

  it('reads a snappy batch framed as the Java client frames it (xerial)', async () => {
    const fetched = await withCompressor(CompressionTypes.Snappy, xerial, () =>
      batchOf(CompressionTypes.Snappy, 7, VALUES),
    );
    expect(summary(await decodeAll(fetched, 1))).toEqual(readable(7));
  });

  it('reads a zstd batch', async () => {
    const zstd = (data: Buffer) => execFileSync('zstd', ['-q', '-c'], { input: data });
    const fetched = await withCompressor(CompressionTypes.ZSTD, zstd, () =>
      batchOf(CompressionTypes.ZSTD, 0, VALUES),
    );
    expect(summary(await decodeAll(fetched, 1))).toEqual(readable(0));
  });

  it('hands a batch that does not decompress over as unreadable records, and reads the next batch', async () => {
    const bad = await batchOf(CompressionTypes.Snappy, 100, VALUES);
    // The compressed records start after the 61-byte batch header: garble snappy's preamble.
    bad.fill(0xff, 61, 66);
    const fetched = Buffer.concat([bad, await batchOf(CompressionTypes.GZIP, 103, ['after'])]);
    const records = summary(await decodeAll(fetched, 2));
    expect(records.map((r) => r.offset)).toEqual(['100', '101', '102', '103']);
    expect(records.slice(0, 3).every((r) => r.value === null && r.unreadable !== null)).toBe(true);
    expect(records[0]?.unreadable).toMatch(/^3 records at offsets 100-102 cannot be read \(snappy: /);
    expect(records[3]).toEqual({ offset: '103', value: 'after', unreadable: null });
  });

  it('hands a batch with a codec no client knows over as unreadable records', async () => {
    const batch = await batchOf(CompressionTypes.GZIP, 5, VALUES);
    // Attributes (int16) sit 21 bytes into the batch: set its codec bits to 5.
    batch.writeInt16BE((batch.readInt16BE(21) & ~0x07) | 5, 21);
    const records = summary(await decodeAll(batch, 1));
    expect(records.map((r) => [r.offset, r.value])).toEqual([
      ['5', null],
      ['6', null],
      ['7', null],
    ]);
    expect(records[0]?.unreadable).toContain('unknown codec 5: no client knows this codec');
  });

  it('hands a batch whose decompressed bytes are not its records over as unreadable', async () => {
    const fetched = await withCompressor(
      CompressionTypes.LZ4,
      () => compressFrameSync(Buffer.from('not records')),
      () => batchOf(CompressionTypes.LZ4, 0, VALUES),
    );
    const records = summary(await decodeAll(fetched, 1));
    expect(records.every((r) => r.value === null)).toBe(true);
    expect(records[0]?.unreadable).toContain("lz4: the decompressed bytes do not hold the batch's 3 records");
  });

  it('still fails a decompression outside a fetch, where no batch is around the bytes', async () => {
    await expect(registry[CompressionTypes.Snappy]?.().decompress(Buffer.alloc(16, 1))).rejects.toThrow();
  });
});
