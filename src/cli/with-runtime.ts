import { claimDataDir, type DataDirClaim } from '../data-dir/index.ts';
import { openRuntime, type EmbeddedRuntime, type Runtime } from '../runtime/index.ts';
import type { CommandContext } from './context.ts';

/**
 * How a command uses the data directory: `write` owns it (the embedded runtime: the whole
 * directory; on Kafka only the stores named in `stores`); `read` opens the embedded log read-only,
 * beside a running owner too.
 */
export interface RuntimeAccess {
  readonly access: 'write' | 'read';
  /** Names the command in the lock file. */
  readonly command: string;
  /** The LMDB stores the command writes in the data directory on Kafka (e.g. `exchange`), each claimed. */
  readonly stores?: readonly string[];
}

/** Opens the configured runtime for one command and always closes it. */
export async function withRuntime<T>(
  context: CommandContext,
  access: RuntimeAccess,
  use: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  return withDataDir(context, access, async () => {
    const runtime = await openRuntime(context.config, context.logger, access);
    try {
      sayIfBeside(runtime);
      return await use(runtime);
    } finally {
      await runtime.close();
    }
  });
}

/**
 * Holds the data directory's locks around `use` when the command writes there, before anything is
 * opened, trained or bound: the whole directory on the embedded runtime, the command's stores on
 * Kafka (so one process per service may share a directory); a read-only command takes none.
 */
export async function withDataDir<T>(
  context: CommandContext,
  access: RuntimeAccess,
  use: () => Promise<T>,
): Promise<T> {
  const claims = claimFor(context, access);
  try {
    return await use();
  } finally {
    for (const claim of claims) claim.release();
  }
}

/** The claims a command's access needs (see `withDataDir`): all of them, or none and an error. */
export function claimFor(context: CommandContext, access: RuntimeAccess): DataDirClaim[] {
  const { dataDir, runtime } = context.config;
  if (access.access !== 'write') return [];
  if (runtime === 'embedded') return [claimDataDir(dataDir, access.command)];
  const claims: DataDirClaim[] = [];
  try {
    for (const store of access.stores ?? []) claims.push(claimDataDir(dataDir, access.command, store));
  } catch (error) {
    for (const claim of claims) claim.release();
    throw error;
  }
  return claims;
}

/** Tells a reader that it reads beside a running owner (on stderr: stdout may be piped). */
export function sayIfBeside(runtime: Runtime): void {
  const owner = (runtime as Partial<EmbeddedRuntime>).readingBeside;
  if (owner === undefined) return;
  process.stderr.write(
    `reading beside the running owner of this data directory (pid ${owner.pid}, ${owner.command}): read-only\n`,
  );
}
