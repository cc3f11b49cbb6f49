import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CodeVersion {
  readonly packageVersion: string;
  readonly gitCommit?: string;
}

const ROOT = new URL('../../', import.meta.url);
let cached: CodeVersion | undefined;

/** The code that runs: package.json's version, and the checkout's commit when it is a git checkout with git at hand. */
export function codeVersion(): CodeVersion {
  if (cached !== undefined) return cached;
  const { version } = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string };
  let gitCommit: string | undefined;
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
  } catch {
    // No git, or not a checkout (an installed package, a container image): the version alone.
  }
  cached = { packageVersion: version, ...(gitCommit === undefined || gitCommit === '' ? {} : { gitCommit }) };
  return cached;
}
