import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelArtifact } from './artifact.ts';

const FILE_PATTERN = /^(.+)\.v(\d+)\.json$/;

export interface StoredArtifact {
  readonly slot: string;
  readonly version: number;
  readonly path: string;
}

/** Every artifact file in the models directory (none when it does not exist). */
export function listArtifacts(modelsDir: string): StoredArtifact[] {
  let names: string[];
  try {
    names = readdirSync(modelsDir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const match = FILE_PATTERN.exec(name);
    return match === null
      ? []
      : [{ slot: match[1] as string, version: Number(match[2]), path: join(modelsDir, name) }];
  });
}

/** The newest version of each slot. */
export function latestArtifacts(modelsDir: string): Map<string, StoredArtifact> {
  const latest = new Map<string, StoredArtifact>();
  for (const stored of listArtifacts(modelsDir)) {
    const current = latest.get(stored.slot);
    if (current === undefined || stored.version > current.version) latest.set(stored.slot, stored);
  }
  return latest;
}

export function readArtifact(path: string): ModelArtifact {
  const artifact = JSON.parse(readFileSync(path, 'utf8')) as ModelArtifact;
  if (artifact.format !== 'cml-model/1') throw new Error(`${path} is not a cml-model/1 artifact`);
  return artifact;
}

/**
 * Saves an artifact as the next version of its slot. The file appears whole (written aside, then
 * renamed), so a processor watching the directory never reads half of one.
 */
export function saveArtifact(
  modelsDir: string,
  artifact: Omit<ModelArtifact, 'version'>,
): { artifact: ModelArtifact; path: string } {
  mkdirSync(modelsDir, { recursive: true });
  const next = (latestArtifacts(modelsDir).get(artifact.slot)?.version ?? 0) + 1;
  const version = `${artifact.slot}.v${next}`;
  const saved: ModelArtifact = { ...artifact, version };
  const path = join(modelsDir, `${version}.json`);
  const temporary = join(modelsDir, `.${version}.json.tmp`);
  writeFileSync(temporary, JSON.stringify(saved));
  renameSync(temporary, path);
  return { artifact: saved, path };
}
