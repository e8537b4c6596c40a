import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // generated data, and the 3-line executable around src/cli-main.ts
      exclude: ['src/kernel-wasm.ts', 'src/pow-tables.ts', 'src/cli.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95 },
      // the coverage table also when a test fails (it follows the `vitest: …` line)
      reportOnFailure: true,
    },
  },
});
