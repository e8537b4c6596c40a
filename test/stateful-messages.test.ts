// CyclicLR's refusals say what was refused: each message names the option (or group and key), the rule in words
// and the value it got. One table per family of messages; the words checked are the rule's, not the full text.
import { describe, expect, it, vi } from 'vitest';
import { CyclicLR, type CyclicLRErrorCode } from '../src/index.js';
import { MAX_GROUPS } from '../src/options.js';
import { sgd, thrown } from './helpers/code.js';

const O = { baseLr: 0.1, maxLr: 1 };
const boom = (): never => {
  throw new RangeError('boom');
};
/** an object whose `key` getter throws RangeError: boom */
const throwingGetter = (o: object, key: string) => Object.defineProperty(o, key, { get: boom, enumerable: true });
/** after construction (at lastEpoch 0), a change to the optimizer, then `act` */
const later = (change: (opt: ReturnType<typeof sgd>) => void, act: (s: CyclicLR) => unknown, extra = {}) => {
  const opt = sgd(2);
  const s = new CyclicLR(opt, { ...O, ...extra });
  change(opt);
  return () => act(s);
};

type Row = [string, () => unknown, CyclicLRErrorCode, string, string[]];

describe('constructor, step() and the optimizer: code, key, a message naming the key, the rule and the value', () => {
  const ROWS: Row[] = [
    [
      'lastEpoch a string',
      () => new CyclicLR(sgd(), { ...O, lastEpoch: '3' as any }),
      'ERR_INVALID_OPTION',
      'lastEpoch',
      ['lastEpoch must be a number', '2^53 - 1', 'got "3"'],
    ],
    [
      'lastEpoch 2^53',
      () => new CyclicLR(sgd(), { ...O, lastEpoch: 2 ** 53 }),
      'ERR_INVALID_OPTION',
      'lastEpoch',
      ['lastEpoch must be', 'start fresh', `got ${2 ** 53}`],
    ],
    [
      'backend unknown',
      () => new CyclicLR(sgd(), { ...O, backend: 'gpu' as any }),
      'ERR_INVALID_OPTION',
      'backend',
      ["backend must be 'wasm' or 'js'", 'got "gpu"'],
    ],
    [
      'optimizer null',
      () => new CyclicLR(null as any, O),
      'ERR_OPTIMIZER',
      'optimizer',
      ['optimizer must be an object with paramGroups', 'got null'],
    ],
    [
      'optimizer a number',
      () => new CyclicLR(3 as any, O),
      'ERR_OPTIMIZER',
      'optimizer',
      ['optimizer must be', 'got 3'],
    ],
    [
      'paramGroups getter throws',
      () => new CyclicLR(throwingGetter({}, 'paramGroups') as any, O),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['optimizer.paramGroups could not be read', 'RangeError: boom'],
    ],
    [
      'paramGroups empty',
      () => new CyclicLR({ paramGroups: [] }, O),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['optimizer.paramGroups must be a non-empty array', 'got an array of 0'],
    ],
    [
      'paramGroups not an array',
      () => new CyclicLR({ paramGroups: 5 } as any, O),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['paramGroups must be a non-empty array', 'got 5'],
    ],
    [
      'paramGroups past the cap',
      () =>
        new CyclicLR(
          { paramGroups: new Proxy([], { get: (t, k) => (k === 'length' ? MAX_GROUPS + 1 : Reflect.get(t, k)) }) },
          O,
        ),
      'ERR_OPTIMIZER',
      'paramGroups',
      [`paramGroups must have at most ${MAX_GROUPS} groups`, `got ${MAX_GROUPS + 1}`],
    ],
    [
      'a group whose read throws',
      () => new CyclicLR({ paramGroups: throwingGetter([{ lr: 1, momentum: 0.9 }], '1') } as any, O),
      'ERR_OPTIMIZER',
      'paramGroups[1]',
      ['paramGroups[1] could not be read', 'RangeError: boom'],
    ],
    [
      'a group not an object',
      () => new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9 }, 3] } as any, O),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['paramGroups[1] must be an object', 'got 3'],
    ],
    [
      'a group an array',
      () => new CyclicLR({ paramGroups: [[]] } as any, O),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['paramGroups[0] must be an object', 'got an array of 0'],
    ],
    [
      'an SGD-like group without momentum',
      () => new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9 }, { lr: 1 }] }, O),
      'ERR_OPTIMIZER',
      'cycleMomentum',
      ['paramGroups[1] must have momentum (or betas', 'when cycleMomentum is true'],
    ],
    [
      'an Adam-like group without betas',
      () => new CyclicLR({ paramGroups: [{ lr: 1, betas: [0.9, 0.99] }, { lr: 1 }] }, O),
      'ERR_OPTIMIZER',
      'cycleMomentum',
      ['paramGroups[1] must have betas (like paramGroups[0])', 'when cycleMomentum is true'],
    ],
    [
      'resuming without initialLr',
      () => new CyclicLR(sgd(), { ...O, lastEpoch: 5 }),
      'ERR_OPTIMIZER',
      'initialLr',
      ['paramGroups[0].initialLr is required when resuming with lastEpoch 5', 'initial_lr'],
    ],
    [
      'initialLr not a number',
      () => new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9, initialLr: 'x' as any }] }, O),
      'ERR_OPTIMIZER',
      'initialLr',
      ['paramGroups[0].initialLr must be a finite number', 'got "x"'],
    ],
    [
      'initialLr whose read throws',
      () => new CyclicLR({ paramGroups: [throwingGetter({ lr: 1, momentum: 0.9 }, 'initialLr')] } as any, O),
      'ERR_OPTIMIZER',
      'initialLr',
      ['paramGroups[0].initialLr could not be read', 'RangeError: boom'],
    ],
    [
      'a group whose `in` throws',
      () => new CyclicLR({ paramGroups: [new Proxy({ lr: 1 }, { has: boom })] }, O),
      'ERR_OPTIMIZER',
      'momentum',
      ['paramGroups[0] could not be read (momentum)', 'RangeError: boom'],
    ],
    [
      'a group pushed after construction',
      later(
        (opt) => opt.paramGroups.push({ lr: 1, momentum: 1 }),
        (s) => s.step(),
      ),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['optimizer.paramGroups has 3 groups', 'built for 2', 'make a new CyclicLR', 'nothing was changed'],
    ],
    [
      'a group frozen after construction: momentum',
      later(
        (opt) => Object.freeze(opt.paramGroups[1]),
        (s) => s.step(),
      ),
      'ERR_OPTIMIZER',
      'momentum',
      ['paramGroups[1].momentum could not be written', 'TypeError', 'no param group was changed'],
    ],
    [
      'a group frozen after construction: lr',
      later(
        (opt) => Object.freeze(opt.paramGroups[1]),
        (s) => s.step(),
        { cycleMomentum: false },
      ),
      'ERR_OPTIMIZER',
      'lr',
      ['paramGroups[1].lr could not be written', 'TypeError', 'no param group was changed'],
    ],
    [
      'betas taken away after construction',
      () => {
        const opt = { paramGroups: [{ lr: 1, betas: [0.9, 0.99] as unknown }] };
        const s = new CyclicLR(opt as any, O);
        opt.paramGroups[0].betas = [];
        return s.step();
      },
      'ERR_OPTIMIZER',
      'betas',
      ['paramGroups[0].betas could not be written', 'betas is not a non-empty array'],
    ],
    [
      'step(epoch) with a string',
      later(
        () => undefined,
        (s) => s.step('3' as any),
      ),
      'ERR_INVALID_OPTION',
      'epoch',
      ['epoch must be a number', 'got "3"'],
    ],
    [
      'step(Infinity)',
      later(
        () => undefined,
        (s) => s.step(Infinity),
      ),
      'ERR_OVERFLOW',
      'epoch',
      ['lastEpoch Infinity is not finite', 'math.floor'],
    ],
    [
      'step(2^60)',
      later(
        () => undefined,
        (s) => s.step(2 ** 60),
      ),
      'ERR_OVERFLOW',
      'epoch',
      [`lastEpoch ${2 ** 60} is past 2^53 - 1`, 'float64'],
    ],
  ];
  it.each(ROWS)('%s', (_what, f, code, key, words) => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const e = thrown(f);
    expect([e.code, e.key]).toEqual([code, key]);
    for (const w of words) expect(e.message).toContain(w);
    vi.restoreAllMocks();
  });
});
