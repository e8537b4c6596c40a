// Re-entrancy: a custom scaleFn may call schedule() / scheduleChunks() / scheduleMany() / CyclicLR.step()
// itself. The inner call shares the kernel's memory with the outer one; the outer result must still be the
// same bits as with a pure scaleFn.
import { describe, expect, it } from 'vitest';
import { CyclicLR, type CyclicLROptions, schedule, scheduleChunks, scheduleMany } from '../src/index.js';

/** the inner calls a scaleFn makes: small, larger than the outer window, float32, many groups, a scheduler */
const INNER: Record<string, () => unknown> = {
  'schedule of 10': () => schedule({ baseLr: 5, maxLr: 7 }, { length: 10 }),
  'schedule of 110,000': () => schedule({ baseLr: 5, maxLr: 7 }, { length: 110_000 }),
  'schedule of 16 groups × 100,000 with momentum': () =>
    schedule({ baseLr: 5, maxLr: 7, groups: 16, mode: 'exp_range', gamma: 0.9999 }, { length: 100_000 }),
  'float32 schedule': () => schedule({ baseLr: 5, maxLr: 7 }, { length: 70_000, dtype: 'float32' }),
  scheduleChunks: () => [...scheduleChunks({ baseLr: 5, maxLr: 7 }, { length: 50_000, chunkLength: 7000 })],
  scheduleMany: () =>
    scheduleMany(
      [
        { baseLr: 5, maxLr: 7 },
        { baseLr: 1, maxLr: 3, groups: 3 },
      ],
      { length: 9000 },
    ),
  'a custom scaleFn inside': () =>
    schedule({ baseLr: 5, maxLr: 7, scaleFn: () => 0.5, scaleMode: 'iterations' }, { length: 80_000 }),
  'CyclicLR.step': () => {
    const s = new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9 }] }, { baseLr: 5, maxLr: 7 });
    for (let k = 0; k < 300; k++) s.step();
  },
};

/** a scaleFn that makes the inner call at a few of its arguments and returns what `pure` does */
function impure(pure: (x: number) => number, inner: () => unknown, at: (x: number) => boolean) {
  return (x: number) => {
    if (at(x)) inner();
    return pure(x);
  };
}

const pure = (x: number) => 1 / (1 + (x % 7));
// in the first chunk of 65,536 iterations and in later ones (after rows were written), in both scale modes
const HITS = new Set([1, 1000, 2000, 3500, 65_540, 131_080, 140_000, 170_000]);
const every = (x: number) => HITS.has(x);

const sameBits = (a: ArrayLike<number>[] | null, b: ArrayLike<number>[] | null): string | null => {
  if (a === null || b === null) return a === b ? null : 'momentum null on one side';
  for (let g = 0; g < a.length; g++) {
    if (a[g].length !== b[g].length) return `group ${g}: length ${a[g].length} vs ${b[g].length}`;
    for (let i = 0; i < a[g].length; i++)
      if (!Object.is(a[g][i], b[g][i])) return `group ${g}, i ${i}: ${a[g][i]} vs ${b[g][i]}`;
  }
  return null;
};

const base: CyclicLROptions = { baseLr: [0.001, 0.01], maxLr: [0.006, 0.1], stepSizeUp: 20 };

describe('a scaleFn that calls the library again leaves the outer result bit-identical to a pure scaleFn', () => {
  describe.each(['iterations', 'cycle'] as const)('scaleMode %s', (scaleMode) => {
    it.each(Object.keys(INNER))('schedule(), inner %s', (name) => {
      const one = { baseLr: 0.001, maxLr: 0.1 };
      for (const [length, dtype, cycleMomentum, o] of [
        [70_000, 'float64', false, one],
        [100_000, 'float32', true, one],
        [200_000, 'float64', true, base],
        [150_000, 'float32', false, base],
      ] as const) {
        const want = schedule(
          { ...o, stepSizeUp: 20, scaleFn: pure, scaleMode, cycleMomentum },
          { start: 3, length, dtype },
        );
        const got = schedule(
          { ...o, stepSizeUp: 20, scaleFn: impure(pure, INNER[name], every), scaleMode, cycleMomentum },
          { start: 3, length, dtype },
        );
        expect(sameBits(got.lr, want.lr)).toBeNull();
        expect(sameBits(got.momentum, want.momentum)).toBeNull();
      }
    });
  });

  it.each(Object.keys(INNER))('scheduleChunks(), inner %s', (name) => {
    const window = { start: 11, length: 300_000, chunkLength: 100_000 };
    // one group, lr only: chunks of 800 kB
    const opts = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 20, scaleMode: 'iterations' as const, cycleMomentum: false };
    const want = [];
    // the chunks reuse one buffer: copy each as it comes
    for (const c of scheduleChunks({ ...opts, scaleFn: pure }, window))
      want.push({ lr: c.lr.map((r) => r.slice()), momentum: null });
    const got = scheduleChunks({ ...opts, scaleFn: impure(pure, INNER[name], every) }, window);
    let k = 0;
    for (const c of got) {
      expect(sameBits(c.lr, want[k].lr)).toBeNull();
      expect(sameBits(c.momentum, want[k].momentum)).toBeNull();
      k++;
    }
    expect(k).toBe(3);
  });

  it.each(Object.keys(INNER))('scheduleMany(), inner %s', (name) => {
    const one = { baseLr: 0.001, maxLr: 0.1, cycleMomentum: false };
    const configs = (fn: (x: number) => number) => [
      { ...one, scaleFn: fn, scaleMode: 'iterations' as const },
      { ...one, scaleFn: fn, scaleMode: 'cycle' as const, stepSizeUp: 3 },
      { ...base, scaleFn: fn, scaleMode: 'iterations' as const },
      { baseLr: 0.1, maxLr: 1, groups: 3, mode: 'exp_range' as const, gamma: 0.99999 },
    ];
    for (const [length, dtype, n] of [
      [70_000, 'float32', 2], // 560 kB in all
      [140_000, 'float64', 4],
    ] as const) {
      const want = scheduleMany(configs(pure).slice(0, n), { length, dtype });
      const got = scheduleMany(configs(impure(pure, INNER[name], every)).slice(0, n), { length, dtype });
      expect(sameBits([got.lr], [want.lr])).toBeNull();
      expect(sameBits(got.momentum && [got.momentum], want.momentum && [want.momentum])).toBeNull();
    }
  });

  it.each(Object.keys(INNER))('CyclicLR.step() and peek(), inner %s', (name) => {
    const make = (fn: (x: number) => number) => {
      const opt = {
        paramGroups: [
          { lr: 0.1, momentum: 0.9 },
          { lr: 0.1, momentum: 0.9 },
        ],
      };
      return { opt, s: new CyclicLR(opt, { ...base, scaleFn: fn, scaleMode: 'iterations' }) };
    };
    const a = make(pure);
    const b = make(impure(pure, INNER[name], (x) => x === 50 || x === 300 || every(x)));
    for (let k = 0; k < 400; k++) {
      a.s.step();
      b.s.step();
      expect(b.s.getLastLr()).toEqual(a.s.getLastLr());
      expect(b.opt.paramGroups.map((g) => g.momentum)).toEqual(a.opt.paramGroups.map((g) => g.momentum));
    }
    expect(sameBits(b.s.peek(70_000).lr, a.s.peek(70_000).lr)).toBeNull();
  });
});
