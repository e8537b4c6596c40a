#!/usr/bin/env node
// Runs before the incremental `tsc -p tsconfig.json`: tsc trusts dist/.tsbuildinfo and does not notice an output
// deleted by hand, so when any src/**/*.ts lacks its dist .js or .d.ts, the build info goes and tsc emits it all.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const INFO = 'dist/.tsbuildinfo';
const sources = readdirSync('src', { recursive: true }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const missing = sources.flatMap((f) => {
  const base = path.join('dist', f.slice(0, -3));
  return [`${base}.js`, `${base}.d.ts`].filter((o) => !existsSync(o));
});
if (missing.length > 0 && existsSync(INFO)) {
  console.log(`dist is missing ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}: full emit`);
  rmSync(INFO);
}
