import { claimDataDir } from '../data-dir/index.ts';
import { openRuntime, type EmbeddedRuntime, type Runtime } from '../runtime/index.ts';
import type { CommandContext } from './context.ts';

/**
 * How a command uses the data directory: `write` owns it (the embedded log, or with `dataDir` the
 * LMDB stores a command keeps there on Kafka too); `read` opens the embedded log read-only, beside
 * a running owner too.
 */
export interface RuntimeAccess {
  readonly access: 'write' | 'read';
  /** Names the command in the lock file. */
  readonly command: string;
  /** The command keeps stores in the data directory whatever the runtime: claim it on Kafka too. */
  readonly dataDir?: boolean;
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
 * Holds the data directory's lock around `use` when the command writes there (before anything is
 * opened, trained or bound); a read-only command or a Kafka command without stores takes none.
 */
export async function withDataDir<T>(
  context: CommandContext,
  access: RuntimeAccess,
  use: () => Promise<T>,
): Promise<T> {
  const owns =
    access.access === 'write' && (context.config.runtime === 'embedded' || access.dataDir === true);
  const claim = owns ? claimDataDir(context.config.dataDir, access.command) : undefined;
  try {
    return await use();
  } finally {
    claim?.release();
  }
}

/** Tells a reader that it reads beside a running owner (on stderr: stdout may be piped). */
export function sayIfBeside(runtime: Runtime): void {
  const owner = (runtime as Partial<EmbeddedRuntime>).readingBeside;
  if (owner === undefined) return;
  process.stderr.write(
    `reading beside the running owner of this data directory (pid ${owner.pid}, ${owner.command}): read-only\n`,
  );
}
