import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A process manager waits about this long between SIGTERM and SIGKILL (Docker: 10 s). */
const STOPS_WITHIN_MS = 10_000;

/** The processes of a process group still alive (`npm start` is spawned as a group's leader). */
function groupMembers(pgid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && !(stat ?? '').startsWith('Z'))
    .map((cells) => cells.join(' '));
}

/**
 * Issue 15: a signal sent to the npm process alone (what a process manager or a container runtime
 * does) left the app running: npm forwarded it to `sh -c`, which died without passing it on, and
 * tsx and node were orphaned. `npm start` now runs `exec node --import tsx`: npm's one child is the
 * app, and npm forwards SIGINT and SIGTERM to it.
 */
describe('npm start and signals sent to the npm process alone', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops the app cleanly within the bound, and no process of the chain is left',
    { timeout: 120_000 },
    async (signal) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-npm-signal-'));
      const npm = spawn('npm', ['start', '--', '--history-bars', '300'], {
        cwd: ROOT,
        detached: true,
        env: { ...process.env, CML_DATA_DIR: dataDir, CML_API_PORT: '0', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const pgid = npm.pid as number;
      let output = '';
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // 'close', not 'exit': npm can exit before its pipes are drained, and the app's last lines with them.
      const exited = new Promise<number | null>((resolve) => npm.on('close', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 90_000;
        while (!/dashboard: http/.test(output)) {
          if (Date.now() > deadline || npm.exitCode !== null)
            throw new Error(`npm start did not come up:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const sent = Date.now();
        process.kill(pgid, signal);
        const code = await Promise.race([
          exited,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOPS_WITHIN_MS)),
        ]);
        const tookMs = Date.now() - sent;
        // The chain's other processes (esbuild's service) end with it; give them a moment.
        let left = groupMembers(pgid);
        for (let i = 0; i < 20 && left.length > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          left = groupMembers(pgid);
        }
        console.info(`npm start, ${signal} to npm alone: exited ${String(code)} after ${tookMs} ms`);
        expect(code, output).not.toBe('timeout');
        expect(output, `exited ${String(code)}`).toContain('stopping...');
        expect(left).toEqual([]);
      } finally {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // Nothing left to kill.
        }
      }
    },
  );
});
