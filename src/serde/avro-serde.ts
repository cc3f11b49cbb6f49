import avro from 'avsc';
import type { Type, Resolver } from 'avsc';
import {
  TOPIC_CONTRACTS,
  type DataTopic,
  type TopicContracts,
  type TopicValues,
} from '../contracts/index.ts';
import { CmlError, ErrorCodes, isCmlError } from '../errors/index.ts';
import type { SchemaRegistryPort } from './schema-registry.ts';
import { frame, unframe } from './wire-format.ts';

/** Where an Avro value breaks its schema: the path of each invalid field. */
const invalidPaths = (type: Type, value: unknown): string[] => {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
  return paths;
};

/**
 * Encodes and decodes the data topics' values in the Confluent wire format. Each topic is written
 * with the schema in avro/ (registered once, at `create`); a message written with any other
 * registered schema is read through Avro schema resolution into that same reader schema, so
 * consumers keep working across compatible evolutions.
 */
export class AvroSerde {
  private readonly writerTypes = new Map<number, Type>();
  private readonly resolvers = new Map<string, Resolver>();

  private constructor(
    private readonly registry: SchemaRegistryPort,
    private readonly readerTypes: ReadonlyMap<DataTopic, Type>,
    private readonly writerIds: ReadonlyMap<DataTopic, number>,
  ) {}

  /** Registers (or finds) each topic's schema under its subject and caches the ids. */
  static async create(
    registry: SchemaRegistryPort,
    contracts: TopicContracts = TOPIC_CONTRACTS,
  ): Promise<AvroSerde> {
    const types = new Map<DataTopic, Type>();
    const ids = new Map<DataTopic, number>();
    for (const contract of Object.values(contracts)) {
      types.set(contract.topic, avro.Type.forSchema(contract.schema as avro.Schema));
      ids.set(contract.topic, await registry.register(contract.subject, contract.schema));
    }
    const serde = new AvroSerde(registry, types, ids);
    for (const [topic, id] of ids) serde.writerTypes.set(id, types.get(topic) as Type);
    return serde;
  }

  schemaIdOf(topic: DataTopic): number {
    return this.writerIds.get(topic) as number;
  }

  encode<K extends DataTopic>(topic: K, value: TopicValues[K]): Buffer {
    const type = this.readerTypes.get(topic) as Type;
    try {
      return frame(this.schemaIdOf(topic), type.toBuffer(value));
    } catch (cause) {
      const paths = invalidPaths(type, value);
      throw new CmlError(
        ErrorCodes.SERDE_ENCODE_FAILED,
        `Cannot encode a ${topic} value: invalid field(s) ${paths.join(', ')}`,
        {
          cause,
          details: { topic, paths },
          hint: 'The value does not match avro/' + topic + '.avsc.',
        },
      );
    }
  }

  /** Decodes a value of `topic`; throws a CmlError (decode failed, or unknown schema) for bad bytes. */
  async decode<K extends DataTopic>(topic: K, buffer: Buffer | null): Promise<TopicValues[K]> {
    const { schemaId, body } = unframe(buffer);
    const reader = this.readerTypes.get(topic) as Type;
    const writer = await this.writerType(schemaId);
    try {
      if (writer === reader) return reader.fromBuffer(body) as TopicValues[K];
      return reader.fromBuffer(body, this.resolver(topic, schemaId, reader, writer)) as TopicValues[K];
    } catch (cause) {
      if (isCmlError(cause)) throw cause;
      throw new CmlError(
        ErrorCodes.SERDE_DECODE_FAILED,
        `Cannot decode a ${topic} value written with schema id ${schemaId}: ${(cause as Error).message}`,
        {
          cause,
          details: { reason: 'bad-avro-body', schemaId, topic },
        },
      );
    }
  }

  /** Decodes any wire-format value with the schema it was written with (for tailing, debugging). */
  async decodeAny(buffer: Buffer | null): Promise<{ schemaId: number; value: unknown }> {
    const { schemaId, body } = unframe(buffer);
    return { schemaId, value: (await this.writerType(schemaId)).fromBuffer(body) };
  }

  private async writerType(schemaId: number): Promise<Type> {
    const known = this.writerTypes.get(schemaId);
    if (known !== undefined) return known;
    const type = avro.Type.forSchema((await this.registry.schemaById(schemaId)) as avro.Schema);
    this.writerTypes.set(schemaId, type);
    return type;
  }

  private resolver(topic: DataTopic, schemaId: number, reader: Type, writer: Type): Resolver {
    const key = `${topic}:${schemaId}`;
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      try {
        resolver = reader.createResolver(writer);
      } catch (cause) {
        throw new CmlError(
          ErrorCodes.SERDE_DECODE_FAILED,
          `Schema id ${schemaId} cannot be read as ${topic}: ${(cause as Error).message}`,
          {
            cause,
            details: { reason: 'incompatible-writer-schema', schemaId, topic },
          },
        );
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}
