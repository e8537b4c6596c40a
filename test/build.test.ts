// Build once: `npm ci && npm test` runs `npm run build` twice (prepare, test). The kernel is compiled only when an
// input changed (scripts/build-kernel.mjs, build/kernel.stamp) and tsc is incremental (dist/.tsbuildinfo, guarded
// by scripts/dist-guard.mjs). Correctness first: every kind of change must still rebuild. Run on a copy of the
// project in a temporary folder (this project's dist/ is in use by the other test files).
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir = '';

function build(script = 'build'): string {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}
function node(...args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout };
}
const mtime = (f: string) => statSync(path.join(dir, f)).mtimeMs;
const KERNEL_BUILT = /embedded build\/kernel\.wasm/;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-build-'));
  const scripts = ['build-kernel.mjs', 'embed-wasm.mjs', 'dist-guard.mjs', 'build-cli.mjs'].map((s) => `scripts/${s}`);
  for (const f of ['assembly', 'src', 'asconfig.json', 'package.json', 'tsconfig.json', ...scripts])
    cpSync(path.join(root, f), path.join(dir, f), { recursive: true, preserveTimestamps: true });
  for (const f of ['kernel.wasm', 'kernel.stamp'])
    cpSync(path.join(root, 'build', f), path.join(dir, 'build', f), { preserveTimestamps: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run build builds once, and rebuilds what changed', () => {
  it('a built kernel whose inputs did not change is not recompiled', () => {
    expect(build('build:kernel')).toMatch(/kernel up to date/);
  });

  it('tsc emits dist/ on the first build, and rewrites nothing on the second', () => {
    build();
    const before = mtime('dist/schedule.js');
    expect(build()).toMatch(/kernel up to date/);
    expect(mtime('dist/schedule.js')).toBe(before);
  });

  it('a changed source in src/ is emitted again', () => {
    appendFileSync(path.join(dir, 'src/csv.ts'), '\n// a change\n');
    build();
    expect(readFileSync(path.join(dir, 'dist/csv.js'), 'utf8')).toContain('// a change');
  });

  it('an output deleted from dist/ is emitted again (the guard drops the build info, tsc emits everything)', () => {
    rmSync(path.join(dir, 'dist/errors.js'));
    expect(node('scripts/dist-guard.mjs').out).toMatch(/dist is missing dist\/errors\.js: full emit/);
    expect(existsSync(path.join(dir, 'dist/.tsbuildinfo'))).toBe(false);
  });

  // each change is undone after the check; one real rebuild at the end
  it.each([
    ['a deleted output', 'src/kernel-wasm.ts', () => rmSync(path.join(dir, 'src/kernel-wasm.ts'))],
    ['a changed output', 'build/kernel.wasm', () => appendFileSync(path.join(dir, 'build/kernel.wasm'), '\0')],
    ['a change in assembly/', 'assembly/pow.ts', () => appendFileSync(path.join(dir, 'assembly/pow.ts'), '\n')],
    ['a change in asconfig.json', 'asconfig.json', () => appendFileSync(path.join(dir, 'asconfig.json'), '\n')],
    [
      'a change in the embed script',
      'scripts/embed-wasm.mjs',
      () => appendFileSync(path.join(dir, 'scripts/embed-wasm.mjs'), '\n'),
    ],
  ])('%s makes a kernel build due', (_, file, change) => {
    const saved = readFileSync(path.join(dir, file));
    expect(node('scripts/build-kernel.mjs', '--check').code).toBe(0);
    change();
    expect(node('scripts/build-kernel.mjs', '--check').code).toBe(1);
    writeFileSync(path.join(dir, file), saved);
    expect(node('scripts/build-kernel.mjs', '--check').code).toBe(0);
  });

  it('npm run build:kernel then recompiles, and afterwards the kernel is up to date again', () => {
    appendFileSync(path.join(dir, 'assembly/index.ts'), '\n// a change\n');
    expect(build('build:kernel')).toMatch(KERNEL_BUILT);
    expect(node('scripts/build-kernel.mjs', '--check').code).toBe(0);
  });
});
