// Mutation testing (issue 9): `npm run mutation`, not in CI (slow on 2 cores). Run one file at a time:
//   npm run mutation -- --mutate src/options.ts
// Scores and the surviving mutants judged equivalent: docs/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/options.ts',
    'src/plan.ts',
    'src/cyclic-lr.ts',
    'src/schedule.ts',
    // the CLI's output writer (helper "cli") goes here
  ],
  // the kernel is embedded in src/kernel-wasm.ts by `npm run build:kernel`; the sandbox copies it as built
  // dist/ is copied: two in-process tests import the built package (unmutated, as the CLI tests would)
  ignorePatterns: ['.stryker-tmp', 'dist-explorer', 'coverage', 'reports', 'build', '*.tgz'],
  // assembly/ is AssemblyScript (decorators Babel cannot parse): only src/ needs its type checks disabled
  disableTypeChecks: 'src/**/*.ts',
  concurrency: 1,
  timeoutMS: 60_000,
  timeoutFactor: 3,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
