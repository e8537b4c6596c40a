// The pow behind exp_range: glibc's no-FMA pow bit for bit (CPython float ** int), in the kernel and its JS twin.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expScale, powPrepare } from '../src/pow.js';
import { kernelPow } from '../src/wasm.js';
import { ulpDiff } from './helpers/oracle.js';

const triples = (name: string): Float64Array => {
  const b = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const nofma = triples('pow_glibc_nofma.bin');
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
