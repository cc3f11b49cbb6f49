import { defineConfig } from 'vitest/config';

/**
 * Three tiers, selectable with `--project`: `unit` (pure, no I/O beyond temp dirs), `int`
 * (real Kafka + schema registry, started by test/support/stack-setup.ts when not given by env) and
 * `e2e` (the dashboard in headless Chromium over an embedded runtime).
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['./test/support/stack-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One broker on two cores: keep files sequential so timings stay sane.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
