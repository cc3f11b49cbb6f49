/**
 * A child process that claims a data directory (or one store of it) and holds it until killed:
 *   node --import tsx test/support/hold-data-dir.ts <data-dir> [scope]
 */
import { claimDataDir } from '../../src/data-dir/index.ts';

const [dataDir, scope] = process.argv.slice(2) as [string, string | undefined];
claimDataDir(dataDir, `hold ${scope ?? 'all'}`, scope);
process.stdout.write('claimed\n');
setInterval(() => undefined, 60_000);
