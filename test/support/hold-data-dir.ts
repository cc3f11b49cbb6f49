/**
 * A child process that claims a data directory (or one store of it) and holds it until killed:
 *   node --import tsx test/support/hold-data-dir.ts <data-dir> [scope|--reads-only]
 * (`--reads-only`: the whole directory, held as `verify` holds it, to read).
 */
import { claimDataDir } from '../../src/data-dir/index.ts';

const [dataDir, arg] = process.argv.slice(2) as [string, string | undefined];
if (arg === '--reads-only') claimDataDir(dataDir, 'hold to read', undefined, { readsOnly: true });
else claimDataDir(dataDir, `hold ${arg ?? 'all'}`, arg);
process.stdout.write('claimed\n');
setInterval(() => undefined, 60_000);
