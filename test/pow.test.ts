// The pow behind exp_range: glibc's no-FMA pow bit for bit (CPython float ** int), in the kernel and its JS twin.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CyclicLR, schedule } from '../src/index.js';
import { KERNEL_WASM_BASE64 } from '../src/kernel-wasm.js';
import { expScale, powPrepare } from '../src/pow.js';
import { EXP_DATA_WORDS, POW_LOG_DATA_WORDS } from '../src/pow-tables.js';
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
    pow_x2(gamma: number, t0: number, t1: number, fma: number): number;
    pow_x2_hi: WebAssembly.Global;
  };
})();
const kernelPowVariant = (gamma: number, t: number, fma: boolean): number =>
  kernelExports.pow_int(gamma, t, fma ? 1 : 0);
const fma = triples('pow_glibc_fma.bin');

const LIBMS = ['fma', 'nofma'] as const;
type Libm = (typeof LIBMS)[number];
const triplesOf: Record<Libm, Float64Array> = { fma, nofma };
const hashOf = (libm: Libm): { pairs: number; fnv1a32: string } =>
  JSON.parse(readFileSync(new URL(`./fixtures/pow_glibc_${libm}.json`, import.meta.url), 'utf8'));
/** the kernel's two-lane pow (the path schedules take), both lanes t; they must agree */
const kernelPowX2 = (g: number, t: number, libm: Libm): number => {
  const v = kernelExports.pow_x2(g, t, t, libm === 'fma' ? 1 : 0);
  if (!Object.is(v, kernelExports.pow_x2_hi.value)) throw new Error(`pow_x2 lanes differ at ${g} ** ${t}`);
  return v;
};
const backends: Record<
  'js' | 'wasm' | 'wasm-x2',
  (libm: Libm) => { prepare(g: number): void; pow(g: number, t: number): number }
> = {
  js: (libm) => {
    let base = powPrepare(1, libm);
    return { prepare: (g) => (base = powPrepare(g, libm)), pow: (g, t) => expScale(g, base, t) };
  },
  wasm: (libm) => ({ prepare: () => {}, pow: (g, t) => kernelPowVariant(g, t, libm === 'fma') }),
  'wasm-x2': (libm) => ({ prepare: () => {}, pow: (g, t) => kernelPowX2(g, t, libm) }),
};

const w64 = new Float64Array(1);
const w32 = new Uint32Array(w64.buffer);
const dbl = (hi: number, lo: number): number => {
  w32[1] = hi;
  w32[0] = lo;
  return w64[0];
};
const pow2 = (k: number): number => dbl((0x3ff + k) << 20, 0); // exact, |k| < 1023

/** FNV-1a (32 bit) of the bits of gamma ** t over the pairs of scripts/gen-pow-fixture.py, operation for operation */
function hashPairs(groups: number, per: number, prepare: (g: number) => void, pow: (g: number, t: number) => number) {
  let state = 20261202;
  const rnd = (): number => {
    let x = state;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    state = x;
    return x;
  };
  const gammaOf = (kind: number): number => {
    if (kind === 0) return dbl(((0x3fe + (rnd() & 1)) << 20) | (rnd() & 0xfffff), rnd());
    if (kind === 1) return 1 - (rnd() & 0xfffff) * pow2(-(20 + (rnd() % 33)));
    if (kind === 2) return 1 + (rnd() & 0xfffff) * pow2(-(20 + (rnd() % 33)));
    return dbl(((0x3ff - 40 + (rnd() % 80)) << 20) | (rnd() & 0xfffff), rnd());
  };
  const tOf = (): number => {
    const m = rnd() % 54;
    if ((rnd() & 3) === 0) return Math.max(1, pow2(m) + (rnd() % 5) - 2);
    const hi = rnd();
    const lo = rnd();
    if (m <= 32) return 1 + (lo % pow2(m));
    return 1 + (hi % pow2(m - 32)) * 4294967296 + lo;
  };
  let h = 0x811c9dc5;
  for (let k = 0; k < groups; k++) {
    const g = gammaOf(k % 4);
    prepare(g);
    for (let i = 0; i < per; i++) {
      w64[0] = pow(g, tOf());
      h = Math.imul(h ^ w32[0], 0x01000193) >>> 0;
      h = Math.imul(h ^ w32[1], 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}

describe('gamma ** t equals glibc pow bit for bit, both builds (scripts/gen-pow-fixture.py)', () => {
  it.each(LIBMS)(`JS twin and kernel equal glibc's %s pow on the fixture's ${nofma.length / 3} (gamma, t)`, (libm) => {
    const triples = triplesOf[libm];
    let last = NaN;
    let base = powPrepare(1, libm);
    let checked = 0;
    for (let k = 0; k < triples.length; k += 3) {
      const [g, t, v] = [triples[k], triples[k + 1], triples[k + 2]];
      if (g !== last) base = powPrepare((last = g), libm);
      const js = expScale(g, base, t);
      const wasm = kernelPowVariant(g, t, libm === 'fma');
      if (!Object.is(js, v)) expect.fail(`js ${g} ** ${t}: expected ${v} got ${js}`);
      if (!Object.is(wasm, v)) expect.fail(`wasm ${g} ** ${t}: expected ${v} got ${wasm}`);
      checked++;
    }
    expect(checked).toBe(16980);
  });

  it('the two builds differ on the fixture (0.85 ** 26 among them), within 1 ulp for gamma ** t', () => {
    let differ = 0;
    for (let k = 2; k < fma.length; k += 3) {
      if (!Object.is(fma[k], nofma[k])) differ++;
      expect(ulpDiff(fma[k], nofma[k])).toBeLessThanOrEqual(1);
    }
    expect(differ).toBeGreaterThan(0);
    expect(expScale(0.85, powPrepare(0.85, 'fma'), 26)).toBe(0.014618138374376711);
    expect(expScale(0.85, powPrepare(0.85, 'nofma'), 26)).toBe(0.01461813837437671);
    expect(kernelPow(0.85, 26)).toBe(0.01461813837437671); // src/wasm.ts kernelPow: the no-FMA build
  });

  for (const backend of ['js', 'wasm', 'wasm-x2'] as const) {
    it.each(LIBMS)(
      `[${backend}] the hash of 3,145,728 generated gamma ** t equals glibc's %s pow's`,
      (libm) => {
        const { pairs, fnv1a32 } = hashOf(libm);
        expect(pairs).toBe(24576 * 128);
        const b = backends[backend](libm);
        expect(hashPairs(24576, 128, b.prepare, b.pow)).toBe(fnv1a32);
      },
      120_000,
    ); // ~1.5 s alone; a loaded machine must not make it a timeout
  }

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

describe("every constant and table entry of both pows is glibc's own (libm.so.6's __pow_log_data, __exp_data)", () => {
  const glibc = JSON.parse(readFileSync(new URL('./fixtures/pow_glibc_tables.json', import.meta.url), 'utf8'));
  const { pow_log_data: log, exp_data: exp } = glibc;
  const hex = (v: bigint): string => v.toString(16).padStart(16, '0');
  const f64bits = (x: number): string => {
    w64[0] = x;
    return hex((BigInt(w32[1]) << 32n) | BigInt(w32[0]));
  };
  // the scalar constants, by the source's names; InvLn2N is written as 1/ln2 times N = 128
  const named: [string, string][] = [
    ['Ln2hi', log.ln2hi],
    ['Ln2lo', log.ln2lo],
    ...log.poly.map((v: string, i: number) => [`A${i}`, v]),
    ['InvLn2N', exp.invln2N],
    ['NegLn2hiN', exp.negln2hiN],
    ['NegLn2loN', exp.negln2loN],
    ['shift', exp.shift],
    ...exp.poly.map((v: string, i: number) => [`C${i + 2}`, v]),
  ];
  const logTable: string[] = log.invc.flatMap((v: string, i: number) => [v, '0', log.logc[i], log.logctail[i]]);
  const source = (file: string): string => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

  it('src/pow.ts (the JS twin): every named constant', () => {
    const src = source('src/pow.ts');
    for (const [name, want] of named) {
      const m = src.match(new RegExp(`const ${name} = bits\\((0x[0-9a-f]+), (0x[0-9a-f]+)\\)( \\* 128)?;`, 'i'));
      expect(m, name).not.toBeNull();
      const v = dbl(Number(m![1]), Number(m![2])) * (m![3] ? 128 : 1);
      expect(f64bits(v), name).toBe(want);
    }
  });
  it('assembly/pow.ts (the kernel): every named constant', () => {
    const src = source('assembly/pow.ts');
    for (const [name, want] of named) {
      const re = `${name}\\s*=\\s*reinterpret<f64>\\((0x[0-9A-F]+)\\)( \\* <f64>\\(1 << EXP_TABLE_BITS\\))?[;,]`;
      const m = src.match(new RegExp(re));
      expect(m, name).not.toBeNull();
      const b = BigInt(m![1]);
      const v = dbl(Number(b >> 32n), Number(b & 0xffffffffn)) * (m![2] ? 128 : 1);
      expect(f64bits(v), name).toBe(want);
    }
  });
  it('src/pow-tables.ts: 512 log and 256 exp table entries', () => {
    const words = (w: Uint32Array) =>
      Array.from({ length: w.length / 2 }, (_, i) => hex((BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i])));
    expect(words(POW_LOG_DATA_WORDS).map((v, i) => (i % 4 === 1 ? '0' : v))).toEqual(logTable);
    expect(words(EXP_DATA_WORDS)).toEqual(exp.tab);
  });
  it('assembly/pow-tables.ts: 512 log and 256 exp table entries', () => {
    const src = source('assembly/pow-tables.ts');
    const table = (name: string) =>
      src
        .match(new RegExp(`${name} = memory\\.data<u64>\\(\\[([\\s\\S]*?)\\]\\)`))![1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => hex(BigInt(s)));
    expect(table('POW_LOG_DATA_TAB').map((v, i) => (i % 4 === 1 ? '0' : v))).toEqual(logTable);
    expect(table('EXP_DATA_TAB')).toEqual(exp.tab);
  });
});

describe("gamma ** t at the ends of the kernel's two-lane ranges equals glibc's, both builds", () => {
  it.each(LIBMS)('8,000 (gamma, t) with t ln(gamma) near +-512, -690 and 680 (pow_glibc_edges_%s.bin)', (libm) => {
    const e = triples(`pow_glibc_edges_${libm}.bin`);
    const mismatches = { js: 0, scalar: 0, twoLane: 0 };
    for (let k = 0; k < e.length; k += 3) {
      const [g, t, v] = [e[k], e[k + 1], e[k + 2]];
      if (!Object.is(expScale(g, powPrepare(g, libm), t), v)) mismatches.js++;
      if (!Object.is(kernelPowVariant(g, t, libm === 'fma'), v)) mismatches.scalar++;
      if (!Object.is(kernelPowX2(g, t, libm), v)) mismatches.twoLane++;
    }
    expect(e.length).toBe(3 * 8000);
    expect(mismatches).toEqual({ js: 0, scalar: 0, twoLane: 0 });
  });
});

describe("schedule()'s exp_range on the kernel's two-lane pow (range checked per block, lanes deferred)", () => {
  // windows across exp_inline's main range end (|gamma ** t| = e^+-512) into specialcase's range and past it
  // (overflow, underflow), above 2^26 (no whole-number shortcut) and from t = 0: the kernel must give the JS
  // twin's bits (the twin is checked against glibc above), both libm builds
  it.each([
    // gamma, start, length
    [0.99994, 8_400_000, 200_000], // t ln(gamma) crosses -512 at 8.53e6
    [0.9, 1, 8_000], // -512 at 4,860, -690 at 6,549, then the subnormals and 0
    [1.0001, 5_100_000, 1_800_000], // +512 at 5.12e6, +680 at 6.8e6, overflow at 7.1e6
    [0.999999, 2 ** 26 - 3_000, 6_000], // across 2^26
    [0.99994, 0, 5_000], // t = 0 first
    [0.5, 1, 2_000], // every value in a few blocks under- or overflows: scalar lanes
  ])('gamma %s, t from %s, %s iterations: kernel equals the JS twin bit for bit', (gamma, start, length) => {
    for (const libm of LIBMS) {
      const o = { baseLr: 0.25, maxLr: 1.5, stepSizeUp: 7, mode: 'exp_range', gamma, libm } as const;
      const wasm = schedule(o, { start, length }).lr[0];
      const js = schedule(o, { start, length, backend: 'js' }).lr[0];
      let differ = 0;
      for (let i = 0; i < length; i++) if (!Object.is(wasm[i], js[i])) differ++;
      expect(differ, libm).toBe(0);
    }
  });
});

describe("the two-lane pows' specialcase k < 0 lanes rescale as glibc does (scale * tmp kept normal)", () => {
  // t ln(gamma) in (-690, -676): scale * tmp can be subnormal; each case was a wrong value of the two-lane path
  // (rounded on the subnormal grid, or the fast filter's bound rounded to 0); expected: /usr/bin/python3 g ** t
  it.each([
    // gamma, t, libm, glibc's gamma ** t
    [2.3214005588701257e-150, 2, 'fma', 5.3889005547225314e-300], // t ln(gamma) = -689.09
    [1.4769296980033938e-100, 3, 'fma', 3.221658257366235e-300], // |r| < 2^-32: the filter's b must not be 0
    [1.7328184199421595e-150, 2, 'nofma', 3.002659676490842e-300], // the no-FMA build (GLIBC_TUNABLES)
  ] as const)('%s ** %s (%s): two-lane, scalar, JS twin and schedule() both backends equal glibc', (g, t, libm, v) => {
    expect([
      kernelPowX2(g, t, libm),
      kernelPowVariant(g, t, libm === 'fma'),
      expScale(g, powPrepare(g, libm), t),
    ]).toEqual([v, v, v]);
    const o = { baseLr: 0, maxLr: 1, stepSizeUp: 1000, cycleMomentum: false, libm } as const;
    const sf = schedule({ ...o, mode: 'triangular' }, { start: 0, length: 4 }).lr[0][t]; // 0 + 1 * scale_factor
    for (const backend of ['wasm', 'js'] as const) {
      const r = schedule({ ...o, mode: 'exp_range', gamma: g }, { start: 0, length: 4, backend });
      expect(Object.is(r.lr[0][t], sf * v), backend).toBe(true);
    }
  });
});
