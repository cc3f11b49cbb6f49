import type { AvroSchemaJson } from '../contracts/index.ts';
import type { Config } from '../config/index.ts';

export type CompatibilityLevel = Config['registry']['compatibility'];

export interface RegisteredVersion {
  readonly id: number;
  readonly version: number;
  readonly schema: AvroSchemaJson;
}

export interface CompatibilityVerdict {
  readonly compatible: boolean;
  /** The registry's reasons when it is not compatible. */
  readonly messages: readonly string[];
}

/**
 * The schema registry port: subjects with versions, global ids, compatibility rules. Adapters:
 * a Confluent-compatible HTTP registry (Apicurio's ccompat API, Confluent Schema Registry) and
 * the embedded store of the LMDB runtime.
 */
export interface SchemaRegistryPort {
  /** Registers (or finds) the schema under the subject; returns its global id. */
  register(subject: string, schema: AvroSchemaJson): Promise<number>;
  schemaById(id: number): Promise<AvroSchemaJson>;
  latest(subject: string): Promise<RegisteredVersion | undefined>;
  checkCompatibility(subject: string, schema: AvroSchemaJson): Promise<CompatibilityVerdict>;
  getCompatibility(subject: string): Promise<CompatibilityLevel | undefined>;
  setCompatibility(subject: string, level: CompatibilityLevel): Promise<void>;
  subjects(): Promise<string[]>;
}
