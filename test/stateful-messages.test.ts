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
      'a group null',
      () => new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9 }, null] } as any, O),
      'ERR_OPTIMIZER',
      'paramGroups',
      ['paramGroups[1] must be an object', 'got null'],
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
      'an Adam-like group with empty betas',
      () => new CyclicLR({ paramGroups: [{ lr: 1, betas: [] }] }, O),
      'ERR_OPTIMIZER',
      'cycleMomentum',
      ['paramGroups[0] must have betas', 'when cycleMomentum is true'],
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
      'initialLr NaN',
      () => new CyclicLR({ paramGroups: [{ lr: 1, momentum: 0.9, initialLr: NaN }] }, O),
      'ERR_OPTIMIZER',
      'initialLr',
      ['paramGroups[0].initialLr must be a finite number', 'got NaN'],
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

/** a loaded state: stateDict() of a 2-group SGD scheduler after one step, through JSON */
const good = () => {
  const s = new CyclicLR(sgd(2), { ...O, stepSizeUp: 3 });
  s.step();
  return JSON.parse(JSON.stringify(s.stateDict()));
};
/** `loadStateDict(state)` into a fresh 2-group scheduler (momentum groups unless `groups` says otherwise) */
const load =
  (state: unknown, extra = {}, groups = sgd(2)) =>
  () =>
    new CyclicLR(groups, { ...O, ...extra }).loadStateDict(state);
const custom = () => Object.assign((x: number) => 1 / x, { k: 1 });
const adam2 = () => ({ paramGroups: [0, 1].map(() => ({ lr: 1, betas: [0.9, 0.99] })) });

describe('loadStateDict / loadStateDictJSON: ERR_INVALID_STATE naming the state key, the rule and the value', () => {
  const ROWS: [string, () => unknown, string, string[]][] = [
    ['state a string', load('state'), 'state', ['state must be an object (a stateDict())', 'got "state"']],
    ['state an array', load([]), 'state', ['state must be an object', 'got an array of 0']],
    [
      'state JSON not a string',
      () => new CyclicLR(sgd(), O).loadStateDictJSON(3 as any),
      'state',
      ['state JSON must be a string', 'got 3'],
    ],
    [
      'a key whose read throws',
      load(throwingGetter(good(), 'gamma')),
      'gamma',
      ['state.gamma could not be read', 'RangeError: boom'],
    ],
    [
      'a key missing',
      load({ ...good(), max_lrs: undefined, base_lrs: undefined }),
      'base_lrs',
      ['state.base_lrs must be a list of 2 finite numbers (one per param group)', 'got undefined'],
    ],
    [
      'base_lrs absent',
      load((({ base_lrs, ...st }) => st)(good())),
      'base_lrs',
      ['state.base_lrs is missing', 'not a CyclicLR state dict'],
    ],
    [
      'max_lrs of another length',
      load({ ...good(), max_lrs: [1] }),
      'max_lrs',
      ['state.max_lrs must be a list of 2 finite numbers', 'got an array of 1'],
    ],
    [
      'an item not finite',
      load({ ...good(), base_lrs: [0.1, NaN] }),
      'base_lrs[1]',
      ['state.base_lrs[1] must be a finite number', 'got NaN'],
    ],
    [
      'max_lrs - base_lrs overflowing',
      load({ ...good(), base_lrs: [0.1, -1.7e308], max_lrs: [1, 1.7e308] }),
      'max_lrs[1] - base_lrs[1]',
      ['state.max_lrs[1] - base_lrs[1] must be a finite number', 'got Infinity'],
    ],
    [
      'total_size 0',
      load({ ...good(), total_size: 0 }),
      'total_size',
      ['state.total_size must be a positive finite number', 'got 0'],
    ],
    [
      'total_size Infinity',
      load({ ...good(), total_size: Infinity }),
      'total_size',
      ['state.total_size must be a positive finite number', 'got Infinity'],
    ],
    [
      'step_ratio 1.5',
      load({ ...good(), step_ratio: 1.5 }),
      'step_ratio',
      ['state.step_ratio must be a number in (0, 1]', 'got 1.5'],
    ],
    [
      'step_ratio a string',
      load({ ...good(), step_ratio: '0.5' }),
      'step_ratio',
      ['state.step_ratio must be a number in (0, 1]', 'got "0.5"'],
    ],
    [
      'step_ratio 0',
      load({ ...good(), step_ratio: 0 }),
      'step_ratio',
      ['state.step_ratio must be a number in (0, 1]', 'got 0'],
    ],
    ['mode a number', load({ ...good(), mode: 3 }), 'mode', ['state.mode must be a string', 'got 3']],
    [
      'mode unknown',
      load({ ...good(), mode: 'CATS' }),
      'mode',
      ["state.mode must be 'triangular', 'triangular2' or 'exp_range' (no scaleFn)", 'got "CATS"'],
    ],
    ['gamma a string', load({ ...good(), gamma: '1' }), 'gamma', ['state.gamma must be a finite number', 'got "1"']],
    [
      'scale_mode unknown',
      load({ ...good(), scale_mode: 'bogus' }),
      'scale_mode',
      ["state.scale_mode must be 'cycle' or 'iterations'", 'got "bogus"'],
    ],
    [
      'cycle_momentum a number',
      load({ ...good(), cycle_momentum: 1 }),
      'cycle_momentum',
      ['state.cycle_momentum must be true or false', 'got 1'],
    ],
    [
      'use_beta1 a string',
      load({ ...good(), use_beta1: 'yes' }),
      'use_beta1',
      ['state.use_beta1 must be true or false', 'got "yes"'],
    ],
    [
      'use_beta1 with momentum groups',
      load({ ...good(), use_beta1: true }),
      'cycle_momentum',
      ['state.cycle_momentum needs betas in paramGroups[0]', 'got true'],
    ],
    [
      'use_beta1 false with Adam-like groups',
      load({ ...good(), use_beta1: false }, {}, adam2()),
      'cycle_momentum',
      ['state.cycle_momentum needs momentum in paramGroups[0]', 'got true'],
    ],
    [
      'max_momentums - base_momentums overflowing',
      load({ ...good(), base_momentums: [0.8, -1.7e308], max_momentums: [0.9, 1.7e308] }),
      'max_momentums[1] - base_momentums[1]',
      ['state.max_momentums[1] - base_momentums[1] must be a finite number', 'got Infinity'],
    ],
    [
      'last_epoch null',
      load({ ...good(), last_epoch: null }),
      'last_epoch',
      ['state.last_epoch must be a finite number', 'got null'],
    ],
    [
      '_step_count negative',
      load({ ...good(), _step_count: -1 }),
      '_step_count',
      ['state._step_count must be a whole number ≥ 0', 'got -1'],
    ],
    [
      '_step_count fractional',
      load({ ...good(), _step_count: 1.5 }),
      '_step_count',
      ['state._step_count must be a whole number ≥ 0', 'got 1.5'],
    ],
    [
      '_scale_fn_custom a number',
      load({ ...good(), _scale_fn_custom: 3 }, { scaleFn: custom() }),
      '_scale_fn_custom',
      ["state._scale_fn_custom must be null or an object of the scaleFn's fields", 'got 3'],
    ],
    [
      '_scale_fn_custom an array',
      load({ ...good(), _scale_fn_custom: [1] }, { scaleFn: custom() }),
      '_scale_fn_custom',
      ["state._scale_fn_custom must be null or an object of the scaleFn's fields", 'got an array of 1'],
    ],
    [
      '_scale_fn_custom without a scaleFn',
      load({ ...good(), _scale_fn_custom: { k: 2 } }),
      '_scale_fn_custom',
      ['state._scale_fn_custom holds scaleFn fields but this scheduler has no scaleFn', 'got an object'],
    ],
    [
      'a reserved field',
      load(
        JSON.parse('{"_scale_fn_custom": {"__proto__": 1}}'.replace('{', `${JSON.stringify(good()).slice(0, -1)},`)),
        { scaleFn: custom() },
      ),
      '_scale_fn_custom.__proto__',
      ['state._scale_fn_custom.__proto__ is not a field a scaleFn may take', 'got "__proto__"'],
    ],
    [
      'a constructor field (JSON)',
      load(JSON.parse(JSON.stringify({ ...good(), _scale_fn_custom: { constructor: 1 } })), { scaleFn: custom() }),
      '_scale_fn_custom.constructor',
      ['state._scale_fn_custom.constructor is not a field a scaleFn may take', 'got "constructor"'],
    ],
    [
      'a state whose keys cannot be listed',
      load(new Proxy(good(), { ownKeys: boom })),
      'state',
      ['state could not be read', 'RangeError: boom'],
    ],
    [
      'a _scale_fn_custom whose keys cannot be listed',
      load(
        { ...good(), _scale_fn_custom: new Proxy({ k: 2 }, { getOwnPropertyDescriptor: boom }) },
        { scaleFn: custom() },
      ),
      '_scale_fn_custom',
      ['state._scale_fn_custom could not be read', 'RangeError: boom'],
    ],
    [
      'a scaleFn whose own properties cannot be read',
      load(
        { ...good(), _scale_fn_custom: { k: 2 } },
        { scaleFn: new Proxy(custom(), { getOwnPropertyDescriptor: boom }) },
      ),
      '_scale_fn_custom.k',
      ['state._scale_fn_custom.k could not be read', 'RangeError: boom'],
    ],
    [
      'a getter field',
      load({ ...good(), _scale_fn_custom: throwingGetter({}, 'k') }, { scaleFn: custom() }),
      '_scale_fn_custom.k',
      ['state._scale_fn_custom.k must be a plain data property', 'got undefined'],
    ],
    [
      'a read-only field of the scaleFn',
      load({ ...good(), _scale_fn_custom: { name: 'f' } }, { scaleFn: custom() }),
      '_scale_fn_custom.name',
      ['state._scale_fn_custom.name names a property of the scaleFn that cannot be written', 'got "f"'],
    ],
    [
      'a new field for a frozen scaleFn',
      load({ ...good(), _scale_fn_custom: { j: 2 } }, { scaleFn: Object.freeze(custom()) }),
      '_scale_fn_custom.j',
      ['state._scale_fn_custom.j names a property of the scaleFn that cannot be written', 'got 2'],
    ],
    [
      'a field that is gone when its descriptor is read (a Proxy answering twice)',
      () => {
        let asked = 0;
        const fields = new Proxy(
          { k: 2 },
          { getOwnPropertyDescriptor: (t, k) => (++asked > 1 ? undefined : Reflect.getOwnPropertyDescriptor(t, k)) },
        );
        return load({ ...good(), _scale_fn_custom: fields }, { scaleFn: custom() })();
      },
      '_scale_fn_custom.k',
      ['state._scale_fn_custom.k must be a plain data property', 'got undefined'],
    ],
    [
      'a scaleFn that refuses the merge',
      load({ ...good(), _scale_fn_custom: { j: 2 } }, { scaleFn: new Proxy(custom(), { defineProperty: boom }) }),
      '_scale_fn_custom',
      ['state._scale_fn_custom could not be merged into the scaleFn', 'RangeError: boom'],
    ],
    [
      'libm unknown',
      load({ ...good(), 'cyclic-lr:libm': 'glibc' }),
      'cyclic-lr:libm',
      ["state.cyclic-lr:libm must be 'fma' or 'nofma'", 'got "glibc"'],
    ],
  ];
  it.each(ROWS)('%s', (_what, f, key, words) => {
    const e = thrown(f);
    expect([e.code, e.key]).toEqual(['ERR_INVALID_STATE', key]);
    for (const w of words) expect(e.message).toContain(w);
  });
});
