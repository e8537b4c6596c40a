#!/usr/bin/env node
// npm run build:cli: bundles src/cli.ts into the one file dist/cli.js with esbuild (commander and d3 inside, so a
// start resolves and loads no module), then appends the licence of every package it bundled: their MIT and ISC
// terms ask that the notice go with every copy, and the bundle is one.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const out = 'dist/cli.js';
const REQUIRE = 'const require = cyclicLrRequire(import.meta.url);';
const { metafile } = await build({
  entryPoints: ['src/cli.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: out,
  logLevel: 'warning',
  metafile: true,
  // commander calls require('node:…'): an ES module bundle needs one
  banner: { js: `import { createRequire as cyclicLrRequire } from 'node:module'; ${REQUIRE}` },
});
const packages = new Map();
for (const input of Object.keys(metafile.inputs)) {
  const m = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.set(m[2], m[1] + m[2]);
}
const notices = [...packages].sort().map(([name, dir]) => {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license'].map((f) => path.join(dir, f)).find(existsSync);
  if (!file) throw new Error(`build:cli: ${name} has no LICENSE file to go with the bundle`);
  return `${name}@${pkg.version} (${pkg.license})\n\n${readFileSync(file, 'utf8').trim().replaceAll('*/', '* /')}`;
});
appendFileSync(out, `\n/*! The packages bundled in this file and their licences:\n\n${notices.join('\n\n')}\n*/\n`);
