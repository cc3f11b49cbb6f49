import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { tryLock } from 'fs-native-extensions';
import { CmlError, ErrorCodes } from '../errors/index.ts';

/** The file whose OS lock marks the owner of a whole data directory; it also names the owner. */
export const LOCK_FILE = 'cml.lock';
/** One store's lock file (`cml.<scope>.lock`), for services that share a directory on Kafka. */
const scopeFile = (scope: string): string => `cml.${scope}.lock`;
const SCOPE_FILE = /^cml\.(.+)\.lock$/;

/** Who holds a data directory (or one of its stores), as its lock file says. */
export interface DataDirOwner {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
  /** The store it holds, when it holds one and not the whole directory. */
  readonly scope?: string;
  /**
   * It holds the directory only to keep writers out while it reads (`verify`): it vouches for no
   * page, so a reader beside it checks every page itself.
   */
  readonly readsOnly?: boolean;
  /**
   * It opened its store after walking every page (`vouch`): a reader beside it may check the
   * headers only. A claim is taken before the store is opened, so until then (and for an owner
   * that found the store damaged and is about to exit) readers walk the pages themselves.
   */
  readonly checked?: boolean;
}

/** A held claim on a data directory; `release` is idempotent. */
export interface DataDirClaim {
  readonly dataDir: string;
  /** Says, in the lock file, that the store was opened after its pages were walked (see `checked`). */
  vouch(): void;
  release(): void;
}

interface Held {
  readonly fds: readonly number[];
  /** The owner as written in the lock file of the claim (the last of `fds`). */
  readonly owner: DataDirOwner;
  count: number;
}

/**
 * Claims held by this process, by real path and scope: the lock is per open file description, so
 * nested openings in one process (a command that opens the runtime and then its stores) share one.
 */
const held = new Map<string, Held>();
const WHOLE = '';

/** A reader's probe holds a shared lock for an instant: retry that long before refusing. */
const PROBE_GRACE_MS = 100;

function lockWithin(fd: number, shared: boolean): boolean {
  const deadline = Date.now() + PROBE_GRACE_MS;
  for (;;) {
    if (tryLock(fd, { shared })) return true;
    if (Date.now() >= deadline) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

function readOwner(file: string): DataDirOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirOwner>;
    return typeof parsed.pid === 'number'
      ? {
          pid: parsed.pid,
          command: parsed.command ?? '?',
          since: parsed.since ?? '?',
          ...(parsed.scope === undefined ? {} : { scope: parsed.scope }),
          ...(parsed.readsOnly === true ? { readsOnly: true } : {}),
          ...(parsed.checked === true ? { checked: true } : {}),
        }
      : undefined;
  } catch {
    return undefined;
  }
}

function writeOwner(fd: number, owner: DataDirOwner): void {
  ftruncateSync(fd, 0);
  writeSync(fd, `${JSON.stringify(owner)}\n`, 0);
}

/**
 * Takes a data directory for this process, or refuses naming the holder. Without `scope`, the
 * whole directory (the embedded runtime: one log for everything); with one, a store of it (a
 * service of a Kafka pipeline: several processes may share a directory, one per store). The
 * locks are the kernel's (open-file-description locks on `cml.lock` and `cml.<scope>.lock`): they
 * go when the process ends, however it ends (SIGKILL included), so no stale lock can exist and no
 * pid has to be guessed alive. The whole directory is an exclusive lock on `cml.lock`; a store is
 * a shared lock on `cml.lock` plus an exclusive one on its own file. The files' content (pid,
 * command, time) only names the holder.
 */
export function claimDataDir(
  dataDir: string,
  command: string,
  scope?: string,
  options: { readonly readsOnly?: boolean } = {},
): DataDirClaim {
  mkdirSync(dataDir, { recursive: true });
  const dir = realpathSync(dataDir);
  const key = `${dir}\u0000${scope ?? WHOLE}`;
  const whole = `${dir}\u0000${WHOLE}`;
  // Held already by this process: the same claim, or the whole directory, which covers a store.
  const reuse = held.has(key) ? key : scope !== undefined && held.has(whole) ? whole : undefined;
  const mine = reuse === undefined ? undefined : held.get(reuse);
  if (reuse !== undefined && mine !== undefined) {
    mine.count++;
    return releaser(dataDir, reuse);
  }
  const owner: DataDirOwner = {
    pid: process.pid,
    command,
    since: new Date().toISOString(),
    ...(scope === undefined ? {} : { scope }),
    ...(options.readsOnly === true ? { readsOnly: true } : {}),
  };
  const main = openSync(join(dir, LOCK_FILE), 'a+');
  if (!lockWithin(main, scope !== undefined)) {
    closeSync(main);
    throw lockedError(dataDir, holderOf(dir), scope);
  }
  const fds = [main];
  if (scope === undefined) writeOwner(main, owner);
  else {
    const own = openSync(join(dir, scopeFile(scope)), 'a+');
    if (!lockWithin(own, false)) {
      closeSync(own);
      closeSync(main);
      throw lockedError(dataDir, readOwner(join(dir, scopeFile(scope))), scope);
    }
    writeOwner(own, owner);
    fds.push(own);
  }
  held.set(key, { fds, owner, count: 1 });
  return releaser(dataDir, key);
}

function releaser(dataDir: string, key: string): DataDirClaim {
  let released = false;
  return {
    dataDir,
    vouch() {
      const entry = held.get(key);
      if (released || entry === undefined || entry.owner.checked === true) return;
      const owner = { ...entry.owner, checked: true };
      held.set(key, { ...entry, owner });
      writeOwner(entry.fds.at(-1) as number, owner);
    },
    release() {
      if (released) return;
      released = true;
      const entry = held.get(key);
      if (entry === undefined || --entry.count > 0) return;
      held.delete(key);
      for (const fd of entry.fds) closeSync(fd); // closing the descriptor drops its lock
    },
  };
}

/** Whether another process holds `file`'s lock (exclusively, or shared with `shared` false). */
function heldByOther(file: string, shared: boolean): boolean {
  let fd: number;
  try {
    fd = openSync(file, shared ? 'r' : 'r+'); // an exclusive lock needs a descriptor open for writing
  } catch {
    return false;
  }
  try {
    return !tryLock(fd, { shared });
  } finally {
    closeSync(fd);
  }
}

/** Who holds the directory now: a store's holder if one does, else the whole directory's. */
function holderOf(dir: string): DataDirOwner | undefined {
  return storeOwners(dir)[0] ?? readOwner(join(dir, LOCK_FILE));
}

function storeOwners(dir: string): DataDirOwner[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => SCOPE_FILE.test(name) && heldByOther(join(dir, name), false))
    .map((name) => readOwner(join(dir, name)) ?? { pid: -1, command: '?', since: '?' });
}

/**
 * The process that owns the whole data directory now (the embedded runtime's writer), if one
 * does; this process's own claim does not count. Probing takes a shared lock for an instant.
 */
export function dataDirOwner(dataDir: string): DataDirOwner | undefined {
  let dir: string;
  try {
    dir = realpathSync(dataDir);
  } catch {
    return undefined;
  }
  if (held.has(`${dir}\u0000${WHOLE}`)) return undefined;
  if (!heldByOther(join(dir, LOCK_FILE), true)) return undefined;
  return readOwner(join(dir, LOCK_FILE)) ?? { pid: -1, command: '?', since: '?' };
}

/** Every other process writing to the data directory now: its owner, or the holders of its stores. */
export function dataDirWriters(dataDir: string): DataDirOwner[] {
  const owner = dataDirOwner(dataDir);
  if (owner !== undefined) return [owner];
  try {
    const dir = realpathSync(dataDir);
    return storeOwners(dir).filter((o) => o.pid !== process.pid);
  } catch {
    return [];
  }
}

function lockedError(dataDir: string, owner: DataDirOwner | undefined, scope: string | undefined): CmlError {
  const what =
    owner?.scope === undefined ? 'The data directory' : `The ${owner.scope} store of the data directory`;
  const who =
    owner === undefined ? 'another process' : `process ${owner.pid} (${owner.command}, since ${owner.since})`;
  return new CmlError(ErrorCodes.DATA_DIR_LOCKED, `${what} ${dataDir} is in use by ${who}`, {
    hint:
      'One process writes to a data directory (on Kafka, one per store). Stop that process first, or run a second ' +
      'instance on another directory (--data-dir DIR or CML_DATA_DIR), or run the services on the Kafka runtime ' +
      '(--runtime kafka), one process per service. Read-only commands (status, lag, tail, dlq, topics list, verify) ' +
      'work beside it.',
    details: {
      dataDir,
      ...(scope === undefined ? {} : { scope }),
      ...(owner === undefined ? {} : { pid: owner.pid, command: owner.command }),
    },
  });
}
