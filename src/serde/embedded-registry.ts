import avro from 'avsc';
import type { AvroSchemaJson } from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import type { EmbeddedStore } from '../log/embedded/embedded-store.ts';
import { checkLocal, type ReleasedVersion } from '../schemas/local-compatibility.ts';
import type { CompatibilityLevel, RegisteredVersion, SchemaRegistryPort } from './schema-registry.ts';

const fingerprint = (schema: AvroSchemaJson): string =>
  avro.Type.forSchema(schema as avro.Schema)
    .fingerprint('sha256')
    .toString('hex');

/**
 * The schema registry of the embedded runtime, in its LMDB environment: the same model as a
 * Confluent registry (subjects with versions, one global id per distinct schema, compatibility
 * levels enforced on register), so the wire format and ids mean the same on both runtimes.
 */
export function embeddedRegistry(store: EmbeddedStore, defaultLevel: CompatibilityLevel): SchemaRegistryPort {
  const db = store.schemas;

  const versionsOf = (subject: string): RegisteredVersion[] => {
    const out: RegisteredVersion[] = [];
    for (const { key, value } of db.getRange({
      start: ['version', subject, 0],
      end: ['version', subject, Number.MAX_SAFE_INTEGER],
    })) {
      const id = value as number;
      out.push({
        id,
        version: key[2] as number,
        schema: JSON.parse(db.get(['id', id]) as string) as AvroSchemaJson,
      });
    }
    return out;
  };

  const levelOf = (subject: string): CompatibilityLevel =>
    (db.get(['config', subject]) as CompatibilityLevel | undefined) ?? defaultLevel;

  const verdict = (subject: string, schema: AvroSchemaJson) => {
    const released: ReleasedVersion[] = versionsOf(subject).map((v) => ({
      version: v.version,
      file: `${subject} v${v.version}`,
      schema: v.schema,
    }));
    const checks = checkLocal(schema, released, levelOf(subject));
    return {
      compatible: checks.every((c) => c.ok),
      messages: checks.filter((c) => !c.ok).map((c) => c.reason ?? ''),
    };
  };

  return {
    async register(subject, schema) {
      const print = fingerprint(schema);
      const existing = versionsOf(subject);
      const sameId = db.get(['fp', print]) as number | undefined;
      if (sameId !== undefined && existing.some((v) => v.id === sameId)) return sameId;
      const check = verdict(subject, schema);
      if (!check.compatible) {
        throw new CmlError(
          ErrorCodes.SCHEMA_INCOMPATIBLE,
          `Schema for ${subject} is incompatible (${levelOf(subject)}): ${check.messages.join('; ')}`,
          {
            hint: 'Evolve the schema compatibly: new fields need defaults, types cannot change.',
          },
        );
      }
      return store.root.transaction(() => {
        let id = db.get(['fp', print]) as number | undefined;
        if (id === undefined) {
          id = ((db.get(['next-id']) as number | undefined) ?? 0) + 1;
          void db.put(['next-id'], id);
          void db.put(['id', id], JSON.stringify(schema));
          void db.put(['fp', print], id);
        }
        void db.put(['version', subject, (existing.at(-1)?.version ?? 0) + 1], id);
        return id;
      });
    },

    schemaById(id) {
      const text = db.get(['id', id]) as string | undefined;
      if (text === undefined) {
        return Promise.reject(
          new CmlError(
            ErrorCodes.SERDE_UNKNOWN_SCHEMA,
            `Schema id ${id} is not known to the embedded registry`,
            { details: { schemaId: id } },
          ),
        );
      }
      return Promise.resolve(JSON.parse(text) as AvroSchemaJson);
    },

    latest(subject) {
      return Promise.resolve(versionsOf(subject).at(-1));
    },

    checkCompatibility(subject, schema) {
      return Promise.resolve(verdict(subject, schema));
    },

    getCompatibility(subject) {
      return Promise.resolve(db.get(['config', subject]) as CompatibilityLevel | undefined);
    },

    async setCompatibility(subject, level) {
      await db.put(['config', subject], level);
    },

    subjects() {
      const subjects = new Set<string>();
      for (const { key } of db.getRange({ start: ['version'], end: ['version\u0000'] }))
        subjects.add(key[1] as string);
      return Promise.resolve([...subjects].sort());
    },
  };
}
