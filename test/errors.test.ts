// Bad input gets a CyclicLRError with a code and the option's name, never a silent NaN.
import { describe, expect, it } from 'vitest';
import { schedule, type CyclicLRErrorCode } from '../src/index.js';
import { expectNamed, thrown } from './helpers/code.js';

const ok = { baseLr: 0.001, maxLr: 0.006, stepSizeUp: 4 };
const fail = (): never => {
  throw new Error('boom');
};

// [what, options, window, code, key]
const CASES: [string, any, any, CyclicLRErrorCode, string][] = [
  ['stepSizeUp 0', { ...ok, stepSizeUp: 0 }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeUp'],
  ['stepSizeUp negative', { ...ok, stepSizeUp: -4 }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeUp'],
  ['stepSizeUp NaN', { ...ok, stepSizeUp: NaN }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeUp'],
  ['stepSizeUp Infinity', { ...ok, stepSizeUp: Infinity }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeUp'],
  ['stepSizeUp a string', { ...ok, stepSizeUp: '4' }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeUp'],
  ['stepSizeDown negative', { ...ok, stepSizeDown: -1 }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeDown'],
  ['stepSizeDown -Infinity', { ...ok, stepSizeDown: -Infinity }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeDown'],
  [
    'up + down overflows',
    { ...ok, stepSizeUp: 1.7e308, stepSizeDown: 1.7e308 },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'stepSizeUp + stepSizeDown',
  ],
  [
    'step_ratio underflows',
    { ...ok, stepSizeUp: 5e-324, stepSizeDown: 1e10 },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'stepSizeUp / (stepSizeUp + stepSizeDown)',
  ],
  ['baseLr missing', { maxLr: 1 }, { length: 4 }, 'ERR_INVALID_OPTION', 'baseLr'],
  ['maxLr missing', { baseLr: 1 }, { length: 4 }, 'ERR_INVALID_OPTION', 'maxLr'],
  ['baseLr NaN', { ...ok, baseLr: NaN }, { length: 4 }, 'ERR_INVALID_OPTION', 'baseLr'],
  ['maxLr Infinity', { ...ok, maxLr: Infinity }, { length: 4 }, 'ERR_INVALID_OPTION', 'maxLr'],
  ['maxLr list item NaN', { ...ok, maxLr: [1, NaN] }, { length: 4 }, 'ERR_INVALID_OPTION', 'maxLr[1]'],
  [
    'maxLr - baseLr overflows',
    { ...ok, baseLr: -1.7e308, maxLr: 1.7e308 },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxLr - baseLr',
  ],
  ['empty list', { ...ok, baseLr: [] }, { length: 4 }, 'ERR_INVALID_OPTION', 'baseLr'],
  [
    'list length ≠ other list',
    { ...ok, baseLr: [0.1, 0.2], maxLr: [1, 2, 3] },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxLr',
  ],
  ['list length ≠ groups', { ...ok, baseLr: [0.1, 0.2], groups: 3 }, { length: 4 }, 'ERR_INVALID_OPTION', 'baseLr'],
  ['groups 0', { ...ok, groups: 0 }, { length: 4 }, 'ERR_INVALID_OPTION', 'groups'],
  ['groups 1.5', { ...ok, groups: 1.5 }, { length: 4 }, 'ERR_INVALID_OPTION', 'groups'],
  ['groups 1e12 (before allocating)', { ...ok, groups: 1e12 }, { length: 0 }, 'ERR_INVALID_OPTION', 'groups'],
  [
    'momentum list wrong length, cycleMomentum false',
    { ...ok, cycleMomentum: false, baseMomentum: [0.8, 0.8], groups: 1 },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'baseMomentum',
  ],
  [
    'maxMomentum NaN, cycleMomentum false',
    { ...ok, cycleMomentum: false, maxMomentum: NaN },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxMomentum',
  ],
  ['mode invalid', { ...ok, mode: 'CATS' }, { length: 4 }, 'ERR_INVALID_OPTION', 'mode'],
  ['mode not a string', { ...ok, mode: 3 }, { length: 4 }, 'ERR_INVALID_OPTION', 'mode'],
  ['gamma NaN', { ...ok, mode: 'exp_range', gamma: NaN }, { length: 4 }, 'ERR_INVALID_OPTION', 'gamma'],
  ['scaleMode bogus', { ...ok, scaleMode: 'bogus' }, { length: 4 }, 'ERR_INVALID_OPTION', 'scaleMode'],
  [
    'scaleMode Cycle (case)',
    { ...ok, scaleFn: () => 1, scaleMode: 'Cycle' },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'scaleMode',
  ],
  ['scaleFn not a function', { ...ok, scaleFn: 0.5 }, { length: 4 }, 'ERR_INVALID_OPTION', 'scaleFn'],
  ['cycleMomentum not boolean', { ...ok, cycleMomentum: 1 }, { length: 4 }, 'ERR_INVALID_OPTION', 'cycleMomentum'],
  ['unknown option', { ...ok, stepsizeUp: 4 }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepsizeUp'],
  ['options not an object', null, { length: 4 }, 'ERR_INVALID_OPTION', 'options'],
  [
    'getter that throws',
    Object.defineProperty({ ...ok }, 'gamma', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    }),
    { length: 4 },
    'ERR_INVALID_OPTION',
    'gamma',
  ],
  ['scaleFn returns NaN', { ...ok, scaleFn: () => NaN }, { length: 4 }, 'ERR_SCALE_FN', 'scaleFn'],
  ['scaleFn returns a string', { ...ok, scaleFn: () => '1' }, { length: 4 }, 'ERR_SCALE_FN', 'scaleFn'],
  [
    'scaleFn throws',
    {
      ...ok,
      scaleFn: () => {
        throw new Error('no');
      },
    },
    { length: 4 },
    'ERR_SCALE_FN',
    'scaleFn',
  ],
  [
    'scaleFn overflows the lr',
    { ...ok, baseLr: 1e308, maxLr: 1.7e308, scaleFn: () => 1e10 },
    { length: 4 },
    'ERR_OVERFLOW',
    'maxLr',
  ],
  [
    'exp_range gamma ** t overflows',
    { ...ok, mode: 'exp_range', gamma: 1.5 },
    { length: 1800 },
    'ERR_OVERFLOW',
    'gamma',
  ],
  [
    'exp_range lr overflows',
    { ...ok, baseLr: 1, maxLr: 1e300, mode: 'exp_range', gamma: 1.5 },
    { length: 1700 },
    'ERR_OVERFLOW',
    'maxLr',
  ],
  [
    'total_size tiny: last_epoch / total_size overflows',
    { ...ok, stepSizeUp: 1e-310 },
    { start: 2 ** 40, length: 1 },
    'ERR_OVERFLOW',
    'stepSizeUp',
  ],
  ['libm unknown', { ...ok, libm: 'glibc' }, { length: 4 }, 'ERR_INVALID_OPTION', 'libm'],
  ['libm not a string', { ...ok, libm: 1 }, { length: 4 }, 'ERR_INVALID_OPTION', 'libm'],
  [
    'a DataView as a list',
    { ...ok, baseLr: new DataView(new ArrayBuffer(8)) },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'baseLr',
  ],
  ['a list item not a number', { ...ok, maxLr: [1, '2'] }, { length: 4 }, 'ERR_INVALID_OPTION', 'maxLr[1]'],
  [
    'a list item Infinity',
    { ...ok, baseMomentum: [0.8, Infinity] },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'baseMomentum[1]',
  ],
  ['a list an object', { ...ok, baseLr: { 0: 1, length: 1 } }, { length: 4 }, 'ERR_INVALID_OPTION', 'baseLr'],
  ['groups a string', { ...ok, groups: '2' }, { length: 4 }, 'ERR_INVALID_OPTION', 'groups'],
  ['groups 2^22 + 1', { ...ok, groups: 2 ** 22 + 1 }, { length: 0 }, 'ERR_INVALID_OPTION', 'groups'],
  ['stepSizeDown a string', { ...ok, stepSizeDown: '4' }, { length: 4 }, 'ERR_INVALID_OPTION', 'stepSizeDown'],
  ['gamma a string', { ...ok, gamma: '0.9' }, { length: 4 }, 'ERR_INVALID_OPTION', 'gamma'],
  ['gamma Infinity', { ...ok, gamma: Infinity }, { length: 4 }, 'ERR_INVALID_OPTION', 'gamma'],
  ['options an array', [ok], { length: 4 }, 'ERR_INVALID_OPTION', 'options'],
  ['options a number', 3, { length: 4 }, 'ERR_INVALID_OPTION', 'options'],
  [
    'a list whose length getter throws',
    { ...ok, baseLr: new Proxy([1], { get: (t, k) => (k === 'length' ? fail() : Reflect.get(t, k)) }) },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'baseLr',
  ],
  [
    'a list item getter throws',
    { ...ok, maxLr: new Proxy([1], { get: (t, k) => (k === '0' ? fail() : Reflect.get(t, k)) }) },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxLr[0]',
  ],
  [
    'options whose keys cannot be listed (a Proxy ownKeys trap throws)',
    new Proxy({ ...ok }, { ownKeys: () => fail() }),
    { length: 4 },
    'ERR_INVALID_OPTION',
    'options',
  ],
  [
    'maxLr - baseLr overflows in group 1 of 2',
    { ...ok, baseLr: [0.1, -1.7e308], maxLr: [1, 1.7e308] },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxLr[1] - baseLr[1]',
  ],
  [
    'maxMomentum - baseMomentum overflows (cycled)',
    { ...ok, baseMomentum: -1.7e308, maxMomentum: 1.7e308 },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxMomentum - baseMomentum',
  ],
  [
    'maxMomentum - baseMomentum overflows in group 1 of 2',
    { ...ok, baseMomentum: [0.8, -1.7e308], maxMomentum: [0.9, 1.7e308] },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'maxMomentum[1] - baseMomentum[1]',
  ],
  ['baseMomentum not a number', { ...ok, baseMomentum: 'x' }, { length: 4 }, 'ERR_INVALID_OPTION', 'baseMomentum'],
  ['maxMomentum an object', { ...ok, maxMomentum: {} }, { length: 4 }, 'ERR_INVALID_OPTION', 'maxMomentum'],
  ['mode a number with a scaleFn', { ...ok, mode: 3, scaleFn: () => 1 }, { length: 4 }, 'ERR_INVALID_OPTION', 'mode'],
  [
    'a list of 2^22 + 1 values (unread)',
    { ...ok, baseLr: new Proxy([0.1], { get: (t, k) => (k === 'length' ? 2 ** 22 + 1 : Reflect.get(t, k)) }) },
    { length: 4 },
    'ERR_INVALID_OPTION',
    'baseLr',
  ],
  ['window missing', ok, undefined, 'ERR_INVALID_WINDOW', 'window'],
  ['length missing', ok, {}, 'ERR_INVALID_WINDOW', 'length'],
  ['length negative', ok, { length: -1 }, 'ERR_INVALID_WINDOW', 'length'],
  ['length fractional', ok, { length: 2.5 }, 'ERR_INVALID_WINDOW', 'length'],
  ['start negative', ok, { start: -1, length: 2 }, 'ERR_INVALID_WINDOW', 'start'],
  ['start fractional', ok, { start: 0.5, length: 2 }, 'ERR_INVALID_WINDOW', 'start'],
  ['start past 2^53', ok, { start: 2 ** 53, length: 1 }, 'ERR_INVALID_WINDOW', 'start'],
  ['window end past 2^53 - 1', ok, { start: 2 ** 53 - 2, length: 3 }, 'ERR_INVALID_WINDOW', 'length'],
  ['backend unknown', ok, { length: 2, backend: 'gpu' }, 'ERR_INVALID_WINDOW', 'backend'],
  ['window unknown key', ok, { length: 2, lenght: 3 }, 'ERR_INVALID_WINDOW', 'lenght'],
  ['length 1e12', ok, { length: 1e12 }, 'ERR_WINDOW_TOO_LARGE', 'length'],
  ['groups 1e6 × length 1e4', { ...ok, groups: 1e6 }, { length: 1e4 }, 'ERR_WINDOW_TOO_LARGE', 'length'],
];

describe('schedule() refuses bad input with a typed CyclicLRError', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it.each(CASES)(`[${backend}] %s`, (_what, options, window, code, key) => {
      const w =
        window && typeof window === 'object' && 'length' in window && !('backend' in window)
          ? { ...window, backend }
          : window;
      const e = thrown(() => schedule(options, w));
      expect(e.code).toBe(code);
      expect(e.key).toBe(key);
      expect(e.name).toBe('CyclicLRError');
      expect(e).toBeInstanceOf(Error);
      expectNamed(e, key);
    });
  }

  it('an exp_range window ending just before the first overflowing t succeeds', () => {
    const o = { ...ok, mode: 'exp_range' as const, gamma: 1.5 };
    expect(() => schedule(o, { length: 1751 })).not.toThrow(); // t = 1750 is the last finite 1.5 ** t
    expect(thrown(() => schedule(o, { length: 1752 })).code).toBe('ERR_OVERFLOW');
  });

  it('accepts what PyTorch accepts: inverted and equal bounds, negative lrs, scale values outside [0, 1]', () => {
    for (const o of [
      { baseLr: 0.5, maxLr: 0.05 },
      { baseLr: 0.1, maxLr: 0.1 },
      { baseLr: -1, maxLr: -0.5 },
      { baseLr: 0.1, maxLr: 1, scaleFn: () => 1.5 },
      { baseLr: 0.1, maxLr: 1, scaleFn: () => -0.25 },
    ]) {
      const { lr } = schedule({ ...o, stepSizeUp: 2 }, { length: 10 });
      expect(lr[0].every(Number.isFinite)).toBe(true);
    }
  });
});

describe('what a throwing getter threw is part of the message', () => {
  const throwing = (v: unknown) =>
    Object.defineProperty({ ...ok }, 'gamma', {
      enumerable: true,
      get() {
        throw v;
      },
    });
  it.each([
    ['an Error: its name and message', new RangeError('boom'), 'RangeError: boom'],
    ['a string: as it is', 'plain words', 'plain words'],
    [
      'an object that cannot be printed',
      {
        toString() {
          throw new Error('no');
        },
      },
      'an unprintable value',
    ],
  ])('%s', (_, v, text) => {
    const e = thrown(() => schedule(throwing(v), { length: 1 }));
    expect(e.code).toBe('ERR_INVALID_OPTION');
    expect(e.message).toContain(text);
  });
});

describe('messages show what was refused', () => {
  it.each([
    ['the overflowing difference of the lr bounds', { ...ok, baseLr: -1.7e308, maxLr: 1.7e308 }, 'got Infinity'],
    [
      'the overflowing difference of the momentum bounds',
      { ...ok, baseMomentum: -1.7e308, maxMomentum: 1.7e308 },
      'got Infinity',
    ],
    ['the known keys, for an unknown one', { ...ok, stepsizeUp: 4 }, 'known keys: baseLr, maxLr, stepSizeUp'],
  ])('%s', (_, o, text) => {
    expect(thrown(() => schedule(o as any, { length: 1 })).message).toContain(text);
  });
});
