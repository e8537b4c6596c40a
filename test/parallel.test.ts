// scheduleParallel's rounds: every way of splitting a window (or not) gives schedule()'s bits, in ordinary arrays.
import { describe, expect, it } from 'vitest';
import { type CyclicLROptions, schedule, scheduleParallel } from '../src/index.js';

const same = (a: ArrayLike<number>[] | null, b: ArrayLike<number>[] | null): boolean =>
  a === null || b === null
    ? a === b
    : a.length === b.length &&
      a.every((row, g) => row.length === b[g].length && Array.from(row).every((v, i) => Object.is(v, b[g][i])));

describe('scheduleParallel splits a window into rounds of slices', () => {
  it.each([
    [
      'many rounds (a slice holds 1M iterations; 2.5M)',
      { baseLr: 0.001, maxLr: 0.1, cycleMomentum: false },
      2_500_000,
      2,
    ],
    [
      '3 threads, exp_range, momentum',
      { baseLr: [0.001, 0.002], maxLr: 0.1, mode: 'exp_range', gamma: 0.99999 },
      700_001,
      3,
    ],
    [
      'one iteration of every group larger than a slice: one thread',
      { baseLr: 0.001, maxLr: 0.1, groups: 1100 },
      4100,
      2,
    ],
    ['a window of one 4096-iteration piece: one thread', { baseLr: 0.001, maxLr: 0.1, groups: 64 }, 4096, 2],
  ] as const)('%s: schedule()’s bits', async (_name, o, length, threads) => {
    const p = await scheduleParallel(o as CyclicLROptions, { start: 5, length, threads });
    const s = schedule(o as CyclicLROptions, { start: 5, length });
    expect(same(p.lr, s.lr)).toBe(true);
    expect(same(p.momentum, s.momentum)).toBe(true);
    expect(p.lr[0].buffer).toBeInstanceOf(ArrayBuffer); // an ordinary result, like schedule()'s
  });

  it('concurrent calls share the workers and the workspace: each gets its own bits', async () => {
    const os = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map((maxLr) => ({ baseLr: 0.001, maxLr, mode: 'triangular2' as const }));
    const ps = await Promise.all(os.map((o) => scheduleParallel(o, { length: 1_500_000, threads: 2 })));
    ps.forEach((p, k) => {
      expect(same(p.lr, schedule(os[k], { length: 1_500_000 }).lr)).toBe(true);
    });
  });
});
