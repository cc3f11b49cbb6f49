import { existsSync } from 'node:fs';
import { open, type Key, type RootDatabase, type RootDatabaseOptions } from 'lmdb';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { checkLmdbFile } from './lmdb-file-check.ts';

/** What a store is, for messages, and what to do when it is damaged. */
export interface StoreIdentity {
  /** e.g. "the embedded log", "the portfolio projection". */
  readonly what: string;
  /** What the user can do when the file is damaged. */
  readonly whenDamaged: string;
}

export interface OpenLmdbOptions {
  /** Map it read-only (LMDB's own read-only mode): nothing, not even LMDB's bookkeeping, is written. */
  readonly readOnly?: boolean;
  /**
   * Walk every page before mapping (default). Off for a reader beside a running owner: the owner
   * walked the file when it opened it, and a walk beside its writes would see pages mid-change.
   */
  readonly walk?: boolean;
}

/** Raises the damage found in an LMDB file as an error that says which store and what to do. */
export function assertLmdbFileSound(path: string, identity: StoreIdentity, walk: boolean): void {
  const { problems } = checkLmdbFile(path, { walk });
  if (problems.length === 0) return;
  throw damaged(path, identity, problems.join('; '));
}

const damaged = (path: string, identity: StoreIdentity, problem: string, cause?: unknown): CmlError =>
  new CmlError(ErrorCodes.STORE_DAMAGED, `${identity.what} (${path}) is damaged: ${problem}`, {
    hint: `${identity.whenDamaged} Nothing was written to it.`,
    details: { path },
    ...(cause === undefined ? {} : { cause }),
  });

/**
 * Opens an LMDB environment after checking its file (see `checkLmdbFile`), so a damaged store is
 * refused with what to do instead of crashing the process or being written to. A store that does
 * not exist yet is created, unless read-only, which refuses.
 */
export function openCheckedLmdb<V = unknown, K extends Key = Key>(
  file: string,
  options: RootDatabaseOptions,
  identity: StoreIdentity,
  { readOnly = false, walk = true }: OpenLmdbOptions = {},
): RootDatabase<V, K> {
  if (existsSync(file)) assertLmdbFileSound(file, identity, walk);
  else if (readOnly)
    throw new CmlError(ErrorCodes.STORE_MISSING, `${identity.what} does not exist at ${file}`, {
      hint: 'Check --data-dir (or CML_DATA_DIR); `npm run cli -- init` creates an empty runtime.',
      details: { path: file },
    });
  try {
    return open<V, K>(file, { noSubdir: true, ...options, ...(readOnly ? { readOnly: true } : {}) });
  } catch (error) {
    throw damaged(file, identity, (error as Error).message, error);
  }
}

/** A read model folded from the log: damaged, it is dropped and folded again. */
export const projectionStore = (name: string, dir: string): StoreIdentity => ({
  what: `The ${name} projection`,
  whenDamaged: `It is folded from the log: drop it with \`npm run cli -- projections drop ${name}\` (or delete ${dir}); the next start folds it again from the log.`,
});

/** A service's snapshot of state it can re-read from the log. */
export const snapshotStore = (name: string, dir: string): StoreIdentity => ({
  what: `The ${name} snapshot`,
  whenDamaged: `It is a snapshot of what the log holds: delete ${dir}; the service rebuilds it from the log on its next start.`,
});
