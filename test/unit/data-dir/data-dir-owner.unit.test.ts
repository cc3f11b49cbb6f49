import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../../support/cli-process.ts';

/** The owner: the projections and the API, no feed and no training, so it is up in seconds. */
const OWNER = ['start', '--feed', 'none', '--services', 'projections,exchange'];

describe('one owner per data directory (two real processes)', () => {
  let owner: RunningCli | undefined;
  afterEach(async () => {
    await owner?.stop();
    owner = undefined;
  });

  it(
    'refuses a second start on the same directory and port, naming the holder, before starting anything',
    { timeout: 90_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-owner-'));
      const env = { CML_DATA_DIR: dataDir, CML_API_PORT: '0' };
      const first = await startCli(OWNER, env, /dashboard: http:\/\/127\.0\.0\.1:(\d+)\//);
      owner = first.running;
      const port = first.match[1] as string;

      // The whole pipeline, on the owner's port: before the lock, it started its signals
      // processor on the shared store and only then died of EADDRINUSE.
      const second = await runCli(['start', '--feed', 'none'], {
        ...env,
        CML_API_PORT: port,
        LOG_LEVEL: 'info',
      });
      expect(second.signal).toBeNull();
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('CML_DATA_DIR_LOCKED');
      expect(second.stderr).toContain(`in use by process ${owner.child.pid} (start`);
      expect(second.stderr).toContain('--data-dir');
      expect(second.stderr).toContain('--runtime kafka');
      expect(second.stderr).not.toContain('EADDRINUSE');
      expect(second.stdout).toBe('');
      expect(second.stderr).not.toMatch(/"msg"/); // no service logged a thing

      // A writing command is refused too; another directory is not.
      const imported = await runCli(['import', 'test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv'], env);
      expect(imported.code).toBe(1);
      expect(imported.stderr).toContain('CML_DATA_DIR_LOCKED');
      const elsewhere = await runCli(['init'], { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-owner-')) });
      expect(elsewhere.code).toBe(0);
    },
  );

  it(
    'lets read-only commands run beside the owner, saying so, without writing',
    { timeout: 90_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-owner-'));
      const env = { CML_DATA_DIR: dataDir, CML_API_PORT: '0' };
      owner = (await startCli(OWNER, env, /dashboard: /)).running;
      const log = join(dataDir, 'embedded', 'ledger.mdb');
      const before = statSync(log);
      for (const args of [
        ['status'],
        ['lag'],
        ['tail', 'crypto.orders'],
        ['dlq', 'crypto.orders'],
        ['topics', 'list'],
      ]) {
        const outcome = await runCli(args, env);
        expect(outcome.code, `${args.join(' ')}: ${outcome.stderr}`).toBe(0);
        expect(outcome.stderr).toContain(
          `reading beside the running owner of this data directory (pid ${owner.child.pid}, start): read-only`,
        );
      }
      const after = statSync(log);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(after.size).toBe(before.size);
    },
  );

  it(
    'frees the directory when the owner dies, even by SIGKILL (no stale lock)',
    { timeout: 90_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-owner-'));
      const env = { CML_DATA_DIR: dataDir, CML_API_PORT: '0' };
      const killed = (await startCli(OWNER, env, /dashboard: /)).running;
      killed.child.kill('SIGKILL');
      await killed.stop();
      const next = await runCli(['init'], env);
      expect(next.stderr).toBe('');
      expect(next.code).toBe(0);
    },
  );
});
