// scheduler.scaleFn(x): PyTorch's `scheduler.scale_fn(x)` of the built-in mode (or the custom scaleFn) at any x,
// whole or fractional, positive or negative. Expected values are computed here independently: powers of two
// exactly (2 ** k for a whole k), 2 ** (k + 1/2) from the correctly rounded Math.SQRT2 / Math.SQRT1_2 (glibc's
// pow is within 0.52 ulp, so it rounds these to the same double), gamma ** k for exact dyadic gamma.
import { describe, expect, it } from 'vitest';
import { CyclicLR, type Libm } from '../src/index.js';
import { sgd, thrown } from './helpers/code.js';

const make = (mode: 'triangular' | 'triangular2' | 'exp_range', gamma = 1, libm: Libm = 'fma') =>
  new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode, gamma, libm });

describe.each(['fma', 'nofma'] as const)('scaleFn(x) of the built-in modes (libm %s)', (libm) => {
  it.each([0, 1, 2.5, -3, 1e300])('triangular: 1 at x = %d (gamma 0.5 is not used)', (x) => {
    expect(Object.is(make('triangular', 0.5, libm).scaleFn(x), 1)).toBe(true);
  });

  // 1 / 2. ** (x - 1)
  it.each([
    [1, 1],
    [2, 0.5],
    [3, 0.25],
    [0, 2],
    [-1, 4],
    [11, 2 ** -10],
    [1024, 2 ** -1023],
    [-1021, 2 ** 1022],
    [-1022, 2 ** 1023],
    [0.5, 1 / Math.SQRT1_2],
    [1.5, 1 / Math.SQRT2],
    [2.5, 1 / (2 * Math.SQRT2)],
    [-0.5, 1 / (Math.SQRT1_2 / 2)],
  ])('triangular2: scaleFn(%d) = %d (whole x exactly, fractional x through pow)', (x, expected) => {
    expect(Object.is(make('triangular2', 1, libm).scaleFn(x), expected)).toBe(true);
  });

  // gamma ** x, CPython's float ** float
  it.each([
    [0.5, 0, 1],
    [0.5, 3, 0.125],
    [0.5, -2, 4],
    [0.5, 1.5, Math.SQRT1_2 / 2],
    [2, -1, 0.5],
    [-0.5, 2, 0.25],
    [-0.5, 3, -0.125],
    [-0.5, -1, -2],
    [-2, 0, 1],
    [0, 0, 1],
    [0, 3, 0],
    [0, 2.5, 0],
  ])('exp_range gamma %d: scaleFn(%d) = %d', (gamma, x, expected) => {
    expect(Object.is(make('exp_range', gamma, libm).scaleFn(x), expected)).toBe(true);
  });
});

describe('scaleFn(x) refuses what PyTorch cannot compute: ERR_OVERFLOW naming the mode and x', () => {
  it.each([
    ['exp_range', -0.5, 2.5, 'a negative gamma to a fractional power (Python: a complex number)'],
    ['exp_range', 0, -1, '0 ** -1 (Python: ZeroDivisionError)'],
    ['exp_range', 2, 1100, 'gamma ** x past float64 (Python: OverflowError)'],
    ['exp_range', -0, -2, '(-0.0) ** -2 (Python: ZeroDivisionError)'],
    ['exp_range', 0, -0.5, '0 ** -0.5 (Python: ZeroDivisionError)'],
    ['triangular2', 1, -1100, '2 ** 1101 past float64 at a whole x'],
    ['triangular2', 1, -1100.5, '2 ** 1101.5 past float64 at a fractional x'],
  ] as const)('%s gamma %d at x = %d: %s', (mode, gamma, x, _why) => {
    const e = thrown(() => make(mode, gamma).scaleFn(x));
    expect(e.code).toBe('ERR_OVERFLOW');
    expect(e.key).toBe('mode');
    expect(e.message).toContain(mode);
    expect(e.message).toContain(`x = ${x}`);
  });
});

describe('scaleFn(x) with a custom scaleFn is that function at x', () => {
  it('the function is called with x and its value returned as it is', () => {
    const seen: number[] = [];
    const s = new CyclicLR(sgd(), {
      baseLr: 0.1,
      maxLr: 1,
      mode: 'exp_range',
      scaleFn: (x) => {
        seen.push(x);
        return x === 2.5 ? -0.375 : 1;
      },
    });
    seen.length = 0;
    expect(Object.is(s.scaleFn(2.5), -0.375)).toBe(true);
    expect(seen).toEqual([2.5]);
  });

  it('a scaleFn value that is not a finite number: ERR_SCALE_FN', () => {
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, scaleFn: (x) => (x === 7 ? NaN : 1) });
    expect(thrown(() => s.scaleFn(7)).code).toBe('ERR_SCALE_FN');
  });
});
