// The contract of schedule(): shapes, types, momentum null, result lifetime, scaleFn call counts.
import { describe, expect, it } from 'vitest';
import { schedule } from '../src/index.js';

const base = { baseLr: [0.001, 0.01], maxLr: [0.006, 0.1], stepSizeUp: 2000, mode: 'triangular2' as const };

describe('schedule(options, window) returns { lr, momentum } of Float64Array rows', () => {
  it.each(['wasm', 'js'] as const)(
    '[%s] one row per group, each exactly length long; momentum null without cycleMomentum',
    (backend) => {
      const r = schedule(base, { start: 5, length: 1000, backend });
      expect(r.lr).toHaveLength(2);
      expect(r.momentum).toHaveLength(2);
      for (const row of [...r.lr, ...r.momentum!]) {
        expect(row).toBeInstanceOf(Float64Array);
        expect(row.length).toBe(1000);
      }
      const n = schedule({ ...base, cycleMomentum: false }, { length: 10, backend });
      expect(n.momentum).toBeNull();
      const e = schedule(base, { length: 0, backend });
      expect(e.lr.map((a) => a.length)).toEqual([0, 0]);
    },
  );

  it('groups with scalar options repeats them; the issue example reads group 1 at iteration 123456', () => {
    const r = schedule({ baseLr: 0.1, maxLr: 1, groups: 3 }, { length: 5 });
    expect(r.lr).toHaveLength(3);
    const { lr } = schedule(base, { start: 0, length: 1_000_000 });
    // cycle 31 of triangular2 at x = 0.864: 0.01 + 0.09 * (1 - 0.864) / 0.5 * 2^-30
    const one = schedule(base, { start: 123_456, length: 1, backend: 'js' });
    expect(Object.is(lr[1][123_456], one.lr[1][0])).toBe(true);
  });

  it('start defaults to 0 and backend to wasm', () => {
    const a = schedule(base, { length: 50 });
    const b = schedule(base, { start: 0, length: 50, backend: 'wasm' });
    expect(a).toEqual(b);
  });

  it('results a caller holds are never changed by later calls, small (copied) or large (own memory)', () => {
    const small = schedule(base, { length: 100 });
    const big = schedule({ ...base, groups: 2 }, { start: 7, length: 300_000 });
    const smallCopy = small.lr.map((a) => a.slice());
    const bigCopy = big.lr.map((a) => a.slice());
    // later calls of every size, forcing the scratch memory to grow
    for (const length of [10, 120_000, 65_000, 400_000]) schedule({ baseLr: 1, maxLr: 2, groups: 1 }, { length });
    const same = (a: Float64Array[], b: Float64Array[]) =>
      a.every((row, g) => row.every((v, i) => Object.is(v, b[g][i])));
    expect(same(small.lr, smallCopy)).toBe(true);
    expect(same(big.lr, bigCopy)).toBe(true);
    expect(big.lr[0].buffer).toBe(big.lr[1].buffer);
  });

  it.each(['wasm', 'js'] as const)(
    '[%s] scaleFn is called once per cycle in cycle mode, once per iteration in iterations mode, never per group',
    (backend) => {
      const calls: number[] = [];
      const scaleFn = (x: number) => {
        calls.push(x);
        return 1 / x;
      };
      schedule(
        { baseLr: [0.1, 0.2, 0.3], maxLr: 1, stepSizeUp: 10, scaleFn, scaleMode: 'cycle' },
        { start: 15, length: 100, backend },
      );
      // t in [15, 115): cycles 1 (t < 20) … 6 (t ≥ 100)
      expect(calls).toEqual([1, 2, 3, 4, 5, 6]);
      calls.length = 0;
      schedule(
        { baseLr: [0.1, 0.2, 0.3], maxLr: 1, stepSizeUp: 10, scaleFn, scaleMode: 'iterations' },
        { start: 15, length: 100, backend },
      );
      expect(calls).toEqual(Array.from({ length: 100 }, (_, i) => 15 + i));
      calls.length = 0;
      // cycles shorter than an iteration: each iteration its own cycle, each called once
      schedule(
        { baseLr: 0.1, maxLr: 1, stepSizeUp: 0.25, scaleFn, scaleMode: 'cycle' },
        { start: 0, length: 4, backend },
      );
      expect(calls).toEqual([1, 3, 5, 7]);
    },
  );

  it('triangular2 past cycle 1024 gives lr = baseLr and momentum = maxMomentum (PyTorch: OverflowError)', () => {
    const r = schedule({ baseLr: 0, maxLr: 1, stepSizeUp: 1, mode: 'triangular2' }, { start: 2047, length: 8 });
    // up = down = 1: t = 2047 is the peak of cycle 1024, scale 2^-1023: a subnormal lr; cycle 1025 starts at 2048
    expect(r.lr[0][0]).toBe(2 ** -1023);
    for (let i = 1; i < 8; i++) {
      expect(Object.is(r.lr[0][i], 0)).toBe(true);
      expect(Object.is(r.momentum![0][i], 0.9)).toBe(true);
    }
  });

  it('a window may start anywhere up to 2^53 - 1', () => {
    const r = schedule({ baseLr: 0.001, maxLr: 0.006, stepSizeUp: 3 }, { start: 2 ** 53 - 1, length: 1 });
    expect(Number.isFinite(r.lr[0][0])).toBe(true);
  });
});

describe('schedule() dtype and out', () => {
  const o = { baseLr: [0.001, 0.01], maxLr: [0.006, 0.1], stepSizeUp: 37, mode: 'exp_range' as const, gamma: 0.9999 };
  it.each([
    ['wasm', 100],
    ['js', 100],
    ['wasm', 200_000],
    ['js', 200_000],
  ] as const)("[%s] dtype 'float32' is Math.fround of the float64 result (length %i)", (backend, length) => {
    const d = schedule(o, { start: 3, length, backend });
    const f = schedule(o, { start: 3, length, backend, dtype: 'float32' });
    expect(f.lr[0]).toBeInstanceOf(Float32Array);
    for (let g = 0; g < 2; g++) {
      for (let i = 0; i < length; i++) {
        if (
          !Object.is(f.lr[g][i], Math.fround(d.lr[g][i])) ||
          !Object.is(f.momentum![g][i], Math.fround(d.momentum![g][i]))
        ) {
          expect.fail(`group ${g} at ${i}`);
        }
      }
    }
  });

  it('a value beyond float32 is ERR_OVERFLOW with dtype float32, and fine in float64', () => {
    const big = { baseLr: 1e39, maxLr: 2e39, stepSizeUp: 4 };
    expect(() => schedule(big, { length: 4 })).not.toThrow();
    expect(() => schedule(big, { length: 4, dtype: 'float32' })).toThrowError(
      expect.objectContaining({ code: 'ERR_OVERFLOW' }),
    );
  });

  it.each(['wasm', 'js'] as const)(
    '[%s] out: an earlier result of the same shape is written again and returned',
    (backend) => {
      for (const length of [50, 300_000]) {
        const first = schedule(o, { start: 0, length, backend });
        const again = schedule(o, { start: 1000, length, backend, out: first });
        expect(again).toBe(first);
        const fresh = schedule(o, { start: 1000, length, backend: 'js' });
        for (let g = 0; g < 2; g++)
          for (let i = 0; i < length; i += 997) expect(Object.is(again.lr[g][i], fresh.lr[g][i])).toBe(true);
        expect(again.lr[1][length - 1]).toBe(fresh.lr[1][length - 1]);
      }
    },
  );

  it('out of another shape is ERR_INVALID_WINDOW', () => {
    const first = schedule(o, { length: 10 });
    for (const w of [{ length: 11 }, { length: 10, dtype: 'float32' as const }]) {
      expect(() => schedule(o, { ...w, out: first })).toThrowError(
        expect.objectContaining({ code: 'ERR_INVALID_WINDOW' }),
      );
    }
    expect(() => schedule({ ...o, cycleMomentum: false }, { length: 10, out: first })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_WINDOW' }),
    );
    expect(() => schedule(o, { length: 10, out: 3 as any })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_WINDOW' }),
    );
  });
});

describe("backend 'js' is a fallback that needs no WebAssembly", () => {
  it('schedule() and CyclicLR run with WebAssembly missing', async () => {
    const { execFileSync } = await import('node:child_process');
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const src = `delete globalThis.WebAssembly;
      const { schedule, CyclicLR } = await import(${JSON.stringify(dist)});
      const o = { baseLr: 0.1, maxLr: 1, stepSizeUp: 4, mode: 'exp_range', gamma: 0.9 };
      const r = schedule(o, { length: 8, backend: 'js' });
      const s = new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9 }] }, { ...o, backend: 'js' });
      s.step(); s.step(); s.step(); s.step();
      console.log(JSON.stringify([r.lr[0][4], s.getLastLr()[0], typeof WebAssembly]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([0.69049, 0.69049, 'undefined']);
  });
});
