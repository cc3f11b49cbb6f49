import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The TimeoutNegativeWarning lines a process prints when kafkajs's request queue schedules its
 * check with nothing throttled (its negative timeout), or when it sets a negative timeout itself.
 * Node prints the warning once per process, so each case runs in its own.
 */
function negativeTimeoutWarnings(quiet: boolean, from: 'kafkajs' | 'ours'): string[] {
  const script = `
    import { createRequire } from 'node:module';
    import { quietKafkajsNegativeTimeouts } from './src/log/kafka/kafkajs-timeout-warning.ts';
    if (${quiet}) quietKafkajsNegativeTimeouts();
    if ('${from}' === 'kafkajs') {
      const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');
      const logger = { debug() {}, info() {}, warn() {}, error() {} };
      new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, clientId: 't', broker: 'b', logger })
        .scheduleCheckPendingRequests();
    } else setTimeout(() => {}, -5);
    setTimeout(() => process.exit(0), 20);
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  return child.stderr.split('\n').filter((line) => line.includes('TimeoutNegativeWarning'));
}

describe("kafkajs's negative timeout warning", () => {
  it('is dropped when its request queue sets the timer', () => {
    expect(negativeTimeoutWarnings(false, 'kafkajs')).toHaveLength(1);
    expect(negativeTimeoutWarnings(true, 'kafkajs')).toEqual([]);
  });

  it('still shows for a negative timeout set anywhere else', () => {
    const warnings = negativeTimeoutWarnings(true, 'ours');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('-5 is a negative number');
  });
});
