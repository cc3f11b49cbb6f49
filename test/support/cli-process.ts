import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** How a CLI process ended: its exit code, or the signal that killed it, and what it printed. */
export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const spawnCli = (args: readonly string[], env: Record<string, string>): ChildProcess =>
  // Node itself runs the CLI (tsx as a loader), so the pid and the exit are the CLI's own.
  spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** A command still running after this long is killed (a hang then fails the test, leaving no orphan). */
const RUN_TIMEOUT_MS = 50_000;

/** Runs one CLI command in a child process to its end (SIGKILL after `timeoutMs`). */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => clearTimeout(timer));
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A long-running CLI command (`start`), resolved once its output matches `ready`. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** SIGINT, then the outcome. */
  stop(): Promise<CliOutcome>;
}

export function startCli(
  args: readonly string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ running: RunningCli; match: RegExpExecArray }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  const closed = new Promise<CliOutcome>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const running: RunningCli = {
    child,
    output: () => stdout + stderr,
    stop: () => {
      child.kill('SIGINT');
      return closed;
    },
  };
  return new Promise((resolve, reject) => {
    const seen = (): void => {
      const match = ready.exec(stdout);
      if (match !== null) resolve({ running, match });
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      seen();
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void closed.then((outcome) =>
      reject(
        new Error(
          `${args.join(' ')} ended (${outcome.code ?? outcome.signal}) before ready:\n${stdout}${stderr}`,
        ),
      ),
    );
  });
}
