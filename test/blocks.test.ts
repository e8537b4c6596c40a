// The block design (src/wasm.ts): results are filled block by block from the kernel's memory, and triangular
// windows copy whole cycles inside a cycle-shape class. Every block edge, class edge and block size gives the
// JS twin's bits.
import { describe, expect, it } from 'vitest';
import { type Dtype, schedule } from '../src/index.js';

const firstDiff = (a: ArrayLike<number>[] | null, b: ArrayLike<number>[] | null): string | null => {
  if (a === null || b === null) return a === b ? null : 'momentum null on one side';
  for (let g = 0; g < a.length; g++)
    for (let i = 0; i < a[g].length; i++)
      if (!Object.is(a[g][i], b[g][i])) return `group ${g}, i ${i}: ${a[g][i]} vs ${b[g][i]}`;
  return null;
};

// [stepSizeUp, stepSizeDown]: total_size 3, 7, 4000, 65,536 (largest with a table), 65,537 (none), 2.5 (fractional)
const SHAPES = [
  [1, 2],
  [3, 4],
  [2000, 2000],
  [32768, 32768],
  [32768, 32769],
  [1, 1.5],
] as const;

describe('blocks and triangular class copies: the JS twin bit for bit', () => {
  it.each(SHAPES)('stepSizeUp %d, stepSizeDown %d: starts at class edges, near 2^53, every mode', (up, down) => {
    const total = up + down;
    const L = 150_000;
    const edges = [Math.floor(2 * total) - 3, Math.floor(64 * total) - 1000, Math.floor(255 * total) + 7];
    const starts = [0, 1, ...edges.map((s) => Math.max(0, s))];
    starts.push(2 ** 52 + 12_345, Number.MAX_SAFE_INTEGER - L + 1);
    for (const start of starts)
      for (const mode of ['triangular', 'triangular2', 'exp_range'] as const) {
        const o = { baseLr: [0.001, 0.3], maxLr: [0.1, 0.7], stepSizeUp: up, stepSizeDown: down, mode, gamma: 1 };
        const w = schedule(o, { start, length: L });
        const j = schedule(o, { start, length: L, backend: 'js' });
        const d = firstDiff(w.lr, j.lr) ?? firstDiff(w.momentum, j.momentum);
        if (d) expect.fail(`start ${start}, ${mode}: ${d}`);
      }
  });

  it.each([
    [1, false, 'float64'],
    [3, true, 'float64'],
    [16, true, 'float32'],
    [200, true, 'float64'],
    [5000, false, 'float32'],
  ] as const)('%d groups, momentum %s, %s: lengths around block sizes', (groups, cycleMomentum, dtype: Dtype) => {
    const o = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 7, groups, cycleMomentum, mode: 'triangular' as const };
    for (const length of [1, 1023, 1025, 4097, 70_001].filter((n) => n * groups <= 4e6)) {
      const w = schedule(o, { start: 1 << 20, length, dtype });
      const j = schedule(o, { start: 1 << 20, length, dtype, backend: 'js' });
      const d = firstDiff(w.lr, j.lr) ?? firstDiff(w.momentum, j.momentum);
      if (d) expect.fail(`length ${length}: ${d}`);
    }
  });
});
