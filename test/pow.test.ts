// The pow behind exp_range: glibc's no-FMA pow bit for bit (CPython float ** int), in the kernel and its JS twin.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CyclicLR, schedule } from '../src/index.js';
import { KERNEL_WASM_BASE64 } from '../src/kernel-wasm.js';
import { expScale, powPrepare } from '../src/pow.js';
import { kernelPow } from '../src/wasm.js';
import { ulpDiff } from './helpers/oracle.js';

const triples = (name: string): Float64Array => {
  const b = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const nofma = triples('pow_glibc_nofma.bin');
const cases = [
  ['wasm', 'fma'],
  ['wasm', 'nofma'],
  ['js', 'fma'],
  ['js', 'nofma'],
] as const;
/** the kernel's pow_int(gamma, t, fma), from a kernel instantiated here (src/wasm.ts's kernelPow is the no-FMA one) */
const kernelExports = (() => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const module = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
    pow_int(gamma: number, t: number, fma: number): number;
  };
})();
const kernelPowVariant = (gamma: number, t: number, fma: boolean): number =>
  kernelExports.pow_int(gamma, t, fma ? 1 : 0);
const fma = triples('pow_glibc_fma.bin');

describe('gamma ** t equals glibc pow (scripts/gen-pow-fixture.py)', () => {
  it(`JS twin and kernel equal the no-FMA pow bit for bit on ${nofma.length / 3} (gamma, t), within 1 ulp of the FMA pow`, () => {
    let last = NaN;
    let base = powPrepare(1);
    let checked = 0;
    for (let k = 0; k < nofma.length; k += 3) {
      const [g, t, v] = [nofma[k], nofma[k + 1], nofma[k + 2]];
      if (g !== last) base = powPrepare((last = g));
      const js = expScale(g, base, t);
      const wasm = kernelPow(g, t);
      if (!Object.is(js, v)) expect.fail(`js ${g} ** ${t}: expected ${v} got ${js}`);
      if (!Object.is(wasm, v)) expect.fail(`wasm ${g} ** ${t}: expected ${v} got ${wasm}`);
      if (ulpDiff(js, fma[k + 2]) > 1) expect.fail(`${g} ** ${t}: ${ulpDiff(js, fma[k + 2])} ulp from the FMA pow`);
      checked++;
    }
    expect(checked).toBe(16980);
  });

  it.each([
    // gamma, t, CPython's gamma ** t
    [0.9, 4, 0.6561], // V8's Math.pow gives 0.6561000000000001
    [-0.5, 3, -0.125],
    [-0.5, 4, 0.0625],
    [0, 0, 1],
    [0, 7, 0],
    [1.5, 0, 1],
    [1.5, 1751, Infinity],
  ])('%s ** %s = %s', (g, t, v) => {
    expect(Object.is(expScale(g, g === 0 ? null : powPrepare(Math.abs(g)), t), v)).toBe(true);
    expect(Object.is(kernelPow(g, t), v)).toBe(true);
  });
});

describe('(-0.0) ** t keeps CPython float_pow sign: the base for an odd integer t, +0.0 otherwise', () => {
  // real torch 1.13: CyclicLR(SGD(lr=0.5, momentum=0.9), base_lr=0.5, max_lr=1, step_size_up=2, mode='exp_range',
  // gamma=-0.0, base_momentum=1, max_momentum=-0.0): momentum 0.0, -0.0, 0.0, -0.0; scale_fn(1, 2, 3) = -0.0, 0.0, -0.0
  const o = {
    baseLr: 0.5,
    maxLr: 1,
    stepSizeUp: 2,
    mode: 'exp_range',
    gamma: -0,
    baseMomentum: 1,
    maxMomentum: -0,
  } as const;
  it.each(cases)('schedule() momentum [%s, %s]', (backend, libm) => {
    const m = schedule({ ...o, libm }, { length: 4, backend }).momentum![0];
    expect([...m].map((v) => Object.is(v, -0))).toEqual([false, true, false, true]);
    expect([...m].map((v) => Object.is(v, 0))).toEqual([true, false, true, false]);
  });
  it.each(['fma', 'nofma'] as const)('CyclicLR.scaleFn(x) [%s]', (libm) => {
    const s = new CyclicLR({ paramGroups: [{ lr: 0.5, momentum: 0.9 }] }, { ...o, libm });
    expect([1, 2, 3, 2.5].map((x) => Object.is(s.scaleFn(x), -0))).toEqual([true, false, true, false]);
  });
  it.each([
    [-0, 3, -0],
    [-0, 2, 0],
    [0, 3, 0],
    [-0, 0, 1],
  ])('kernel and JS twin: %s ** %s = %s', (g, t, v) => {
    for (const fma of [true, false]) {
      expect(Object.is(expScale(g, null, t), v)).toBe(true);
      expect(Object.is(kernelPowVariant(g, t, fma), v)).toBe(true);
    }
  });
});
