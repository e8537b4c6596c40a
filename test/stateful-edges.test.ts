// The edges a mutant of src/options.ts, src/plan.ts or src/cyclic-lr.ts survived before (issue 9, "Tests that
// can fail"), and momentum bounds when momentum is not cycled (issue 14 §3). Each row names its boundary.
import { describe, expect, it, vi } from 'vitest';
import { CyclicLR, CyclicLRError, schedule } from '../src/index.js';
import { codeNamed, expectNamed, sgd } from './helpers/code.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('momentum bounds when momentum is not cycled (PyTorch never subtracts them then)', () => {
  const big = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 4, baseMomentum: -1e308, maxMomentum: 1e308 };
  it("cycleMomentum false, maxMomentum - baseMomentum overflows: PyTorch's finite lrs, no momentum", () => {
    const r = schedule({ ...big, cycleMomentum: false }, { length: 3 });
    expect([...r.lr[0]]).toEqual([0.001, 0.025750000000000002, 0.0505]); // PyTorch 1.13
    expect(r.momentum).toBeNull();
    const opt = { paramGroups: [{ lr: 1 }] as Record<string, any>[] };
    const s = new CyclicLR(opt, { ...big, cycleMomentum: false });
    s.step();
    expect(opt.paramGroups[0].lr).toBe(0.025750000000000002);
  });

  it.each([
    ['cycled, the difference overflows', { ...big, cycleMomentum: true }],
    ['not cycled, a non-finite bound', { ...big, cycleMomentum: false, maxMomentum: Infinity }],
    ['not cycled, NaN', { ...big, cycleMomentum: false, baseMomentum: NaN }],
    ['not cycled, a list of the wrong length', { ...big, cycleMomentum: false, groups: 2, maxMomentum: [1, 2, 3] }],
    ['not cycled, not a number', { ...big, cycleMomentum: false, maxMomentum: '0.9' }],
  ])('%s: ERR_INVALID_OPTION', (_, o) => {
    expect(codeNamed(() => schedule(o as any, { length: 3 }))).toBe('ERR_INVALID_OPTION');
  });
});

describe(
  'the overflow bound counts the momentum terms ' + '(a value past the float64 range is refused, never written)',
  () => {
    it.each([
      // |maxMomentum - baseMomentum| · |s| passes the range while |maxMomentum| is small: the amplitude term
      ['the momentum amplitude', { baseMomentum: 1e299 - 1.7e308, maxMomentum: 1e299, scaleFn: () => 2 }],
      // |maxMomentum| is at the edge and a negative scale pushes past it: the base term
      [
        'the momentum bound',
        { baseMomentum: 1.7976931348623157e308 - 1e295, maxMomentum: 1.7976931348623157e308, scaleFn: () => -1 },
      ],
    ])('%s: ERR_OVERFLOW from schedule() (both backends) and step()', (_, m) => {
      const o = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 4, ...m };
      for (const backend of ['wasm', 'js'] as const) {
        expect(codeNamed(() => schedule(o, { length: 8, backend }))).toBe('ERR_OVERFLOW');
      }
      const s = new CyclicLR(sgd(), o);
      let c: string = 'none';
      for (let i = 0; i < 8 && c === 'none'; i++) c = codeNamed(() => s.step());
      expect(c).toBe('ERR_OVERFLOW');
      // without cycled momentum the same lrs are fine
      expect(codeNamed(() => schedule({ ...o, cycleMomentum: false }, { length: 8 }))).toBe('none');
    });
  },
);

describe('exp_range with gamma 0 (PyTorch: 0.0 ** t, a ZeroDivisionError for t < 0)', () => {
  it('t = 0 is 0 ** 0 = 1; t = -1 is ERR_OVERFLOW (step(epoch), and resuming below 0)', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const o = { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode: 'exp_range', gamma: 0 } as const;
    const s = new CyclicLR(sgd(), o);
    expect(s.getLastLr()).toEqual([schedule(o, { length: 1 }).lr[0][0]]);
    expect(codeNamed(() => s.step(-1))).toBe('ERR_OVERFLOW');
    expect(codeNamed(() => s.step(0))).toBe('none');
    expect(s.getLastLr()).toEqual([0.1]);
    s.step(1); // 0 ** 1 = 0: lr is base_lr
    expect(s.getLastLr()).toEqual([0.1]);
    const opt = { paramGroups: [{ lr: 0.1, momentum: 0.9, initialLr: 0.1 }] };
    expect(codeNamed(() => new CyclicLR(opt, { ...o, lastEpoch: -3 }))).toBe('ERR_OVERFLOW'); // steps to t = -2
    expect(codeNamed(() => new CyclicLR(opt, { ...o, lastEpoch: -2 }))).toBe('ERR_OVERFLOW'); // t = -1
    expect(codeNamed(() => new CyclicLR(opt, { ...o, lastEpoch: -1 }))).toBe('none'); // fresh: t = 0
    vi.restoreAllMocks();
  });
});

describe('lastEpoch at ±(2^53 - 1), the last iteration float64 counts exactly', () => {
  const o = { baseLr: 0.1, maxLr: 1, stepSizeUp: 3 };
  const resumed = (lastEpoch: number) =>
    new CyclicLR({ paramGroups: [{ lr: 0.1, momentum: 0.9, initialLr: 0.1 }] }, { ...o, lastEpoch });
  it.each([MAX, -MAX, MAX + 1, 2 ** 60, -Infinity])('lastEpoch %d is refused: ERR_INVALID_OPTION', (e) => {
    expect(codeNamed(() => resumed(e))).toBe('ERR_INVALID_OPTION');
  });

  it.each(['wasm', 'js'] as const)(
    'lastEpoch 2^53 - 2 resumes to t = 2^53 - 1 with its exact lr (%s), and one more step is ERR_OVERFLOW',
    (backend) => {
      const opt = { paramGroups: [{ lr: 0.1, momentum: 0.9, initialLr: 0.1 }] as Record<string, any>[] };
      const s = new CyclicLR(opt, { ...o, lastEpoch: MAX - 1, backend });
      expect(s.lastEpoch).toBe(MAX);
      const d = schedule(o, { start: MAX, length: 1 });
      expect(typeof opt.paramGroups[0].lr).toBe('number');
      expect(Object.is(opt.paramGroups[0].lr, d.lr[0][0])).toBe(true);
      expect(Object.is(opt.paramGroups[0].momentum, d.momentum![0][0])).toBe(true);
      expect(s.getLastLr()).toEqual([d.lr[0][0]]);
      expect(s.peek(0).lr[0].length).toBe(0);
      expect(codeNamed(() => s.step())).toBe('ERR_OVERFLOW');
    },
  );

  it('lastEpoch -(2^53 - 2) resumes to -(2^53 - 3) (a negative epoch PyTorch takes) with finite values', () => {
    const opt = { paramGroups: [{ lr: 0.1, momentum: 0.9, initialLr: 0.1 }] as Record<string, any>[] };
    const s = new CyclicLR(opt, { ...o, lastEpoch: -(MAX - 1) });
    expect(s.lastEpoch).toBe(-(MAX - 2));
    expect(Number.isFinite(opt.paramGroups[0].lr)).toBe(true);
  });

  it('stepping across a block boundary up to 2^53 - 1 gives the dense values at every step', () => {
    const opt = { paramGroups: [{ lr: 0.1, momentum: 0.9, initialLr: 0.1 }] as Record<string, any>[] };
    const s = new CyclicLR(opt, { ...o, lastEpoch: MAX - 301 });
    const d = schedule(o, { start: MAX - 300, length: 301 });
    for (let i = 0; i < 301; i++) {
      expect(Object.is(opt.paramGroups[0].lr, d.lr[0][i])).toBe(true);
      if (i < 300) s.step();
    }
    expect(s.lastEpoch).toBe(MAX);
  });
});

describe('options as the constructor resolves them', () => {
  it.each([
    ['options an array', [{ baseLr: 0.1, maxLr: 1 }], 'options'],
    ['groups ≠ the optimizer', { baseLr: 0.1, maxLr: 1, groups: 3 }, 'groups'],
  ])('%s: ERR_INVALID_OPTION naming %s', (_, o, key) => {
    let err: unknown;
    try {
      new CyclicLR(sgd(2), o as any);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CyclicLRError);
    expect((err as CyclicLRError).code).toBe('ERR_INVALID_OPTION');
    expect((err as CyclicLRError).key).toBe(key);
    expectNamed(err as CyclicLRError, key);
  });

  it('groups equal to the optimizer are accepted; the unknown-key message lists lastEpoch and backend too', () => {
    expect(new CyclicLR(sgd(2), { baseLr: 0.1, maxLr: 1, groups: 2 }).getLastLr()).toEqual([0.1, 0.1]);
    let msg = '';
    try {
      new CyclicLR(sgd(2), { baseLr: 0.1, maxLr: 1, lastepoch: 3 } as any);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('libm, lastEpoch, backend');
  });

  it.each([
    ['exp_range', { mode: 'exp_range', gamma: 0.9, scaleMode: 'cycle' }, 'iterations'],
    ['triangular', { mode: 'triangular', scaleMode: 'iterations' }, 'cycle'],
    ['triangular2', { mode: 'triangular2', scaleMode: 'iterations' }, 'cycle'],
    ['a custom scaleFn', { scaleFn: () => 1, scaleMode: 'iterations' }, 'iterations'],
  ])('%s: scale_mode %s is forced as PyTorch forces it', (_, extra, mode) => {
    const s = new CyclicLR(sgd(1), { baseLr: 0.1, maxLr: 1, ...extra } as any);
    expect(s.stateDict().scale_mode).toBe(mode);
  });

  it('typed arrays are lists (a DataView is not)', () => {
    const r = schedule({ baseLr: new Float64Array([0.1, 0.2]), maxLr: Float32Array.of(1, 2) } as any, { length: 1 });
    expect([r.lr[0][0], r.lr[1][0]]).toEqual([0.1, 0.2]);
  });
});
