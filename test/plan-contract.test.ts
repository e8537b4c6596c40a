// The plan's checks and bounds (src/plan.ts) as callers see them through schedule() and CyclicLR: what PyTorch
// cannot compute is ERR_OVERFLOW naming where; a value past the result's range is never written silently (the
// overflow bound counts every group's momentum terms and the largest scale of the window); a custom scaleFn is
// called once per cycle ('cycle') or iteration ('iterations') of the window and no more. Expected values come
// from PyTorch's get_lr formula evaluated here (`pytorchLr`).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CyclicLR, schedule, type CyclicLRErrorCode, type CyclicLROptions } from '../src/index.js';
import { sgd, thrown } from './helpers/code.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** see: torch/optim/lr_scheduler.py CyclicLR.get_lr, one group, scale s at t */
const pytorchLr = (base: number, max: number, up: number, down: number, t: number, s: number): number => {
  const total = up + down;
  const ratio = up / total;
  const cycle = Math.floor(1 + t / total);
  const x = 1 + t / total - cycle;
  const factor = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
  return base + (max - base) * factor * s;
};

/** step(epoch) on a fresh scheduler, the epoch warning silenced */
const stepTo = (options: CyclicLROptions, t: number) => {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  const opt = sgd();
  const s = new CyclicLR(opt, options);
  s.step(t);
  return { s, group: opt.paramGroups[0] };
};

describe('what PyTorch cannot compute: ERR_OVERFLOW, the key, and a message naming t', () => {
  const tiny = { baseLr: 0.1, maxLr: 1, stepSizeUp: 5e-324, stepSizeDown: 5e-324 };
  const ROWS: [string, () => unknown, CyclicLRErrorCode, string, string[]][] = [
    [
      'last_epoch / total_size past float64',
      () => schedule(tiny, { start: 2 ** 52, length: 1 }),
      'ERR_OVERFLOW',
      'stepSizeUp',
      [`overflows at t = ${2 ** 52}`, 'total_size 1e-323', 'math.floor'],
    ],
    [
      "max_lr - initialLr past float64 (the first step's base is the group's initialLr)",
      () =>
        new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9, initialLr: -1.7e308 }] }, { baseLr: 0, maxLr: 1.7e308 }),
      'ERR_OVERFLOW',
      'baseLr',
      ['max_lr - base_lr of group 0 must be finite', 'got Infinity', 'base_lr -1.7e+308'],
    ],
    [
      'triangular2 at cycle -1099: 1 / 2 ** -1100 (Python: ZeroDivisionError)',
      () => stepTo({ baseLr: 0, maxLr: 1, stepSizeUp: 1, mode: 'triangular2' }, -2200),
      'ERR_OVERFLOW',
      'mode',
      ['triangular2', 'divides by zero at t = -2200'],
    ],
    [
      'exp_range gamma 0 at t < 0',
      () => stepTo({ baseLr: 0, maxLr: 1, mode: 'exp_range', gamma: 0 }, -1),
      'ERR_OVERFLOW',
      'gamma',
      ['exp_range', 'divides by zero at t = -1 (gamma 0)'],
    ],
    [
      'exp_range negative gamma at a fractional t',
      () => stepTo({ baseLr: 0, maxLr: 1, mode: 'exp_range', gamma: -0.5 }, 2.5),
      'ERR_OVERFLOW',
      'gamma',
      ['exp_range', 'complex at t = 2.5', 'negative gamma -0.5'],
    ],
    [
      'exp_range gamma 2: the first t of the window where 2 ** t overflows',
      () => schedule({ baseLr: 0, maxLr: 1, mode: 'exp_range', gamma: 2 }, { start: 1000, length: 100 }),
      'ERR_OVERFLOW',
      'gamma',
      ['overflows at t = 1024', 'gamma 2'],
    ],
    [
      'a scaleFn that throws',
      () =>
        schedule(
          { baseLr: 0, maxLr: 1, scaleMode: 'iterations', scaleFn: (x) => (x === 3 ? boom() : 1) },
          { length: 20 },
        ),
      'ERR_SCALE_FN',
      'scaleFn',
      ['scaleFn threw when called with 3', 'RangeError: boom'],
    ],
  ];
  it.each(ROWS)('%s', (_what, f, code, key, words) => {
    const e = thrown(f);
    expect([e.code, e.key]).toEqual([code, key]);
    for (const w of words) expect(e.message).toContain(w);
  });

  it('exp_range 0.5 ** t: the window from t = -1999 (after a failed step(-2000)) starts past float64', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const s = new CyclicLR(sgd(), { baseLr: 0, maxLr: 1, mode: 'exp_range', gamma: 0.5 });
    expect(thrown(() => s.step(-2000)).code).toBe('ERR_OVERFLOW');
    const e = thrown(() => s.peek(2000));
    expect([e.code, e.key]).toEqual(['ERR_OVERFLOW', 'gamma']);
    expect(e.message).toContain('overflows at t = -1999');
  });
});
function boom(): never {
  throw new RangeError('boom');
}

describe('what PyTorch computes at the edges is computed', () => {
  it.each([
    ['exp_range gamma 0.5 at t = -2: 0.5 ** -2 = 4', { mode: 'exp_range', gamma: 0.5, maxLr: 1 } as const, -2, 4],
    ['exp_range gamma 0 at t = 2.5: 0.0 ** 2.5 = 0', { mode: 'exp_range', gamma: 0, maxLr: 1 } as const, 2.5, 0],
    [
      'triangular2 at cycle -1021: 1 / 2 ** -1022',
      { mode: 'triangular2', maxLr: 2 ** -1000 } as const,
      -2043,
      2 ** 1022,
    ],
    [
      'triangular2 at cycle -1022: 1 / 2 ** -1023 (a subnormal power)',
      { mode: 'triangular2', maxLr: 2 ** -1000 } as const,
      -2045,
      2 ** 1023,
    ],
  ])('%s', (_what, mode, t, s) => {
    const { group } = stepTo({ baseLr: 0, stepSizeUp: 1, stepSizeDown: 1, ...mode }, t);
    expect(group.lr).toBe(pytorchLr(0, mode.maxLr, 1, 1, t, s));
  });

  it('an empty window asks nothing of t - 1: exp_range gamma 0 from t = 0, length 0', () => {
    const { lr } = schedule({ baseLr: 0, maxLr: 1, mode: 'exp_range', gamma: 0 }, { start: 0, length: 0 });
    expect(lr.map((r) => r.length)).toEqual([0]);
  });

  it('triangular does not use gamma: gamma 2 up to t = 3000 is fine', () => {
    const { lr } = schedule({ baseLr: 0.1, maxLr: 1, stepSizeUp: 3, gamma: 2 }, { start: 2990, length: 11 });
    expect(Array.from(lr[0])).toEqual(Array.from({ length: 11 }, (_, i) => pytorchLr(0.1, 1, 3, 3, 2990 + i, 1)));
  });
});

describe('values past the range are ERR_OVERFLOW, never written: the bound counts every term of every group', () => {
  /** three groups; group 2 has the large terms (groups 0 and 1 small, so no other group's terms cover them) */
  const three = (m: Partial<CyclicLROptions>) => ({
    baseLr: [0.1, 0.1, 0.1],
    maxLr: [1, 1, 1],
    baseMomentum: [0.8, 0.8, m.baseMomentum as number],
    maxMomentum: [0.9, 0.9, m.maxMomentum as number],
    ...(m.scaleFn ? { scaleFn: m.scaleFn } : {}),
  });
  it.each([
    [
      "group 2's momentum bound past float32 (no amplitude)",
      three({ baseMomentum: 1e39, maxMomentum: 1e39 }),
      'float32',
    ],
    [
      "group 2's momentum amplitude times the scale past float32",
      three({ baseMomentum: -1e37, maxMomentum: 1e37, scaleFn: () => 100 }),
      'float32',
    ],
    ["triangular2 at a negative cycle: the window's largest scale", null, 'float64'],
    ['exp_range gamma 2 from t = 0: the scale at the end of the window (1 at its start)', null, 'float64'],
  ] as const)('%s', (what, options, dtype) => {
    const f = what.startsWith('triangular2')
      ? () => stepTo({ baseLr: 0, maxLr: 1e10, stepSizeUp: 1, mode: 'triangular2' }, -2001)
      : what.startsWith('exp_range')
        ? () => schedule({ baseLr: 0, maxLr: 1e10, mode: 'exp_range', gamma: 2 }, { start: 0, length: 1001 })
        : () => schedule(options!, { start: 1998, length: 4, dtype }); // t = 2000: the peak of cycle 1
    expect(thrown(f).code).toBe('ERR_OVERFLOW');
  });

  it.each([
    ["'cycle', cycles shorter than an iteration", 'cycle'],
    ["'iterations'", 'iterations'],
  ] as const)("a custom scaleFn of 1e300 (%s): the table's largest scale", (_, scaleMode) => {
    const o = { baseLr: 0, maxLr: 1e10, stepSizeUp: 0.25, stepSizeDown: 0.5, scaleMode, scaleFn: () => 1e300 };
    expect(thrown(() => schedule(o, { start: 1, length: 5 })).code).toBe('ERR_OVERFLOW');
  });
});

describe('a custom scaleFn is called for the cycles (or iterations) of the window, once each', () => {
  const calls = (o: Partial<CyclicLROptions>, start: number, length: number) => {
    const xs: number[] = [];
    schedule(
      {
        baseLr: 0,
        maxLr: 1,
        ...o,
        scaleFn: (x) => {
          xs.push(x);
          return 1;
        },
      },
      { start, length },
    );
    return xs;
  };
  it.each([
    ['a window of whole cycle 1 only', { stepSizeUp: 1000 }, 0, 2000, [1]],
    ['an empty window', { stepSizeUp: 1000 }, 0, 0, []],
    [
      'exactly one chunk of 65,536 iterations (cycles 1 … 33)',
      { stepSizeUp: 1000 },
      0,
      65536,
      [...Array(33)].map((_, i) => i + 1),
    ],
    ["'iterations' over 3 iterations", { scaleMode: 'iterations' as const }, 7, 3, [7, 8, 9]],
  ])('%s', (_what, o, start, length, expected) => {
    expect(calls(o, start, length)).toEqual(expected);
  });

  it('cycles shorter than an iteration: the values of PyTorch with that scaleFn at each cycle', () => {
    const fn = (c: number) => 1 / c;
    const { lr } = schedule(
      { baseLr: 0.1, maxLr: 1, stepSizeUp: 0.25, stepSizeDown: 0.5, scaleFn: fn },
      { start: 3, length: 6 },
    );
    const cycle = (t: number) => Math.floor(1 + t / 0.75);
    expect(Array.from(lr[0])).toEqual(
      Array.from({ length: 6 }, (_, i) => pytorchLr(0.1, 1, 0.25, 0.5, 3 + i, fn(cycle(3 + i)))),
    );
  });
});
