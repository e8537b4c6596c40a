// peek(n): lr[g][i] (and momentum[g][i]) are what group g holds after i + 1 more step() calls, and peek changes
// nothing. Checked against the scheduler itself, stepped afterwards, for the windows peek computes without the
// kernel's dense plan: a fractional lastEpoch (after step(2.5), PyTorch adds 1 per step) and a window that would
// pass 2^53 - 1.
import { describe, expect, it } from 'vitest';
import { CyclicLR, type CyclicLRSchedulerOptions } from '../src/index.js';
import { sgd, thrown } from './helpers/code.js';

const MAX = Number.MAX_SAFE_INTEGER;
const OPTS: CyclicLRSchedulerOptions = {
  baseLr: [0.01, 0.02],
  maxLr: [0.1, 0.3],
  baseMomentum: [0.8, 0.7],
  maxMomentum: [0.9, 0.95],
  stepSizeUp: 3,
  stepSizeDown: 2.5,
  mode: 'triangular2',
};

/** the values the groups hold after each of n steps (the scheduler is stepped) */
const stepped = (opt: ReturnType<typeof sgd>, s: CyclicLR, n: number) => {
  const lr = opt.paramGroups.map(() => [] as number[]);
  const momentum = opt.paramGroups.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    s.step();
    opt.paramGroups.forEach((grp, g) => {
      lr[g].push(grp.lr);
      momentum[g].push(grp.momentum);
    });
  }
  return { lr, momentum };
};
const bits = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from(r, (v) => (Object.is(v, -0) ? '-0' : v)));

describe('peek(n) away from the dense plan gives the next n steps of every group, bit for bit', () => {
  it.each([
    ['lastEpoch 2.5 (after step(2.5)), momentum cycled', 2.5, {}, 7],
    ['lastEpoch -4.25, momentum cycled', -4.25, {}, 9],
    ['lastEpoch 2.5, momentum not cycled: momentum null', 2.5, { cycleMomentum: false }, 5],
    ['lastEpoch 1.5, exp_range', 1.5, { mode: 'exp_range', gamma: 0.75 }, 6],
  ] as const)('%s', (_what, epoch, extra, n) => {
    const options = { ...OPTS, ...extra, backend: 'js' as const };
    const opt = sgd(2);
    const s = new CyclicLR(opt, options);
    s.step(epoch);
    const before = JSON.stringify([s.stateDict(), opt]);
    const peeked = s.peek(n);
    expect(JSON.stringify([s.stateDict(), opt])).toBe(before);
    const after = stepped(opt, s, n);
    expect(bits(peeked.lr)).toEqual(bits(after.lr));
    expect(peeked.lr.every((row) => row instanceof Float64Array && row.length === n)).toBe(true);
    if (options.cycleMomentum === false) expect(peeked.momentum).toBeNull();
    else expect(bits(peeked.momentum!)).toEqual(bits(after.momentum));
  });

  it('peek(0) at a fractional lastEpoch: one empty row per group', () => {
    const s = new CyclicLR(sgd(2), OPTS);
    s.step(0.5);
    const { lr, momentum } = s.peek(0);
    expect(lr.map((r) => r.length)).toEqual([0, 0]);
    expect(momentum!.map((r) => r.length)).toEqual([0, 0]);
  });

  it.each(['wasm', 'js'] as const)(
    '[%s] up to 2^53 - 1: a window ending there is the next steps; one step more is ERR_OVERFLOW',
    (backend) => {
      const opt = sgd(2);
      opt.paramGroups.forEach((g) => {
        g.initialLr = 0.01;
      });
      const s = new CyclicLR(opt, { ...OPTS, lastEpoch: MAX - 4, backend }); // now at MAX - 3
      const peeked = s.peek(3);
      expect(thrown(() => s.peek(4)).code).toBe('ERR_OVERFLOW');
      const after = stepped(opt, s, 3);
      expect(s.lastEpoch).toBe(MAX);
      expect(bits(peeked.lr)).toEqual(bits(after.lr));
      expect(bits(peeked.momentum!)).toEqual(bits(after.momentum));
    },
  );
});

describe('peek(n) refuses an n that is not a whole number ≥ 0: ERR_INVALID_WINDOW naming n and the value', () => {
  it.each([-1, 1.5, NaN, Infinity, 2 ** 53, '3', null])('n = %s', (n) => {
    const e = thrown(() => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 }).peek(n as number));
    expect(e.code).toBe('ERR_INVALID_WINDOW');
    expect(e.key).toBe('n');
    expect(e.message).toContain('whole number');
    expect(e.message).toContain(`got ${typeof n === 'string' ? JSON.stringify(n) : String(n)}`);
  });
});
