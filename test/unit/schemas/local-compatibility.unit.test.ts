import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CONTROL_SCHEMA, TOPIC_CONTRACTS, type AvroSchemaJson } from '../../../src/contracts/index.ts';
import { checkLocal, releasedVersions } from '../../../src/schemas/local-compatibility.ts';
import { marketDataAt } from '../../support/messages.ts';

const v1 = TOPIC_CONTRACTS['crypto.market_data'].schema;
const released = [{ version: 1, file: 'v1.avsc', schema: v1 }];
const withFields = (
  schema: AvroSchemaJson,
  change: (fields: Array<Record<string, unknown>>) => void,
): AvroSchemaJson => {
  const copy = structuredClone(schema) as { fields: Array<Record<string, unknown>> };
  change(copy.fields);
  return copy;
};

describe('the local compatibility gate', () => {
  it('keeps a released v1 of every topic in avro/released', () => {
    for (const contract of [...Object.values(TOPIC_CONTRACTS), CONTROL_SCHEMA]) {
      expect(releasedVersions(contract.topic).map((v) => v.version)).toContain(1);
    }
  });

  it('the current schemas pass against their released versions under BACKWARD', () => {
    for (const contract of [...Object.values(TOPIC_CONTRACTS), CONTROL_SCHEMA]) {
      expect(
        checkLocal(contract.schema, releasedVersions(contract.topic), 'BACKWARD').every((c) => c.ok),
      ).toBe(true);
    }
  });

  it('rejects a new required field without a default under BACKWARD', () => {
    const candidate = withFields(v1, (fields) => fields.push({ name: 'trades', type: 'long' }));
    const [check] = checkLocal(candidate, released, 'BACKWARD');
    expect(check?.ok).toBe(false);
    expect(check?.reason).toContain('trades');
  });

  it('rejects a type change (double -> string) under BACKWARD', () => {
    const candidate = withFields(v1, (fields) => {
      fields[2] = { name: 'price', type: 'string' };
    });
    expect(checkLocal(candidate, released, 'BACKWARD')[0]?.ok).toBe(false);
  });

  it('accepts an optional field with a default, and an old reader still reads new messages', () => {
    const candidate = withFields(v1, (fields) =>
      fields.push({ name: 'trades', type: ['null', 'long'], default: null }),
    );
    expect(checkLocal(candidate, released, 'FULL').every((c) => c.ok)).toBe(true);

    const newType = avro.Type.forSchema(candidate as avro.Schema);
    const oldType = avro.Type.forSchema(v1 as avro.Schema);
    const written = newType.toBuffer({ ...marketDataAt(), trades: 42 });
    const read = oldType.fromBuffer(written, oldType.createResolver(newType)) as Record<string, unknown>;
    expect(read).toEqual(marketDataAt());
  });

  it('checks every released version under a TRANSITIVE level, only the latest otherwise', () => {
    const v2 = withFields(v1, (fields) =>
      fields.push({ name: 'trades', type: ['null', 'long'], default: null }),
    );
    const history = [...released, { version: 2, file: 'v2.avsc', schema: v2 }];
    expect(checkLocal(v2, history, 'BACKWARD').map((c) => c.against)).toEqual([2]);
    expect(checkLocal(v2, history, 'BACKWARD_TRANSITIVE').map((c) => c.against)).toEqual([1, 2]);
    expect(checkLocal(v2, history, 'NONE')).toEqual([]);
  });
});
