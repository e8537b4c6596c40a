#!/usr/bin/env node
// The cyclic-lr executable (package.json bin): runs src/cli-main.ts and exits with its code.
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
