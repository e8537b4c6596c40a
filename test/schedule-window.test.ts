// schedule()'s window and result contract (src/schedule.ts): each refusal's code, key, and a message naming the
// key, the rule and the value; the edges of the rules accepted; `out` checked for its shape; a value past the
// result's range named by key, group and t. One table per family of messages.
import { describe, expect, it, vi } from 'vitest';
import {
  CyclicLR,
  schedule,
  scheduleChunks,
  scheduleParallel,
  type CyclicLRErrorCode,
  type Window,
} from '../src/index.js';
import { sgd, thrown } from './helpers/code.js';

const MAX = Number.MAX_SAFE_INTEGER;
const o = { baseLr: [0.001, 0.01], maxLr: [0.006, 0.1], stepSizeUp: 4 };
const earlier = (length: number, options: object = o) => schedule(options as typeof o, { length });

describe.each(['wasm', 'js'] as const)(
  '[%s] a bad window: code, key, and the message naming key, rule and value',
  (backend) => {
    const ROWS: [string, unknown, CyclicLRErrorCode, string, string[]][] = [
      [
        'window null',
        null,
        'ERR_INVALID_WINDOW',
        'window',
        ['window must be an object { start, length, backend }', 'got null'],
      ],
      ['window an array', [], 'ERR_INVALID_WINDOW', 'window', ['window must be an object', 'got an array of 0']],
      ['window a number', 5, 'ERR_INVALID_WINDOW', 'window', ['window must be an object', 'got 5']],
      [
        'an unknown key',
        { length: 2, lenght: 3 },
        'ERR_INVALID_WINDOW',
        'lenght',
        ['window has an unknown key "lenght"', 'known keys: start, length, backend, dtype, out'],
      ],
      [
        'start negative',
        { start: -1, length: 2 },
        'ERR_INVALID_WINDOW',
        'start',
        ['start must be a whole number in [0, 2^53 - 1]', 'got -1'],
      ],
      [
        'start fractional',
        { start: 1.5, length: 2 },
        'ERR_INVALID_WINDOW',
        'start',
        ['start must be a whole number', 'got 1.5'],
      ],
      [
        'start a string',
        { start: '1', length: 2 },
        'ERR_INVALID_WINDOW',
        'start',
        ['start must be a whole number', 'got "1"'],
      ],
      ['length missing', {}, 'ERR_INVALID_WINDOW', 'length', ['length must be a whole number ≥ 0', 'got undefined']],
      [
        'length negative',
        { length: -1 },
        'ERR_INVALID_WINDOW',
        'length',
        ['length must be a whole number ≥ 0', 'got -1'],
      ],
      [
        'length fractional',
        { length: 2.5 },
        'ERR_INVALID_WINDOW',
        'length',
        ['length must be a whole number ≥ 0', 'got 2.5'],
      ],
      [
        'length a string',
        { length: '2' },
        'ERR_INVALID_WINDOW',
        'length',
        ['length must be a whole number ≥ 0', 'got "2"'],
      ],
      [
        'the end past 2^53 - 1',
        { start: MAX - 1, length: 3 },
        'ERR_INVALID_WINDOW',
        'length',
        ['start + length - 1 must be ≤ 2^53 - 1', `got start ${MAX - 1} and length 3`],
      ],
      [
        'dtype unknown',
        { length: 2, dtype: 'float16' },
        'ERR_INVALID_WINDOW',
        'dtype',
        ["dtype must be 'float64' or 'float32'", 'got "float16"'],
      ],
      [
        'out a number',
        { length: 2, out: 3 },
        'ERR_INVALID_WINDOW',
        'out',
        ['out must be an earlier result { lr, momentum }', 'got 3'],
      ],
      [
        'out of another length',
        { length: 11, out: earlier(10) },
        'ERR_INVALID_WINDOW',
        'out',
        ['out must be a float64 result of 2 groups × 11 iterations with momentum'],
      ],
      [
        'out without momentum for a result with',
        { length: 10, out: earlier(10, { ...o, cycleMomentum: false }) },
        'ERR_INVALID_WINDOW',
        'out',
        ['out must be a float64 result of 2 groups × 10 iterations with momentum'],
      ],
      [
        'out of float64 for float32',
        { length: 10, dtype: 'float32', out: earlier(10) },
        'ERR_INVALID_WINDOW',
        'out',
        ['out must be a float32 result of 2 groups × 10 iterations'],
      ],
      [
        'out with one row too few',
        { length: 10, out: { ...earlier(10), lr: earlier(10).lr.slice(1) } },
        'ERR_INVALID_WINDOW',
        'out',
        ['out must be a float64 result of 2 groups'],
      ],
      [
        'out with a row of plain numbers',
        {
          length: 2,
          out: {
            lr: [
              [0, 0],
              [0, 0],
            ],
            momentum: earlier(2).momentum,
          },
        },
        'ERR_INVALID_WINDOW',
        'out',
        ['out must be a float64 result'],
      ],
    ];
    it.each(ROWS)('%s', (_what, window, code, key, words) => {
      const w = window && typeof window === 'object' && !Array.isArray(window) ? { ...window, backend } : window;
      const e = thrown(() => schedule(o, w as any));
      expect([e.code, e.key]).toEqual([code, key]);
      for (const word of words) expect(e.message).toContain(word);
    });

    it('backend unknown: ERR_INVALID_WINDOW naming backend and the value', () => {
      const e = thrown(() => schedule(o, { length: 2, backend: 'gpu' as any }));
      expect([e.code, e.key]).toEqual(['ERR_INVALID_WINDOW', 'backend']);
      expect(e.message).toContain("backend must be 'wasm' or 'js', got \"gpu\"");
    });

    it.each([
      ['a window ending at 2^53 - 1', { start: MAX - 2, length: 3 }, 3],
      ['an empty window at 2^53 - 1', { start: MAX, length: 0 }, 0],
      ['start omitted (0)', { length: 2 }, 2],
      ['out undefined (allocates)', { length: 2, out: undefined }, 2],
      ['out null (allocates)', { length: 2, out: null }, 2],
    ])('accepted: %s', (_what, window, n) => {
      const r = schedule(o, { ...window, backend } as Window);
      expect(r.lr.map((row) => row.length)).toEqual([n, n]);
    });

    it('out without momentum for a result without momentum is written and returned', () => {
      const noMom = { ...o, cycleMomentum: false };
      const first = earlier(10, noMom);
      expect(schedule(noMom, { length: 10, start: 3, backend, out: first })).toBe(first);
      expect(first.momentum).toBeNull();
    });
  },
);

describe.each(['wasm', 'js'] as const)(
  '[%s] a value past the range: ERR_OVERFLOW naming the key, group and t',
  (backend) => {
    it.each([
      [
        'lr of group 1 past float32',
        { baseLr: [0.1, 1e39], maxLr: [1, 1e39] },
        'float32',
        'maxLr',
        ['lr of group 1 overflows to Infinity at t = 8', 'float32 range'],
      ],
      [
        'momentum of group 1 past float32',
        { baseLr: 0.1, maxLr: 1, groups: 2, baseMomentum: [0.8, 1e39], maxMomentum: [0.9, 1e39] },
        'float32',
        'maxMomentum',
        ['momentum of group 1 overflows to Infinity at t = 8', 'float32 range'],
      ],
      [
        'lr of group 0 past float64',
        { baseLr: 0, maxLr: 1e300, stepSizeUp: 4, scaleFn: () => 1e300, scaleMode: 'iterations' },
        'float64',
        'maxLr',
        ['lr of group 0 overflows to Infinity at t = 9', 'float64 range'],
      ],
    ] as const)('%s', (_what, options, dtype, key, words) => {
      // t = 8 starts cycle 2 (factor 0): a scaled lr overflows only from t = 9
      const e = thrown(() => schedule(options as any, { start: 8, length: 3, backend, dtype }));
      expect([e.code, e.key]).toEqual(['ERR_OVERFLOW', key]);
      for (const word of words) expect(e.message).toContain(word);
    });
  },
);

describe('a result past 4 GiB is refused before planning or allocating: schedule() and CyclicLR.peek()', () => {
  it('2 groups × 2^28 iterations with momentum in float64 (8 GiB): ERR_WINDOW_TOO_LARGE naming the size', () => {
    const e = thrown(() => schedule(o, { length: 2 ** 28, backend: 'js' }));
    expect([e.code, e.key]).toEqual(['ERR_WINDOW_TOO_LARGE', 'length']);
    expect(e.message).toContain(`2 groups × ${2 ** 28} iterations need ${2 * 2 ** 28 * 8 * 2} bytes`);
  });

  it.each([
    ['wasm', 0],
    ['js', 0],
    ['wasm', 0.5],
    ['js', 0.5],
  ] as const)(
    '[%s] peek(2^33) of 2 groups with momentum at lastEpoch %d: ERR_WINDOW_TOO_LARGE naming the bytes',
    (backend, epoch) => {
      vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const s = new CyclicLR(sgd(2), { ...o, backend });
      if (epoch) s.step(epoch); // a fractional lastEpoch: peek's step-by-step path
      // 2^33: more values than a typed array holds, so a missing check fails at once instead of allocating
      const e = thrown(() => s.peek(2 ** 33));
      expect([e.code, e.key]).toEqual(['ERR_WINDOW_TOO_LARGE', 'n']);
      expect(e.message).toContain(`peek(${2 ** 33}) of 2 groups needs ${2 * 2 ** 33 * 8 * 2} bytes`);
      vi.restoreAllMocks();
    },
  );
});

describe('out is read like an option: a getter that throws is named', () => {
  it.each(['lr', 'momentum'])('out.%s whose read throws', (key) => {
    const out = Object.defineProperty({ lr: [], momentum: [] }, key, {
      get: () => {
        throw new RangeError('boom');
      },
    });
    const e = thrown(() => schedule(o, { length: 2, out: out as any }));
    expect(e.key).toBe(`out.${key}`);
    expect(e.message).toContain(`out.${key} could not be read: RangeError: boom`);
  });

  it('out with momentum for a result without: named "without momentum"', () => {
    const e = thrown(() => schedule({ ...o, cycleMomentum: false }, { length: 10, out: earlier(10) }));
    expect([e.code, e.key]).toEqual(['ERR_INVALID_WINDOW', 'out']);
    expect(e.message).toContain('2 groups × 10 iterations without momentum');
  });

  it('out with one row right and one of another length: refused', () => {
    const { lr, momentum } = earlier(10);
    const e = thrown(() => schedule(o, { length: 10, out: { lr: [lr[0], new Float64Array(9)], momentum } }));
    expect([e.code, e.key]).toEqual(['ERR_INVALID_WINDOW', 'out']);
  });

  it('a window whose keys cannot be listed: named window', () => {
    const w = new Proxy(
      { length: 2 },
      {
        ownKeys: () => {
          throw new RangeError('boom');
        },
      },
    );
    const e = thrown(() => schedule(o, w));
    expect([e.code, e.key]).toEqual(['ERR_INVALID_WINDOW', 'window']);
    expect(e.message).toContain('window could not be read: RangeError: boom');
  });

  it.each([
    ['start', 'start'],
    ['length', 'length'],
    ['out', 'out'],
  ])('a window whose %s getter throws: ERR_INVALID_WINDOW naming %s', (key, named) => {
    const w = Object.defineProperty({ length: 2 }, key, {
      enumerable: true,
      get() {
        throw new RangeError('boom');
      },
    });
    const e = thrown(() => schedule(o, w));
    expect([e.code, e.key]).toEqual(['ERR_INVALID_WINDOW', named]);
  });

  it('scheduleChunks, scheduleParallel: a throwing chunkLength or threads getter is ERR_INVALID_WINDOW', async () => {
    const throwing = (key: string) =>
      Object.defineProperty({ length: 4 }, key, {
        enumerable: true,
        get() {
          throw new RangeError('boom');
        },
      });
    const c = thrown(() => [...scheduleChunks(o, throwing('chunkLength'))]);
    expect([c.code, c.key]).toEqual(['ERR_INVALID_WINDOW', 'chunkLength']);
    const p = await scheduleParallel(o, throwing('threads')).catch((e) => e);
    expect([p.code, p.key]).toEqual(['ERR_INVALID_WINDOW', 'threads']);
  });

  it('out whose lr getter throws: ERR_INVALID_WINDOW naming out.lr', () => {
    const out = Object.defineProperty({ momentum: null }, 'lr', {
      get() {
        throw new RangeError('boom');
      },
    });
    const e = thrown(() => schedule(o, { length: 2, out: out as never }));
    expect([e.code, e.key]).toEqual(['ERR_INVALID_WINDOW', 'out.lr']);
  });
});

describe('values at the edge of the range are written (the scan for non-finite values finds none)', () => {
  it('lr up to 1e300 without momentum: the bound reaches the limit, every value is finite', () => {
    const { lr, momentum } = schedule({ baseLr: 0, maxLr: 1e300, stepSizeUp: 2, cycleMomentum: false }, { length: 4 });
    expect(momentum).toBeNull();
    expect(Array.from(lr[0])).toEqual([0, 5e299, 1e300, 5e299]);
  });
});
