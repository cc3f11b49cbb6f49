import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { EMBEDDED_LOG } from '../log/embedded/embedded-store.ts';
import { projectionStore, snapshotStore, type StoreIdentity } from './open-lmdb.ts';

/** The read models a data directory keeps, each in `projections/<name>/<name>.mdb`. */
export const PROJECTION_NAMES = ['portfolio', 'signals', 'candles'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

/** An LMDB file of a data directory and what it is. */
export interface DataDirStore {
  readonly file: string;
  readonly identity: StoreIdentity;
  readonly kind: 'log' | 'projection' | 'snapshot';
}

/** Folders that hold no store of this directory's own (backtests keep data directories of their own). */
const SKIPPED = new Set(['backtests', 'models']);

/** Every LMDB data file under `dataDir`: the embedded log, the projections, the services' snapshots. */
export function dataDirStores(dataDir: string): DataDirStore[] {
  if (!existsSync(dataDir)) return [];
  const out: DataDirStore[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!(dir === dataDir && SKIPPED.has(entry.name))) visit(path);
      } else if (entry.name.endsWith('.mdb')) out.push(storeAt(dataDir, path));
    }
  };
  visit(dataDir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function storeAt(dataDir: string, file: string): DataDirStore {
  const [top, name] = relative(dataDir, file).split(sep);
  if (top === 'embedded') return { file, identity: EMBEDDED_LOG, kind: 'log' };
  if (top === 'projections')
    return { file, identity: projectionStore(name ?? '?', dirname(file)), kind: 'projection' };
  return { file, identity: snapshotStore(name ?? '?', dirname(file)), kind: 'snapshot' };
}
