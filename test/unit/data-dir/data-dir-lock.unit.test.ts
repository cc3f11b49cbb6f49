import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDataDir, dataDirOwner, dataDirWriters } from '../../../src/data-dir/index.ts';

const HOLDER = fileURLToPath(new URL('../../support/hold-data-dir.ts', import.meta.url));

/** Another process holding the directory (no scope) or one of its stores. */
function holdInChild(dataDir: string, scope?: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', HOLDER, dataDir, ...(scope === undefined ? [] : [scope])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('claimed')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`holder exited (${code})`)));
  });
}

const refusal = (claim: () => unknown): string => {
  try {
    claim();
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  return 'claimed';
};

describe('data directory claims across processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('a whole-directory owner excludes every other claim, and readers see it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cml-lock-'));
    const child = await holdInChild(dataDir);
    children.push(child);
    expect(refusal(() => claimDataDir(dataDir, 'test'))).toBe(
      `CML_DATA_DIR_LOCKED: The data directory ${dataDir} is in use by process ${child.pid} (hold all, since ${dataDirOwner(dataDir)?.since})`,
    );
    expect(refusal(() => claimDataDir(dataDir, 'test', 'exchange'))).toMatch(
      /^CML_DATA_DIR_LOCKED: .*process \d+ \(hold all/,
    );
    expect(dataDirOwner(dataDir)?.pid).toBe(child.pid);
  });

  it('services on Kafka share a directory, one process per store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cml-lock-'));
    const child = await holdInChild(dataDir, 'exchange');
    children.push(child);
    const signals = claimDataDir(dataDir, 'test', 'signals');
    expect(refusal(() => claimDataDir(dataDir, 'test', 'exchange'))).toMatch(
      new RegExp(
        `^CML_DATA_DIR_LOCKED: The exchange store of the data directory .* is in use by process ${child.pid} \\(hold exchange`,
      ),
    );
    signals.release();
    expect(refusal(() => claimDataDir(dataDir, 'test'))).toMatch(
      new RegExp(`^CML_DATA_DIR_LOCKED: The exchange store .* process ${child.pid} `),
    );
    expect(dataDirOwner(dataDir)).toBeUndefined(); // the embedded log has no writer
    expect(dataDirWriters(dataDir).map((w) => [w.pid, w.scope])).toEqual([[child.pid, 'exchange']]);
  });

  it('a claim is shared within one process and goes with its last release', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cml-lock-'));
    const outer = claimDataDir(dataDir, 'test');
    const inner = claimDataDir(dataDir, 'test');
    const store = claimDataDir(dataDir, 'test', 'exchange'); // covered by the whole directory
    inner.release();
    store.release();
    await expect(holdInChild(dataDir)).rejects.toThrow('holder exited (1)');
    outer.release();
    children.push(await holdInChild(dataDir));
  });
});
