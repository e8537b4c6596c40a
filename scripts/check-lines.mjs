#!/usr/bin/env node
// Lists lines longer than 120 characters (Unicode code points) in the project's TypeScript and JavaScript sources
// — what Biome's formatter cannot wrap (long strings, template literals, comments) — and exits 1 if there is one.
// Usage: node scripts/check-lines.mjs [folder …] (default: src test scripts bench assembly).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const MAX = 120;
const GENERATED = new Set(['src/kernel-wasm.ts', 'src/pow-tables.ts', 'assembly/pow-tables.ts']);
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'fixtures' || e.name === 'node_modules'
        ? []
        : walk(path.join(dir, e.name))
      : [path.join(dir, e.name)],
  );
const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'test', 'scripts', 'bench', 'assembly'];
let long = 0;
for (const file of dirs.flatMap(walk).filter((f) => /\.(ts|mjs|js)$/.test(f) && !GENERATED.has(f))) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const n = [...line].length;
      if (n > MAX) {
        long++;
        console.log(`${file}:${i + 1}: ${n} characters`);
      }
    });
}
if (long > 0) console.log(`${long} lines longer than ${MAX} characters`);
process.exitCode = long > 0 ? 1 : 0;
