import avro from 'avsc';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { TOPIC_CONTRACTS, type AvroSchemaJson } from '../../src/contracts/index.ts';
import { checkSchemas } from '../../src/schemas/check-schemas.ts';
import { AvroSerde, confluentRegistry, type SchemaRegistryPort } from '../../src/serde/index.ts';
import { marketDataAt, pendingOrder, signalAt } from '../support/messages.ts';
import { uniqueName } from '../support/runtimes.ts';

const v1 = TOPIC_CONTRACTS['crypto.market_data'].schema;
const plus = (field: Record<string, unknown>): AvroSchemaJson => ({
  ...v1,
  fields: [...(v1.fields as unknown[]), field],
});

describe('the schema registry through its Confluent-compatible API', () => {
  let registry: SchemaRegistryPort;
  let url: string;
  beforeAll(() => {
    url = inject('registryUrl');
    registry = confluentRegistry(url, 'BACKWARD');
  });

  it('registers a schema, returns the same id again, and serves it by id', async () => {
    const subject = uniqueName('subject');
    const id = await registry.register(subject, v1);
    expect(await registry.register(subject, v1)).toBe(id);
    const fetched = avro.Type.forSchema((await registry.schemaById(id)) as avro.Schema);
    expect(fetched.equals(avro.Type.forSchema(v1 as avro.Schema))).toBe(true);
    expect(await registry.latest(subject)).toMatchObject({ id, version: 1 });
    expect(await registry.subjects()).toContain(subject);
  });

  it('reports an unknown schema id as such', async () => {
    await expect(registry.schemaById(987_654_321)).rejects.toMatchObject({
      code: 'CML_SERDE_UNKNOWN_SCHEMA',
    });
  });

  describe('the compatibility gate', () => {
    it('rejects a new required field and a type change; accepts an optional field with a default', async () => {
      const subject = uniqueName('gate');
      await registry.register(subject, v1);
      await registry.setCompatibility(subject, 'BACKWARD');
      expect(await registry.getCompatibility(subject)).toBe('BACKWARD');

      const required = plus({ name: 'trades', type: 'long' });
      const retyped = {
        ...v1,
        fields: (v1.fields as Array<{ name: string }>).map((f) =>
          f.name === 'volume' ? { name: 'volume', type: 'string' } : f,
        ),
      };
      const optional = plus({ name: 'trades', type: ['null', 'long'], default: null });
      expect((await registry.checkCompatibility(subject, required)).compatible).toBe(false);
      expect((await registry.checkCompatibility(subject, retyped)).compatible).toBe(false);
      expect((await registry.checkCompatibility(subject, optional)).compatible).toBe(true);
      await expect(registry.register(subject, required)).rejects.toMatchObject({
        code: 'CML_SCHEMA_INCOMPATIBLE',
      });

      const verdicts = await checkSchemas([{ ...TOPIC_CONTRACTS['crypto.market_data'], subject }], {
        registry,
        levelOf: () => 'BACKWARD',
        candidateOf: () => required,
      });
      expect(verdicts[0]?.ok).toBe(false);
      expect(verdicts[0]?.local[0]?.ok).toBe(false);
      expect(verdicts[0]?.registry?.compatible).toBe(false);
    });

    it('lets a consumer on the old schema read messages written with the evolved one', async () => {
      const subject = 'crypto.market_data-value';
      const serde = await AvroSerde.create(registry);
      const evolvedId = await confluentRegistry(url, 'BACKWARD').register(
        uniqueName('evolved'),
        plus({ name: 'trades', type: ['null', 'long'], default: null }),
      );
      const evolvedType = avro.Type.forSchema(
        plus({ name: 'trades', type: ['null', 'long'], default: null }) as avro.Schema,
      );
      const wire = Buffer.concat([
        Buffer.from([0, 0, 0, 0, 0]),
        evolvedType.toBuffer({ ...marketDataAt(), trades: 7 }),
      ]);
      wire.writeInt32BE(evolvedId, 1);
      expect(await serde.decode('crypto.market_data', wire)).toEqual(marketDataAt());
      expect(await registry.latest(subject)).toBeDefined();
    });
  });

  it('writes the Confluent wire format that @kafkajs/confluent-schema-registry decodes, for every topic', async () => {
    const serde = await AvroSerde.create(registry);
    const client = new SchemaRegistry({ host: url });
    const values = {
      'crypto.market_data': marketDataAt(),
      'crypto.ml_signals': signalAt(),
      'crypto.orders': pendingOrder(),
    } as const;
    for (const [topic, value] of Object.entries(values) as [
      keyof typeof values,
      (typeof values)[keyof typeof values],
    ][]) {
      const bytes = serde.encode(topic, value);
      expect(bytes.readInt32BE(1)).toBe(serde.schemaIdOf(topic));
      expect(await client.decode(bytes)).toEqual(value);
    }
  });
});
