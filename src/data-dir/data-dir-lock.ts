import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { join } from 'node:path';
import { tryLock } from 'fs-native-extensions';
import { CmlError, ErrorCodes } from '../errors/index.ts';

/** The file whose OS lock marks the owner of a data directory; it also names the owner. */
export const LOCK_FILE = 'cml.lock';

/** Who holds a data directory, as its lock file says. */
export interface DataDirOwner {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
}

/** A held claim on a data directory; `release` is idempotent. */
export interface DataDirClaim {
  readonly dataDir: string;
  release(): void;
}

interface Held {
  readonly fd: number;
  count: number;
}

/**
 * Claims held by this process, by real path: the lock is per process (an OS lock on an open file
 * description), so nested openings in one process (a command that opens the runtime and then its
 * stores) share one claim.
 */
const held = new Map<string, Held>();

const lockPath = (dataDir: string): string => join(dataDir, LOCK_FILE);

function readOwner(dataDir: string): DataDirOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as Partial<DataDirOwner>;
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, command: parsed.command ?? '?', since: parsed.since ?? '?' }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the exclusive lock of a data directory for this process, or refuses naming the holder.
 * The lock is the kernel's (an open-file-description lock on `cml.lock`): it is released when the
 * process ends however it ends (SIGKILL included), so a stale lock cannot exist and no PID
 * liveness guess is needed. The file's content (pid, command, time) only names the holder.
 */
export function claimDataDir(dataDir: string, command: string): DataDirClaim {
  mkdirSync(dataDir, { recursive: true });
  const key = realpathSync(dataDir);
  const mine = held.get(key);
  if (mine !== undefined) {
    mine.count++;
    return releaser(key, dataDir);
  }
  const fd = openSync(lockPath(key), 'a+');
  if (!lockWithin(fd, PROBE_GRACE_MS)) {
    closeSync(fd);
    throw lockedError(dataDir, readOwner(key));
  }
  const owner: DataDirOwner = { pid: process.pid, command, since: new Date().toISOString() };
  ftruncateSync(fd, 0);
  writeSync(fd, `${JSON.stringify(owner)}\n`, 0);
  held.set(key, { fd, count: 1 });
  return releaser(key, dataDir);
}

/** A reader's probe (`dataDirOwner`) holds a shared lock for an instant: retry that long. */
const PROBE_GRACE_MS = 100;

function lockWithin(fd: number, graceMs: number): boolean {
  const deadline = Date.now() + graceMs;
  for (;;) {
    if (tryLock(fd)) return true;
    if (Date.now() >= deadline) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

function releaser(key: string, dataDir: string): DataDirClaim {
  let released = false;
  return {
    dataDir,
    release() {
      if (released) return;
      released = true;
      const entry = held.get(key);
      if (entry === undefined || --entry.count > 0) return;
      held.delete(key);
      closeSync(entry.fd); // closing the last descriptor drops the lock
    },
  };
}

/**
 * The process that owns a data directory now, if one does (another process: this one's own claim
 * does not count). Probing takes the lock for an instant, so it is false when nobody holds it.
 */
export function dataDirOwner(dataDir: string): DataDirOwner | undefined {
  let key: string;
  try {
    key = realpathSync(dataDir);
  } catch {
    return undefined;
  }
  if (held.has(key)) return undefined;
  let fd: number;
  try {
    fd = openSync(lockPath(key), 'r');
  } catch {
    return undefined;
  }
  try {
    if (tryLock(fd, { shared: true })) return undefined;
    return readOwner(key) ?? { pid: -1, command: '?', since: '?' };
  } finally {
    closeSync(fd);
  }
}

function lockedError(dataDir: string, owner: DataDirOwner | undefined): CmlError {
  const who =
    owner === undefined ? 'another process' : `process ${owner.pid} (${owner.command}, since ${owner.since})`;
  return new CmlError(ErrorCodes.DATA_DIR_LOCKED, `The data directory ${dataDir} is in use by ${who}`, {
    hint:
      'One process owns a data directory. Stop that process first, or run a second instance on another ' +
      'directory (--data-dir DIR or CML_DATA_DIR), or run the services on the Kafka runtime (--runtime kafka) ' +
      'to spread them over processes. Read-only commands (status, lag, tail, dlq, topics list, verify) work beside it.',
    details: { dataDir, ...(owner === undefined ? {} : { pid: owner.pid, command: owner.command }) },
  });
}
