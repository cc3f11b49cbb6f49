export {
  claimDataDir,
  dataDirOwner,
  dataDirWriters,
  LOCK_FILE,
  type DataDirClaim,
  type DataDirOwner,
} from './data-dir-lock.ts';
export { checkLmdbFile, type LmdbFileReport } from './lmdb-file-check.ts';
export {
  assertLmdbFileSound,
  openCheckedLmdb,
  projectionStore,
  snapshotStore,
  type OpenLmdbOptions,
  type StoreIdentity,
} from './open-lmdb.ts';
export {
  dataDirStores,
  PROJECTION_NAMES,
  type DataDirStore,
  type ProjectionName,
} from './data-dir-stores.ts';
