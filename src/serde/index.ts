export { AvroSerde } from './avro-serde.ts';
export { confluentRegistry } from './confluent-registry.ts';
export { embeddedRegistry } from './embedded-registry.ts';
export type {
  SchemaRegistryPort,
  CompatibilityLevel,
  CompatibilityVerdict,
  RegisteredVersion,
} from './schema-registry.ts';
export { frame, unframe, MAGIC_BYTE, HEADER_LENGTH } from './wire-format.ts';
