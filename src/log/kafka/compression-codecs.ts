import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { compressFrame, decompressFrame } from 'lz4-napi';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';
import { CompressionCodecs } from './kafkajs.ts';
import { unreadableBatch, type BatchHeader } from './unreadable-batch.ts';

/** What kafkajs asks of a compression codec (its `CompressionCodecs` registry). */
interface KafkaCodec {
  readonly compress: (encoder: { buffer: Buffer }) => Promise<Buffer>;
  readonly decompress: (buffer: Buffer) => Promise<Buffer>;
}

type CodecId = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** The codec bits of a record batch's attributes (Kafka defines 0-4; 5-7 are unknown to every client). */
const CODEC_NAMES: Record<CodecId, string> = {
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
  5: 'unknown codec 5',
  6: 'unknown codec 6',
  7: 'unknown codec 7',
};

/**
 * Java clients frame snappy data as snappy-java's stream ("xerial": a 16-byte header, then blocks,
 * each a big-endian length and a raw snappy block); librdkafka and others send one raw block.
 * Consumers must read both, as the Java consumer does.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

async function snappyDecompress(buffer: Buffer): Promise<Buffer> {
  if (buffer.length < XERIAL_HEADER_BYTES || !buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC))
    return (await snappyUncompress(buffer)) as Buffer;
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < buffer.length;) {
    const size = buffer.readInt32BE(at);
    at += 4;
    if (size < 0 || at + size > buffer.length) throw new Error(`truncated xerial snappy block at byte ${at}`);
    blocks.push((await snappyUncompress(buffer.subarray(at, at + size))) as Buffer);
    at += size;
  }
  return Buffer.concat(blocks);
}

const notForProducing = (name: string) => (): Promise<Buffer> =>
  Promise.reject(new Error(`producing with ${name} is not supported: only gzip or none`));

/** The codecs that read every compression Kafka defines (compression on our own appends is gzip or none). */
const READERS: Record<CodecId, KafkaCodec | undefined> = {
  1: { compress: (e) => promisify(gzip)(e.buffer), decompress: (b) => promisify(gunzip)(b) },
  2: { compress: (e) => snappyCompress(e.buffer), decompress: snappyDecompress },
  3: { compress: (e) => compressFrame(e.buffer), decompress: (b) => decompressFrame(b) },
  4: {
    compress: notForProducing('zstd'),
    decompress: (b) => {
      const out = zstdDecompress(b);
      return Promise.resolve(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    },
  },
  5: undefined,
  6: undefined,
  7: undefined,
};

/**
 * A codec that never fails a fetch: a batch it cannot decompress, or whose decompressed bytes do
 * not hold the batch's records, is handed over as that many unreadable records (see
 * unreadable-batch.ts), which consumers dead-letter. Without this, kafkajs fails the whole fetch,
 * the consumer crashes at the same offset on every restart and the partition is stuck for good.
 */
export function tolerantCodec(name: string, codec: KafkaCodec | undefined): KafkaCodec {
  return {
    compress: codec?.compress ?? notForProducing(name),
    decompress: async (buffer) => {
      const header = batchHeaderOf(buffer);
      try {
        if (codec === undefined) throw new Error('no client knows this codec');
        const records = await codec.decompress(buffer);
        if (header !== undefined && !holdsRecords(records, header.count))
          throw new Error(`the decompressed bytes do not hold the batch's ${header.count} records`);
        return records;
      } catch (error) {
        // Outside a fetch (no batch header around the bytes) there is nothing to hand over instead.
        if (header === undefined) throw error;
        return unreadableBatch(header, `${name}: ${(error as Error).message}`);
      }
    },
  };
}

/**
 * Registers a reader for every codec bit in kafkajs's codec registry (process-wide, idempotent).
 * `readers` replaces some of them (a test that needs a codec this client does not know).
 */
export function registerCompressionCodecs(
  readers: Partial<Record<CodecId, KafkaCodec | undefined>> = {},
): void {
  const registry = CompressionCodecs as unknown as Record<number, () => KafkaCodec>;
  for (const id of [1, 2, 3, 4, 5, 6, 7] as const) {
    const codec = tolerantCodec(CODEC_NAMES[id], id in readers ? readers[id] : READERS[id]);
    registry[id] = () => codec;
  }
}

/**
 * The header of the record batch whose compressed records `buffer` is. kafkajs hands a codec a view
 * into the fetch response, which starts right after the batch's header (Kafka's RecordBatch v2:
 * baseOffset int64, length int32, leaderEpoch int32, magic int8, crc int32, attributes int16,
 * lastOffsetDelta int32, 3 x int64, epoch int16, sequence int32, record count int32). Read only when
 * the bytes check out: magic 2 and a length that ends exactly where the buffer ends.
 */
function batchHeaderOf(buffer: Buffer): BatchHeader | undefined {
  const headerBytes = 61;
  if (buffer.byteOffset < headerBytes) return undefined;
  const header = Buffer.from(buffer.buffer, buffer.byteOffset - headerBytes, headerBytes);
  const length = header.readInt32BE(8);
  const magic = header.readInt8(16);
  if (magic !== 2 || length !== headerBytes - 12 + buffer.length) return undefined;
  const count = header.readInt32BE(57);
  const lastOffsetDelta = header.readInt32BE(23);
  if (count < 0 || lastOffsetDelta < count - 1) return undefined;
  return { baseOffset: header.readBigInt64BE(0), lastOffsetDelta, count };
}

/** Whether `records` is exactly `count` length-prefixed (zigzag varint) records, as a batch holds them. */
function holdsRecords(records: Buffer, count: number): boolean {
  let at = 0;
  for (let i = 0; i < count; i++) {
    let raw = 0;
    let shift = 0;
    for (;;) {
      if (at >= records.length || shift > 28) return false;
      const byte = records[at++] as number;
      raw |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    const size = (raw >>> 1) ^ -(raw & 1);
    if (size < 0) return false;
    at += size;
  }
  return at === records.length;
}
