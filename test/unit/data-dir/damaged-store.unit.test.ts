import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliOutcome } from '../../support/cli-process.ts';

/**
 * Copies of one data directory, damaged the ways disks and people damage files, and every command
 * run on them in a child process: each must stop with a clear error and a non-zero exit code, never
 * die of a signal (before the check, a truncated log was a bus error, garbled pages a segfault), and
 * never write to the damaged file.
 */

const PAGE = 4096;

/** The root page of the main tree, from the newest of the two meta pages. */
function mainRoot(file: string): number {
  const bytes = readFileSync(file);
  const metas = [0, 1].map((i) => ({
    txnid: bytes.readBigUInt64LE(i * PAGE + 24 + 24 + 96 + 8),
    root: Number(bytes.readBigUInt64LE(i * PAGE + 24 + 24 + 48 + 40)),
  }));
  const [a, b] = metas as [(typeof metas)[number], (typeof metas)[number]];
  return (a.txnid >= b.txnid ? a : b).root;
}

const overwrite = (file: string, page: number, bytes: Buffer): void => {
  const content = readFileSync(file);
  bytes.copy(content, page * PAGE);
  writeFileSync(file, content);
};

const HOLDER = fileURLToPath(new URL('../../support/hold-data-dir.ts', import.meta.url));

const DAMAGES: Record<string, (file: string) => void> = {
  'truncated to half': (file) => truncateSync(file, Math.floor(statSync(file).size / 2 / PAGE) * PAGE),
  'two pages overwritten with noise': (file) => {
    overwrite(file, mainRoot(file), randomBytes(PAGE));
    overwrite(file, Math.floor(statSync(file).size / PAGE / 2), randomBytes(PAGE));
  },
  'header zeroed': (file) => overwrite(file, 0, Buffer.alloc(2 * PAGE)),
  'a page replaced by another page': (file) => {
    const root = mainRoot(file);
    overwrite(file, root, readFileSync(file).subarray(2 * PAGE, 3 * PAGE));
  },
};

/** Every command that opens the embedded log (run on the first damage; a sample of them on the others). */
const COMMANDS: string[][] = [
  ['verify'],
  ['status'],
  ['lag'],
  ['tail', 'crypto.market_data', '-n', '1'],
  ['dlq', 'crypto.market_data'],
  ['topics', 'list'],
  ['topics', 'apply'],
  ['init'],
  ['simulate', '--speed', 'max', '--bars', '5'],
  ['import', 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv'],
  ['rebuild'],
  ['exchange', '--until-caught-up'],
  ['notify', '--until-caught-up'],
  ['start', '--feed', 'none', '--no-api', '--services', 'projections,exchange'],
];

const SAMPLE = new Set(['verify', 'status', 'tail', 'init', 'start']);

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Runs the commands two at a time (the machine has two cores). */
async function runAll(
  dataDir: string,
  commands: string[][],
): Promise<Array<{ args: string[]; outcome: CliOutcome }>> {
  const out: Array<{ args: string[]; outcome: CliOutcome }> = [];
  const queue = [...commands];
  const worker = async (): Promise<void> => {
    for (let args = queue.shift(); args !== undefined; args = queue.shift())
      out.push({
        args,
        outcome: await runCli(args, {
          CML_DATA_DIR: dataDir,
          DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/api/webhooks/1/x',
        }),
      });
  };
  await Promise.all([worker(), worker()]);
  return out;
}

function expectClearRefusal(args: string[], outcome: CliOutcome, code: string): void {
  const said = `${args.join(' ')}: ${outcome.stdout}${outcome.stderr}`;
  expect(outcome.signal, said).toBeNull();
  expect(outcome.code, said).toBe(1);
  expect(outcome.stdout + outcome.stderr, said).toContain(code);
  expect(outcome.stderr, said).not.toContain('unexpected error');
  expect(outcome.stderr, said).not.toMatch(/\n\s+at /); // no stack
}

describe('damaged stores', () => {
  let pristine: string;

  beforeAll(async () => {
    pristine = mkdtempSync(join(tmpdir(), 'cml-damage-'));
    const env = { CML_DATA_DIR: pristine };
    expect((await runCli(['simulate', '--speed', 'max', '--bars', '400'], env)).code).toBe(0);
    const rebuilt = await runCli(['rebuild', '--into', join(pristine, 'projections', 'portfolio')], env);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const verified = await runCli(['verify'], env);
    expect(verified.stdout).toContain('verify: no damage found');
    expect(verified.code).toBe(0);
  }, 120_000);

  for (const [index, [damage, apply]] of Object.entries(DAMAGES).entries()) {
    const commands = index === 0 ? COMMANDS : COMMANDS.filter(([name]) => SAMPLE.has(name as string));
    it(
      `log ${damage}: ${index === 0 ? 'every command' : 'verify, status, tail, init, start'} stop with CML_STORE_DAMAGED, exit 1, no signal, nothing written`,
      { timeout: 240_000 },
      async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'cml-damaged-'));
        cpSync(pristine, dataDir, { recursive: true });
        const log = join(dataDir, 'embedded', 'ledger.mdb');
        apply(log);
        const before = sha(log);
        for (const { args, outcome } of await runAll(dataDir, commands)) {
          if (args[0] === 'verify') {
            expect(outcome.signal).toBeNull();
            expect(outcome.code).toBe(1);
            expect(outcome.stdout).toContain(`DAMAGED  ${log}`);
            expect(outcome.stdout).toMatch(/verify: \d+ problems? found: nothing was written/);
          } else expectClearRefusal(args, outcome, 'CML_STORE_DAMAGED');
        }
        expect(sha(log)).toBe(before);
      },
    );
  }

  it(
    'a damaged projection is refused with the command that drops it; dropped, it folds again from the log',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-damaged-'));
      cpSync(pristine, dataDir, { recursive: true });
      const env = { CML_DATA_DIR: dataDir };
      const store = join(dataDir, 'projections', 'portfolio', 'portfolio.mdb');
      truncateSync(store, PAGE * 3);
      const started = await runCli(['start', '--feed', 'none', '--no-api', '--services', 'projections'], env);
      expectClearRefusal(['start'], started, 'CML_STORE_DAMAGED');
      expect(started.stderr).toContain('npm run cli -- projections drop portfolio');
      const verified = await runCli(['verify'], env);
      expect(verified.code).toBe(1);
      expect(verified.stdout).toContain(`DAMAGED  ${store}`);

      const dropped = await runCli(['projections', 'drop', 'portfolio'], env);
      expect(dropped.code).toBe(0);
      expect(dropped.stdout).toContain('dropped the portfolio projection');
      const rebuilt = await runCli(['rebuild', '--into', join(dataDir, 'projections', 'portfolio')], env);
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      const again = await runCli(['verify'], env);
      expect(again.stdout).toContain('verify: no damage found');
      expect(again.code).toBe(0);
    },
  );

  it.each([
    [
      'a process that holds the directory only to read (verify)',
      'status beside verify read a replaced page and crashed',
      ['--reads-only'],
    ],
    [
      'a writer that claimed the directory and has not opened its store yet (or found it damaged)',
      'tail beside init, which was about to refuse the store, trusted its claim and read a garbled page',
      [],
    ],
  ])(
    'a reader beside %s still checks every page (regression: %s)',
    { timeout: 120_000 },
    async (_, _regression, holderArgs) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-damaged-'));
      cpSync(pristine, dataDir, { recursive: true });
      const log = join(dataDir, 'embedded', 'ledger.mdb');
      DAMAGES['a page replaced by another page']?.(log);
      const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir, ...holderArgs], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('claimed')) resolve();
          });
          holder.on('exit', (code) => reject(new Error(`holder exited (${code})`)));
        });
        for (const args of [['status'], ['tail', 'crypto.market_data', '-n', '1']]) {
          const outcome = await runCli(args, { CML_DATA_DIR: dataDir });
          expectClearRefusal(args, outcome, 'CML_STORE_DAMAGED');
        }
      } finally {
        holder.kill('SIGKILL');
      }
    },
  );
});
