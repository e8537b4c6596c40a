#!/usr/bin/env node
// The cyclic-lr executable (package.json bin): runs src/cli-main.ts and exits with its code. `npm run build:cli`
// (scripts/build-cli.mjs) bundles it (esbuild, commander and d3 included, their licences appended) into the one
// file dist/cli.js: a start resolves and loads no module (tens of ms less per run on a small VM). tsc still emits
// dist/cli-main.js and the others beside it.
import { main } from './cli-main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cyclic-lr: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
