import { execFileSync } from 'node:child_process';

/** The bench folders with a Python venv of peer systems (each made by its setup.sh, from PyPI). */
export type PeerVenv = 'backtest' | 'ml';

const ready = new Set<PeerVenv>();

/**
 * Runs a peer's script (`bench/<venv>/<script>`) in that folder's venv, set up on first use, and
 * parses the JSON it prints on stdout.
 */
export function runPythonPeer<T>(venv: PeerVenv, script: string, args: readonly string[]): T {
  if (!ready.has(venv)) {
    execFileSync('bash', [`bench/${venv}/setup.sh`], { stdio: 'inherit' });
    ready.add(venv);
  }
  const stdout = execFileSync(`bench/${venv}/.venv/bin/python`, [`bench/${venv}/${script}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}
