import { openRuntime, type Runtime } from '../runtime/index.ts';
import type { CommandContext } from './context.ts';

/** Opens the configured runtime for one command and always closes it. */
export async function withRuntime<T>(
  context: CommandContext,
  use: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await openRuntime(context.config, context.logger);
  try {
    return await use(runtime);
  } finally {
    await runtime.close();
  }
}
