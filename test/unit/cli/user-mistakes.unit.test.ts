import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/describe-failure.ts';
import { ErrorCodes, userErrorOf } from '../../../src/errors/index.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs the CLI as a user does; its exit code and what it printed on stderr. */
function cli(...args: string[]): { status: number | null; stderr: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'cml-mistakes-'));
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', '--data-dir', dataDir, ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  );
  return { status: run.status, stderr: run.stderr };
}

const NO_STACK = /^\s+at /m;

/** Issue 15: these printed "unexpected error" with a stack and source paths. */
describe('user mistakes get a CmlError with a hint, and no stack (regression)', () => {
  it('a missing file, on import, train and backtest', { timeout: 60_000 }, () => {
    for (const args of [
      ['import', '/no/such/BTCUSDT-5m.csv'],
      ['train', '--symbol', 'BTCUSDT', '/no/such/bars.csv'],
      ['backtest', '--symbol', 'BTCUSDT', '/no/such/bars.csv'],
    ]) {
      const run = cli(...args);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr).toContain('error [CML_FILE_NOT_FOUND]: No such file or directory: /no/such/');
      expect(run.stderr).toContain('-> Check the path');
      expect(run.stderr).not.toMatch(NO_STACK);
    }
  });

  it('a backtest of a file without a symbol in its name asks for --symbol', { timeout: 30_000 }, () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cml-mistakes-')), 'prices.csv');
    writeFileSync(file, 'open_time,open,high,low,close,volume\n1672677900000,1,1,1,1,1\n');
    const run = cli('backtest', file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error [CML_USAGE]: No symbol for ${file}`);
    expect(run.stderr).toContain('pass --symbol');
    expect(run.stderr).not.toMatch(NO_STACK);
  });

  it('a host that does not resolve (fetch wraps the dns error in its cause)', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND registry.example.invalid'), {
      code: 'ENOTFOUND',
      hostname: 'registry.example.invalid',
    });
    const failure = new TypeError('fetch failed', { cause: dns });
    expect(userErrorOf(failure)?.code).toBe(ErrorCodes.HOST_NOT_FOUND);
    const printed = describeFailure(failure, 'info');
    expect(printed).toBe(
      'error [CML_HOST_NOT_FOUND]: Host "registry.example.invalid" does not resolve\n' +
        '  -> Check the host name in the URL or broker list, and that DNS answers from here.',
    );
  });

  it('an unexpected error shows its message, and its stack only at --log-level debug', () => {
    const bug = new Error('something broke');
    expect(describeFailure(bug, 'info')).not.toMatch(NO_STACK);
    expect(describeFailure(bug, 'info')).toContain('--log-level debug');
    expect(describeFailure(bug, 'debug')).toMatch(NO_STACK);
  });
});
