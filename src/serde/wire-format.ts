import { CmlError, ErrorCodes } from '../errors/index.ts';

/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
 * Avro binary body. Any Confluent-compatible client (Java, Python, Go) reads it.
 */
export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  body.copy(out, HEADER_LENGTH);
  return out;
}

export interface Framed {
  readonly schemaId: number;
  readonly body: Buffer;
}

export function unframe(buffer: Buffer | null): Framed {
  if (buffer === null || buffer.length < HEADER_LENGTH) {
    throw new CmlError(
      ErrorCodes.SERDE_DECODE_FAILED,
      `Message of ${buffer?.length ?? 0} bytes is too short for the Confluent wire format (5-byte header)`,
      {
        details: { reason: 'too-short', length: buffer?.length ?? 0 },
      },
    );
  }
  const magic = buffer.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new CmlError(
      ErrorCodes.SERDE_DECODE_FAILED,
      `Message starts with byte ${magic}, not the wire format's magic byte 0 (not Avro from a schema-registry client?)`,
      {
        details: { reason: 'bad-magic-byte', magic },
      },
    );
  }
  return { schemaId: buffer.readInt32BE(1), body: buffer.subarray(HEADER_LENGTH) };
}
