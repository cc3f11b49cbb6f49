import type { AvroSchemaJson } from '../contracts/index.ts';

/** What the gate needs of a topic contract (a data topic's, or a sweep topic's). */
export interface SchemaSubject {
  readonly topic: string;
  readonly subject: string;
  readonly schema: AvroSchemaJson;
}
import type { CompatibilityLevel, SchemaRegistryPort } from '../serde/index.ts';
import { checkLocal, releasedVersions, type LocalCheck } from './local-compatibility.ts';

export interface SubjectVerdict {
  readonly subject: string;
  readonly level: CompatibilityLevel;
  readonly local: readonly LocalCheck[];
  /** Undefined when the registry was not consulted. */
  readonly registry?: { readonly compatible: boolean; readonly messages: readonly string[] };
  readonly ok: boolean;
}

export interface CheckSchemasOptions {
  readonly registry?: SchemaRegistryPort;
  readonly levelOf: (subject: string) => CompatibilityLevel;
  readonly releasedOf?: (topic: string) => ReturnType<typeof releasedVersions>;
  /** The schema to check per contract; the one in avro/ by default. */
  readonly candidateOf?: (contract: SchemaSubject) => AvroSchemaJson;
}

/** The compatibility gate: each subject's schema against its released versions and the live registry. */
export async function checkSchemas(
  contracts: readonly SchemaSubject[],
  options: CheckSchemasOptions,
): Promise<SubjectVerdict[]> {
  const verdicts: SubjectVerdict[] = [];
  for (const contract of contracts) {
    const level = options.levelOf(contract.subject);
    const candidate = options.candidateOf?.(contract) ?? contract.schema;
    const local = checkLocal(candidate, (options.releasedOf ?? releasedVersions)(contract.topic), level);
    const registry =
      options.registry === undefined
        ? undefined
        : await options.registry.checkCompatibility(contract.subject, candidate);
    const ok = local.every((check) => check.ok) && (registry?.compatible ?? true);
    verdicts.push(
      registry === undefined
        ? { subject: contract.subject, level, local, ok }
        : { subject: contract.subject, level, local, registry, ok },
    );
  }
  return verdicts;
}

export function formatVerdict(verdict: SubjectVerdict): string {
  const lines = [`${verdict.ok ? 'OK  ' : 'FAIL'} ${verdict.subject} (${verdict.level})`];
  if (verdict.local.length === 0) lines.push('     local: no released version to compare with');
  for (const check of verdict.local) {
    lines.push(
      `     local vs v${check.against}: ${check.ok ? 'compatible' : `INCOMPATIBLE: ${check.reason}`}`,
    );
  }
  if (verdict.registry !== undefined) {
    const detail = verdict.registry.messages.length > 0 ? ` (${verdict.registry.messages.join('; ')})` : '';
    lines.push(`     registry: ${verdict.registry.compatible ? 'compatible' : 'INCOMPATIBLE'}${detail}`);
  }
  return lines.join('\n');
}
