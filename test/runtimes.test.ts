// The package on Bun and Deno (both devDependencies that ship their binaries): a script importing 'cyclic-lr' by
// name (self-reference through package.json "exports", so dist/ as published) runs schedule() and CyclicLR and
// must print PyTorch's bits. A runtime whose binary is missing or does not start is skipped with the reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSmoke, SMOKE_ESM } from './helpers/smoke.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNTIMES: { name: string; bin: string; args: string[] }[] = [
  { name: 'Bun', bin: 'bun', args: [] },
  { name: 'Deno', bin: 'deno', args: ['run', '--no-remote'] },
];
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };

function version(bin: string): string | null {
  const r = spawnSync(path.join(root, 'node_modules', '.bin', bin), ['--version'], { encoding: 'utf8', env });
  return r.status === 0 ? r.stdout.trim().split(/[\n(]/)[0].trim() : null;
}

// inside the project, so that `import 'cyclic-lr'` resolves to this package; .vitest-* is gitignored
const dir = mkdtempSync(path.join(root, '.vitest-runtimes-'));
const script = path.join(dir, 'smoke.mjs');
writeFileSync(script, SMOKE_ESM);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(RUNTIMES)('on $name', ({ name, bin, args }) => {
  const v = version(bin);
  if (v === null) console.log(`${name} smoke test skipped: node_modules/.bin/${bin} is missing or does not start`);
  it.skipIf(v === null)(`schedule() and CyclicLR give PyTorch's bits (${v ?? 'not installed'})`, () => {
    const r = spawnSync(path.join(root, 'node_modules', '.bin', bin), [...args, script], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expectSmoke(r.stdout);
  });
});
