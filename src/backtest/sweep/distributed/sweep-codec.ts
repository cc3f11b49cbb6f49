import avro, { type Type } from 'avsc';
import {
  subjectOf,
  SWEEP_JOBS,
  SWEEP_RESULTS,
  SWEEP_SCHEMAS,
  type SweepJob,
  type AvroSchemaJson,
  type SweepJobResult,
} from '../../../contracts/index.ts';
import { CmlError, ErrorCodes } from '../../../errors/index.ts';
import { frame, unframe, type SchemaRegistryPort } from '../../../serde/index.ts';

/** Where a sweep's jobs and results go (the declared topics, or a test's own). */
export interface SweepTopicNames {
  readonly jobs: string;
  readonly results: string;
}

export const DEFAULT_SWEEP_TOPICS: SweepTopicNames = { jobs: SWEEP_JOBS, results: SWEEP_RESULTS };

const schemaOf = (topic: string): AvroSchemaJson =>
  SWEEP_SCHEMAS.find((s) => s.topic === topic)?.schema as AvroSchemaJson;

/**
 * Sweep jobs and results in the Confluent wire format, with their schemas registered under
 * `<topic>-value`; a value written with another registered version is read through Avro's
 * resolution.
 */
export class SweepCodec {
  private readonly writers = new Map<number, Type>();
  private readonly resolvers = new Map<string, avro.Resolver>();

  private constructor(
    private readonly registry: SchemaRegistryPort,
    private readonly job: { readonly type: Type; readonly id: number },
    private readonly result: { readonly type: Type; readonly id: number },
  ) {
    this.writers.set(job.id, job.type);
    this.writers.set(result.id, result.type);
  }

  static async create(registry: SchemaRegistryPort, topics: SweepTopicNames): Promise<SweepCodec> {
    const jobSchema = schemaOf(SWEEP_JOBS);
    const resultSchema = schemaOf(SWEEP_RESULTS);
    return new SweepCodec(
      registry,
      {
        type: avro.Type.forSchema(jobSchema as avro.Schema),
        id: await registry.register(subjectOf(topics.jobs), jobSchema),
      },
      {
        type: avro.Type.forSchema(resultSchema as avro.Schema),
        id: await registry.register(subjectOf(topics.results), resultSchema),
      },
    );
  }

  encodeJob(job: SweepJob): Buffer {
    return frame(this.job.id, this.job.type.toBuffer(job));
  }

  encodeResult(result: SweepJobResult): Buffer {
    return frame(this.result.id, this.result.type.toBuffer(result));
  }

  decodeJob(buffer: Buffer | null): Promise<SweepJob> {
    return this.decode(this.job.type, buffer) as Promise<SweepJob>;
  }

  decodeResult(buffer: Buffer | null): Promise<SweepJobResult> {
    return this.decode(this.result.type, buffer) as Promise<SweepJobResult>;
  }

  private async decode(reader: Type, buffer: Buffer | null): Promise<unknown> {
    const { schemaId, body } = unframe(buffer);
    let writer = this.writers.get(schemaId);
    if (writer === undefined) {
      writer = avro.Type.forSchema((await this.registry.schemaById(schemaId)) as avro.Schema);
      this.writers.set(schemaId, writer);
    }
    try {
      if (writer === reader) return reader.fromBuffer(body);
      const key = `${reader.name ?? ''}:${schemaId}`;
      let resolver = this.resolvers.get(key);
      if (resolver === undefined) {
        resolver = reader.createResolver(writer);
        this.resolvers.set(key, resolver);
      }
      return reader.fromBuffer(body, resolver);
    } catch (cause) {
      throw new CmlError(
        ErrorCodes.SERDE_DECODE_FAILED,
        `Cannot decode a sweep message (schema id ${schemaId})`,
        {
          cause,
          details: { schemaId },
        },
      );
    }
  }
}
