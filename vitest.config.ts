import { defineConfig } from 'vitest/config';

/**
 * Two tiers, selectable with `--project`: `unit` (pure, no I/O beyond temp dirs) and `int`
 * (real Kafka + schema registry, started by test/support/stack-setup.ts when not given by env).
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
    ],
  },
});
