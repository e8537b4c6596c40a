// vitest for `npx stryker run stryker.cli.config.json`: only the writer's own tests (fast, in process)
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/output-file.test.ts'], pool: 'forks', testTimeout: 30_000 },
});
