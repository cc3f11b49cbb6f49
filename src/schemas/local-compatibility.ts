import { readdirSync, readFileSync } from 'node:fs';
import avro from 'avsc';
import type { AvroSchemaJson } from '../contracts/index.ts';
import type { CompatibilityLevel } from '../serde/index.ts';

export interface ReleasedVersion {
  readonly version: number;
  readonly file: string;
  readonly schema: AvroSchemaJson;
}

const RELEASED_DIR = new URL('../../avro/released/', import.meta.url);

/** The released versions of a topic's schema kept in avro/released/<topic>/v<N>.avsc, oldest first. */
export function releasedVersions(topic: string, root: URL = RELEASED_DIR): ReleasedVersion[] {
  const dir = new URL(`${topic}/`, root);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .map((file) => ({ file, match: /^v(\d+)\.avsc$/.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      file: `avro/released/${topic}/${file}`,
      schema: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as AvroSchemaJson,
    }))
    .sort((a, b) => a.version - b.version);
}

/** Can `reader` read data written with `writer`? Avro schema resolution, as avsc implements it. */
export function canRead(reader: AvroSchemaJson, writer: AvroSchemaJson): { ok: boolean; reason?: string } {
  try {
    avro.Type.forSchema(reader as avro.Schema).createResolver(avro.Type.forSchema(writer as avro.Schema));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

export interface LocalCheck {
  readonly against: number;
  readonly ok: boolean;
  readonly reason?: string;
}

/**
 * Checks a candidate schema against released versions under a compatibility level: BACKWARD means
 * the new schema reads old data, FORWARD that old readers read new data, FULL both; the
 * TRANSITIVE levels check every released version instead of the latest only.
 */
export function checkLocal(
  candidate: AvroSchemaJson,
  released: readonly ReleasedVersion[],
  level: CompatibilityLevel,
): LocalCheck[] {
  if (level === 'NONE' || released.length === 0) return [];
  const targets = level.endsWith('_TRANSITIVE') ? released : released.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  return targets.map((old) => {
    const reasons: string[] = [];
    if (backward) {
      const result = canRead(candidate, old.schema);
      if (!result.ok) reasons.push(`new schema cannot read v${old.version} data: ${result.reason}`);
    }
    if (forward) {
      const result = canRead(old.schema, candidate);
      if (!result.ok) reasons.push(`v${old.version} readers cannot read new data: ${result.reason}`);
    }
    return reasons.length === 0
      ? { against: old.version, ok: true }
      : { against: old.version, ok: false, reason: reasons.join('; ') };
  });
}
