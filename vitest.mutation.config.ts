// The tests Stryker runs per mutant (2 shared cores: minutes, not hours): the in-process example tests. Left out:
// the CLI subprocess, browser and memory tests (they run the built dist/, which a mutant of src/ does not reach)
// the random property/fuzz suites (tens of seconds per mutant for little killing power; npm test runs them), and
// scale.test.ts / cli-inprocess.test.ts (random and CLI runs, ~12 s for every mutant of resolveOptions) unless
// MUTATION_ALL=1 (for src/plan.ts and the CLI writer). Stryker's runner picks the pool itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // MUTATION_TESTS=errors,api: only those test files (a quicker, narrower run of one source file)
    include: process.env.MUTATION_TESTS
      ? process.env.MUTATION_TESTS.split(',').map((name) => `test/${name}.test.ts`)
      : ['test/**/*.test.ts'],
    exclude: [
      'test/cli.test.ts',
      'test/browser.test.ts',
      'test/memory.test.ts',
      'test/fuzz.test.ts',
      'test/property.test.ts',
      'test/invariants.test.ts',
      ...(process.env.MUTATION_ALL ? [] : ['test/scale.test.ts', 'test/cli-inprocess.test.ts']),
      '**/node_modules/**',
    ],
    testTimeout: 120_000,
  },
});
