import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boundedNumber, isoInstant } from '../../../src/cli/option-parsers.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('numeric and time options of the CLI', () => {
  it('a bounded number is a finite plain decimal within its bounds', () => {
    const speed = boundedNumber({ min: 0, minInclusive: false, max: 10_000 });
    expect(speed('60')).toBe(60);
    expect(speed('0.5')).toBe(0.5);
    for (const bad of ['1e309', 'Infinity', '0', '-1', '', ' ', '0x10', '10001', 'NaN'])
      expect(() => speed(bad), bad).toThrow('expected a number in (0, 10000]');
    const bars = boundedNumber({ min: 1, max: 100, integer: true });
    expect(() => bars('1.5')).toThrow('expected a whole number in [1, 100]');
  });

  it('an instant is an ISO 8601 date on the calendar', () => {
    expect(isoInstant('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(isoInstant('2024-02-29T10:00:00Z')).toBe(Date.UTC(2024, 1, 29, 10));
    for (const bad of ['2023-02-30', '2023-02-29T00:00:00Z', 'yesterday', '2024-13-01'])
      expect(() => isoInstant(bad), bad).toThrow('expected an ISO 8601 date');
  });

  it(
    'start --speed 1e309 is refused before anything starts (regression: it ran at "Infinityx")',
    { timeout: 30_000 },
    () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-options-'));
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', '--data-dir', dataDir, 'start', '--speed', '1e309'],
        { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        "option '--speed <n>' argument '1e309' is invalid. expected a number in (0, 10000]",
      );
    },
  );
});
