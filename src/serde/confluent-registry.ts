import { SchemaRegistry, COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';
import type { AvroSchemaJson } from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import type {
  CompatibilityLevel,
  CompatibilityVerdict,
  RegisteredVersion,
  SchemaRegistryPort,
} from './schema-registry.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A Confluent-compatible schema registry over HTTP: Confluent Schema Registry, or Apicurio's
 * ccompat API (`.../apis/ccompat/v7`). Registration and id look-ups go through
 * @kafkajs/confluent-schema-registry (with its cache and retries); the compatibility and config
 * endpoints, which it does not expose, are called directly.
 */
export function confluentRegistry(url: string, compatibility: CompatibilityLevel): SchemaRegistryPort {
  const base = url.replace(/\/+$/, '');
  const client = new SchemaRegistry({ host: base, retry: { retries: 3 } });

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw unavailable(base, cause);
    }
    const text = await response.text();
    const data = (text.length > 0 ? JSON.parse(text) : undefined) as T;
    if (response.status >= 500) throw unavailable(base, new Error(`HTTP ${response.status}: ${text}`));
    return { status: response.status, data };
  }

  return {
    async register(subject, schema) {
      try {
        const { id } = await client.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
          { subject, compatibility: COMPATIBILITY[compatibility] },
        );
        return id;
      } catch (cause) {
        throw registryError(base, `register a schema under ${subject}`, cause);
      }
    },

    async schemaById(id) {
      try {
        const type = (await client.getSchema(id)) as unknown as Type;
        return type.schema({ exportAttrs: true }) as AvroSchemaJson;
      } catch (cause) {
        if (statusOf(cause) === 404) {
          throw new CmlError(
            ErrorCodes.SERDE_UNKNOWN_SCHEMA,
            `Schema id ${id} is not known to the registry at ${base}`,
            {
              cause,
              details: { schemaId: id },
            },
          );
        }
        throw registryError(base, `fetch schema id ${id}`, cause);
      }
    },

    async latest(subject) {
      const { status, data } = await call<{ id: number; version: number; schema: string }>(
        'GET',
        `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      );
      if (status === 404) return undefined;
      expectOk(base, status, data);
      return {
        id: data.id,
        version: data.version,
        schema: JSON.parse(data.schema) as AvroSchemaJson,
      } satisfies RegisteredVersion;
    },

    async checkCompatibility(subject, schema): Promise<CompatibilityVerdict> {
      const { status, data } = await call<{ is_compatible?: boolean; messages?: string[] }>(
        'POST',
        `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
        { schema: JSON.stringify(schema) },
      );
      if (status === 404) return { compatible: true, messages: ['subject has no version yet'] };
      expectOk(base, status, data);
      return { compatible: data.is_compatible === true, messages: data.messages ?? [] };
    },

    async getCompatibility(subject) {
      const { status, data } = await call<{ compatibilityLevel?: CompatibilityLevel }>(
        'GET',
        `/config/${encodeURIComponent(subject)}`,
      );
      if (status === 404) return undefined;
      expectOk(base, status, data);
      return data.compatibilityLevel;
    },

    async setCompatibility(subject, level) {
      const { status, data } = await call('PUT', `/config/${encodeURIComponent(subject)}`, {
        compatibility: level,
      });
      expectOk(base, status, data);
    },

    async subjects() {
      const { status, data } = await call<string[]>('GET', '/subjects');
      expectOk(base, status, data);
      return data;
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function unavailable(base: string, cause: unknown): CmlError {
  return new CmlError(ErrorCodes.REGISTRY_UNAVAILABLE, `Schema registry at ${base} is not reachable`, {
    cause,
    canRetry: true,
    hint: 'Start it (npm run stack:up) or set SCHEMA_REGISTRY_URL to a running registry.',
  });
}

function registryError(base: string, what: string, cause: unknown): CmlError {
  const status = statusOf(cause);
  if (status === 409) {
    return new CmlError(
      ErrorCodes.SCHEMA_INCOMPATIBLE,
      `Cannot ${what}: the registry rejects it as incompatible`,
      {
        cause,
        hint: 'Run `npm run schemas:check` to see why, and evolve the schema compatibly (new fields need defaults).',
      },
    );
  }
  if (status === undefined || status >= 500) return unavailable(base, cause);
  return new CmlError(ErrorCodes.REGISTRY_UNAVAILABLE, `Cannot ${what}: registry answered HTTP ${status}`, {
    cause,
  });
}

function expectOk(base: string, status: number, data: unknown): void {
  if (status >= 200 && status < 300) return;
  throw new CmlError(
    ErrorCodes.REGISTRY_UNAVAILABLE,
    `Schema registry at ${base} answered HTTP ${status}: ${JSON.stringify(data)}`,
  );
}
