// The tests Stryker runs per mutant (2 shared cores: minutes, not hours): the in-process example tests. Left out:
// the CLI subprocess, browser and memory tests (they run the built dist/, which a mutant of src/ does not reach)
// and the random property/fuzz suites (tens of seconds per mutant for little killing power; npm test runs them).
// Stryker's runner picks the pool itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/cli.test.ts',
      'test/browser.test.ts',
      'test/memory.test.ts',
      'test/fuzz.test.ts',
      'test/property.test.ts',
      'test/invariants.test.ts',
      '**/node_modules/**',
    ],
    testTimeout: 120_000,
  },
});
