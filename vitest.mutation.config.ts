// The tests Stryker runs per mutant: the in-process ones (the CLI subprocess, browser and memory tests run the
// built dist/, which a mutant of src/ does not reach, and would only cost time). Stryker's runner picks the pool itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/cli.test.ts', 'test/browser.test.ts', 'test/memory.test.ts', '**/node_modules/**'],
    testTimeout: 120_000,
  },
});
