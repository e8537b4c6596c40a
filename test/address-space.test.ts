// Results cost their bytes, not address space: a child process under `ulimit -v` (as some containers and CI
// systems run) holds many results at once. Runs the built package (npm test builds first).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** runs `body` (an async ES module body with `lib` = the package) in node under ulimit -v `kib`; its stdout JSON */
function underUlimit(kib: number, body: string): Record<string, unknown> {
  const src =
    `const lib = await import(${JSON.stringify(DIST)});\nconst out = {};\ntry {\n${body}\n} catch (e) {\n` +
    '  out.error = { name: e?.constructor?.name, code: e?.code, message: String(e?.message) };\n}\n' +
    'console.log(JSON.stringify(out));';
  const stdout = execFileSync('bash', ['-c', `ulimit -v ${kib} && exec node --input-type=module -e "$0"`, src], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const GiB = 1024 * 1024;

describe.skipIf(!existsSync('/bin/bash') || process.platform !== 'linux')('address space (ulimit -v)', () => {
  it('under ulimit -v 16G a process holds 1,000 results of 2 MiB at once, each with its own bits', () => {
    const r = underUlimit(
      16 * GiB,
      `const o = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 2000, cycleMomentum: false };
      const keep = [];
      for (let k = 0; k < 1000; k++) keep.push(lib.schedule(o, { start: 1000 * k, length: 262_144 }));
      out.held = keep.length;
      out.bytes = keep.reduce((n, r) => n + r.lr[0].byteLength, 0);
      out.same = keep.every((r, k) => {
        const one = lib.schedule(o, { start: 1000 * k + 99_999, length: 1, backend: 'js' });
        return Object.is(r.lr[0][99_999], one.lr[0][0]);
      });`,
    );
    expect(r).toEqual({ held: 1000, bytes: 1000 * 2 ** 21, same: true });
  });

  it('under ulimit -v 16G scheduleParallel works (same bits as schedule), and so does scheduleMany', () => {
    const r = underUlimit(
      16 * GiB,
      `const o = { baseLr: [0.001, 0.002], maxLr: 0.1, mode: 'exp_range', gamma: 0.99999 };
      const p = await lib.scheduleParallel(o, { length: 1_000_000, threads: 2 });
      const s = lib.schedule(o, { length: 1_000_000 });
      out.parallel = [0, 1].every((g) => p.lr[g].every((v, i) => Object.is(v, s.lr[g][i])) &&
        p.momentum[g].every((v, i) => Object.is(v, s.momentum[g][i])));
      const m = lib.scheduleMany([o, { ...o, mode: 'triangular' }], { length: 500_000 });
      out.many = m.results[0].lr[1].every((v, i) => Object.is(v, s.lr[1][i]));`,
    );
    expect(r).toEqual({ parallel: true, many: true });
  });

  it(
    'under ulimit -v 8G (less than one WebAssembly memory reserves) the kernel fails typed: ' +
      'ERR_OUT_OF_MEMORY naming address space; the js backend still runs',
    () => {
      const r = underUlimit(
        8 * GiB,
        `out.js = lib.schedule({ baseLr: 0.1, maxLr: 1 }, { length: 1000, backend: 'js' }).lr[0].length;
      lib.schedule({ baseLr: 0.1, maxLr: 1 }, { length: 1000 });`,
      );
      expect(r.js).toBe(1000);
      expect(r.error).toMatchObject({ name: 'CyclicLRError', code: 'ERR_OUT_OF_MEMORY' });
      expect((r.error as { message: string }).message).toMatch(/address space/);
    },
  );
});
