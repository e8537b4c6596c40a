#!/usr/bin/env node
// Builds the kernel (asc --target release, then scripts/embed-wasm.mjs) only when it is out
// of date: build/kernel.stamp records a hash of every input (assembly/, asconfig.json, the embed script, the
// compiler's version) and of every output; a changed or missing one rebuilds. `--force` always rebuilds; `--check`
// builds nothing and exits 1 when a build is due.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const STAMP = 'build/kernel.stamp';
const OUTPUTS = ['build/kernel.wasm', 'src/kernel-wasm.ts'];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

function digest(paths) {
  const h = createHash('sha256');
  for (const p of paths) h.update(`${p}\0`).update(existsSync(p) ? readFileSync(p) : '\0missing\0');
  return h.digest('hex');
}

function stamp() {
  const asc = createRequire(import.meta.url)('assemblyscript/package.json').version;
  const inputs = [...files('assembly'), 'asconfig.json', 'scripts/embed-wasm.mjs'];
  return JSON.stringify({ asc, inputs: digest(inputs), outputs: digest(OUTPUTS) });
}

const force = process.argv.includes('--force');
const fresh = !force && existsSync(STAMP) && OUTPUTS.every(existsSync) && readFileSync(STAMP, 'utf8') === stamp();
if (process.argv.includes('--check')) {
  console.log(fresh ? 'kernel up to date' : 'kernel build due');
  process.exitCode = fresh ? 0 : 1;
} else if (fresh) {
  console.log('kernel up to date (build/kernel.stamp): not rebuilt');
} else {
  const asc = path.join('node_modules', '.bin', process.platform === 'win32' ? 'asc.cmd' : 'asc');
  execFileSync(asc, ['--target', 'release'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/embed-wasm.mjs'], { stdio: 'inherit' });
  mkdirSync('build', { recursive: true });
  writeFileSync(STAMP, stamp());
}
