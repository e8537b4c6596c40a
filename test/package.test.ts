// The package as a user gets it: `npm pack` once (of the dist/ that `npm test` built), installed offline into a
// temporary consumer project (its runtime dependencies copied from this project's node_modules), then used from a
// CommonJS file, an ES module, the bin, TypeScript (node16, bundler, nodenext CommonJS) and an esbuild browser
// bundle; publint --strict and attw (.attw.json) lint the same tarball.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSmoke, SMOKE_CJS, SMOKE_ESM } from './helpers/smoke.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}
let tmp = '';
let tarball = '';
let consumer = '';
let info: PackInfo;

/** The packed package's runtime dependencies and theirs, as this project's lockfile resolved them. */
function runtimeClosure(): string[] {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages;
  const seen = new Set<string>();
  const queue = Object.keys(pkg.dependencies ?? {});
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...Object.keys(lock[`node_modules/${name}`]?.dependencies ?? {}));
  }
  return [...seen].sort();
}

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-pack-'));
  // --ignore-scripts: no `prepare` rebuilding dist/ under the other test files' feet (npm test built it)
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  info = JSON.parse(out)[0];
  tarball = path.join(tmp, info.filename);
  consumer = path.join(tmp, 'consumer');
  const dependencies: Record<string, string> = { 'cyclic-lr': `file:${tarball}` };
  for (const name of runtimeClosure()) dependencies[name] = `file:${path.join(root, 'node_modules', name)}`;
  write(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }),
  );
  execFileSync(
    'npm',
    ['install', '--offline', '--install-links', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: consumer, stdio: 'ignore' },
  );
  console.log(
    `packed ${info.filename}: ${(info.size / 1000).toFixed(1)} kB packed, ` +
      `${(info.unpackedSize / 1000).toFixed(1)} kB unpacked, ${info.files.length} files`,
  );
}, 120_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the tarball ships only what users run', () => {
  it('holds dist/*.js and dist/*.d.ts, package.json, README.md and LICENSE: no src/, assembly/, docs/, maps', () => {
    const stray = info.files
      .map((f) => f.path)
      .filter(
        (p) =>
          !/^dist\/([\w-]+\/)*[\w-]+\.(js|d\.ts)$/.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p),
      );
    expect(stray).toEqual([]);
    expect(info.files.map((f) => f.path)).toEqual(expect.arrayContaining(['LICENSE', 'dist/index.js', 'dist/cli.js']));
  });

  it('dist/kernel-wasm.d.ts declares the base64 kernels as string, not as 40 kB literal types', () => {
    const dts = info.files.find((f) => f.path === 'dist/kernel-wasm.d.ts');
    expect(dts?.size).toBeLessThan(1000);
  });

  it('LICENSE is the MIT license that package.json names', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });
});

describe('a consumer project with the tarball installed', () => {
  it("require('cyclic-lr') from a CommonJS file (Node's require of ES modules) gives the golden bits", () => {
    write(path.join(consumer, 'cjs', 'package.json'), '{ "type": "commonjs" }');
    write(path.join(consumer, 'cjs', 'index.js'), SMOKE_CJS);
    const r = run(process.execPath, ['index.js'], path.join(consumer, 'cjs'));
    expect(r.err).not.toMatch(/ERR_|Error/);
    expect(r.code).toBe(0);
    expectSmoke(r.out);
  });

  it("import 'cyclic-lr' from an ES module gives the golden bits", () => {
    write(path.join(consumer, 'esm', 'index.js'), SMOKE_ESM);
    const r = run(process.execPath, ['index.js'], path.join(consumer, 'esm'));
    expect(r.code).toBe(0);
    expectSmoke(r.out);
  });

  it('the bin is linked: node_modules/.bin/cyclic-lr --version prints the version', () => {
    const r = run(path.join(consumer, 'node_modules', '.bin', 'cyclic-lr'), ['--version'], consumer);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });

  // strict, no skipLibCheck, no @types/node: the shipped .d.ts must stand on their own
  const TS_USE = `import { schedule, CyclicLR, CyclicLRError } from 'cyclic-lr';
import type { CyclicLROptions, ScheduleResult } from 'cyclic-lr';
const options: CyclicLROptions = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 2000, mode: 'triangular2' };
const r: ScheduleResult<Float32Array> = schedule(options, { length: 10, dtype: 'float32' });
const lr0: number = r.lr[0][3];
const s = new CyclicLR({ paramGroups: [{ lr: 0.1, momentum: 0.9 }] }, options);
s.step();
const last: number[] = s.getLastLr();
const e = new Error() instanceof CyclicLRError;
export { lr0, last, e };
`;
  const tsCases: [string, Record<string, unknown>, 'module' | 'commonjs'][] = [
    ['node16 (ESM)', { module: 'node16', moduleResolution: 'node16' }, 'module'],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'module'],
    ['nodenext from CommonJS (TypeScript ≥ 5.8 types require of ESM)', { module: 'nodenext' }, 'commonjs'],
  ];
  it.each(tsCases)('a TypeScript consumer type-checks with moduleResolution %s', (name, options, type) => {
    const dir = path.join(consumer, `ts-${name.split(' ')[0]}`);
    write(path.join(dir, 'package.json'), JSON.stringify({ type }));
    write(path.join(dir, 'index.ts'), TS_USE);
    const compilerOptions = {
      ...options,
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: [],
      target: 'es2022',
    };
    write(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['index.ts'] }));
    const r = run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('esbuild --bundle --format=esm --platform=browser of schedule and CyclicLR needs no flags, and runs', async () => {
    const esbuild = await import('esbuild');
    const entry = path.join(consumer, 'browser', 'entry.js');
    write(entry, SMOKE_ESM);
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    const gz = gzipSync(code, { level: 9 }).length;
    const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
    console.log(`browser bundle (schedule + CyclicLR): ${kB(code.length)} minified, ${kB(gz)} gzipped (level 9)`);
    expect(new TextDecoder().decode(code)).not.toMatch(/node:/);
    write(path.join(consumer, 'browser', 'bundle.mjs'), new TextDecoder().decode(code));
    const r = run(process.execPath, ['bundle.mjs'], path.join(consumer, 'browser'));
    expect(r.code).toBe(0);
    expectSmoke(r.out);
  });
});

describe('package linters on the tarball', () => {
  it('publint --strict: all good', () => {
    const r = run(bin('publint'), ['run', tarball, '--strict'], root);
    expect(r.out).toMatch(/All good/);
    expect(r.code).toBe(0);
  });

  it('attw: no problems (.attw.json ignores only cjs-resolves-to-esm: require(esm) is tested above)', () => {
    expect(JSON.parse(readFileSync(path.join(root, '.attw.json'), 'utf8'))).toEqual({
      ignoreRules: ['cjs-resolves-to-esm'],
    });
    const r = run(bin('attw'), [tarball, '--format', 'ascii', '--no-color'], root);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).not.toMatch(/❌|💀|🐛|🥴|❗️|🎭|🚭|❓/);
  });
});
