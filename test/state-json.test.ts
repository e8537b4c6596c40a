// The state dict through JSON keeps every bit (issue 14 §2): stateDictJSON()/loadStateDictJSON() speak
// Python's json dialect (-0.0, NaN, Infinity), and the libm option travels in the state.
import { describe, expect, it } from 'vitest';
import { CyclicLR } from '../src/index.js';
import { codeNamed, sgd as sgdOf } from './helpers/code.js';
import { parsePythonJSON, toPythonJSON } from '../src/python-json.js';

const sgd = (G = 2) => sgdOf(G);
/** −0.0 in every list of the state: base_lrs, max_lrs, base/max_momentums, _last_lr, and gamma */
const NEG_ZERO = {
  baseLr: [-0, 1],
  maxLr: [-1, -0],
  baseMomentum: [-1, -0],
  maxMomentum: [-0, 1],
  gamma: -0,
  stepSizeUp: 4,
};
const bits = (v: unknown): unknown =>
  typeof v === 'number'
    ? Object.is(v, -0)
      ? '-0'
      : v
    : Array.isArray(v)
      ? v.map(bits)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bits(x)]))
        : v;

/** PyTorch 1.13's json.dumps of state_dict() (less _scale_fn_ref) for NEG_ZERO after 3 steps */
const PYTHON_STATE =
  '{"max_lrs": [-1.0, -0.0], "total_size": 8.0, "step_ratio": 0.5, "mode": "triangular", "gamma": -0.0, ' +
  '"_scale_fn_custom": null, "scale_mode": "cycle", "cycle_momentum": true, "base_momentums": [-1.0, -0.0], ' +
  '"max_momentums": [-0.0, 1.0], "base_lrs": [-0.0, 1.0], "last_epoch": 3, "verbose": false, "_step_count": 4, ' +
  '"_get_lr_called_within_step": false, "_last_lr": [-0.75, 0.25]}';

describe('stateDictJSON() / loadStateDictJSON(): the round trip keeps -0.0', () => {
  it('JSON.stringify loses -0.0 (the bug this pair fixes)', () => {
    const s = new CyclicLR(sgd(), NEG_ZERO);
    const back = JSON.parse(JSON.stringify(s.stateDict()));
    expect(Object.is(back.base_lrs[0], -0)).toBe(false);
  });

  it('-0.0 in base_lrs, max_lrs, base_momentums, max_momentums, _last_lr and gamma survives, bit for bit', () => {
    const s = new CyclicLR(sgd(), NEG_ZERO);
    const st = s.stateDict();
    expect(bits([st.base_lrs[0], st.max_lrs[1], st.base_momentums![1], st.max_momentums![0], st._last_lr[0]])).toEqual([
      '-0',
      '-0',
      '-0',
      '-0',
      '-0',
    ]);
    expect(Object.is(st.gamma, -0)).toBe(true);
    const text = s.stateDictJSON();
    expect(text).toContain('"base_lrs": [-0.0, 1]');
    const t = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 });
    t.loadStateDictJSON(text);
    expect(bits(t.stateDict())).toEqual(bits(st));
    expect(bits(t.getLastLr())).toEqual(bits(s.getLastLr()));
    const a = sgd();
    const b = sgd();
    const s2 = new CyclicLR(a, NEG_ZERO);
    const t2 = new CyclicLR(b, { baseLr: 0.1, maxLr: 1 });
    t2.loadStateDictJSON(s2.stateDictJSON());
    for (let i = 0; i < 12; i++) {
      s2.step();
      t2.step();
      const lrMom = (o: typeof a) => bits(o.paramGroups.map((g) => [g.lr, g.momentum]));
      expect(lrMom(b)).toEqual(lrMom(a));
    }
  });

  it("reads PyTorch's own json.dumps(state_dict()) (1.13, -0.0 in every list) and continues as PyTorch", () => {
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 });
    s.loadStateDictJSON(PYTHON_STATE);
    const st = s.stateDict();
    expect(bits([st.base_lrs[0], st.max_lrs[1], st.base_momentums![1], st.max_momentums![0], st.gamma])).toEqual([
      '-0',
      '-0',
      '-0',
      '-0',
      '-0',
    ]);
    s.step();
    expect(bits(s.getLastLr())).toEqual([-1, 0]); // PyTorch 1.13: [-1.0, 0.0]
  });

  it.each([
    ['not JSON', '{"base_lrs": [1,'],
    ['text after the value', '{} {}'],
    ['a bare word JSON lacks and Python never writes', '{"gamma": nan}'],
    ['NaN where a finite number is needed', PYTHON_STATE.replace('"gamma": -0.0', '"gamma": NaN')],
    ['Infinity in a list', PYTHON_STATE.replace('"_last_lr": [-0.75', '"_last_lr": [Infinity')],
    ['not a string', 42],
  ])('%s: ERR_INVALID_STATE, the scheduler unchanged', (_, text) => {
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 });
    const before = s.stateDictJSON();
    expect(codeNamed(() => s.loadStateDictJSON(text as string))).toBe('ERR_INVALID_STATE');
    expect(s.stateDictJSON()).toBe(before);
  });
});

describe("Python's JSON dialect", () => {
  it.each([
    ['-0', -0, '-0.0'],
    ['+0', 0, '0'],
    ['NaN', NaN, 'NaN'],
    ['Infinity', Infinity, 'Infinity'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['0.1', 0.1, '0.1'],
    ['5e-324', 5e-324, '5e-324'],
    ['a list with -0, null, a quote, true', [-0, null, 'a"b', true], '[-0.0, null, "a\\"b", true]'],
    ['an object with an undefined key', { a: 1, b: undefined, c: [] }, '{"a": 1, "c": []}'],
  ])('toPythonJSON(%s) is the text of the table, and parses back bit for bit', (_, v, text) => {
    expect(toPythonJSON(v)).toBe(text);
    expect(bits(parsePythonJSON(text))).toEqual(bits(v)); // toEqual: an undefined key is a missing key
  });

  it.each([
    ['NaN', NaN],
    ['-Infinity', -Infinity],
    [' [ Infinity , -0.0 , 1e2 ] ', [Infinity, -0, 100]],
    ['"NaN"', 'NaN'],
    ['{"__proto__": {"x": 1}}', JSON.parse('{"__proto__": {"x": 1}}')],
  ])('parsePythonJSON(%s)', (text, v) => {
    const got = parsePythonJSON(text);
    expect(bits(got)).toEqual(bits(v));
    if (text.includes('__proto__')) {
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got as object)).toEqual(['__proto__']);
    }
  });

  it.each(['', '[1 2]', '{"a" 1}', '{a: 1}', '[1,]', '"\\x"', '01', `${'['.repeat(100)}${']'.repeat(100)}`])(
    'parsePythonJSON(%j) is ERR_INVALID_STATE',
    (text) => {
      expect(codeNamed(() => parsePythonJSON(text))).toBe('ERR_INVALID_STATE');
    },
  );

  it('a cycle or a bigint cannot be written: ERR_INVALID_STATE', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(codeNamed(() => toPythonJSON(a))).toBe('ERR_INVALID_STATE');
    expect(codeNamed(() => toPythonJSON({ n: 1n }))).toBe('ERR_INVALID_STATE');
  });
});

describe("libm travels in the state under 'cyclic-lr:libm' (not a Python identifier: no PyTorch key can clash)", () => {
  it.each(['fma', 'nofma'] as const)("a scheduler built with libm '%s' saves it and a loader adopts it", (libm) => {
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, mode: 'exp_range', gamma: 0.99, libm });
    expect(s.stateDict()['cyclic-lr:libm']).toBe(libm);
    const other = libm === 'fma' ? 'nofma' : 'fma';
    const t = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, libm: other });
    t.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect(t.stateDict()['cyclic-lr:libm']).toBe(libm);
    t.loadStateDictJSON(s.stateDictJSON());
    expect(t.stateDict()['cyclic-lr:libm']).toBe(libm);
  });

  it("PyTorch's state (no such key) keeps the loading scheduler's libm", () => {
    const t = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, libm: 'fma' });
    t.loadStateDictJSON(PYTHON_STATE);
    expect(t.stateDict()['cyclic-lr:libm']).toBe('fma');
  });

  it.each([['glibc'], [null], [1]])('a libm of %j in the state: ERR_INVALID_STATE, unchanged', (v) => {
    const t = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, libm: 'nofma' });
    expect(codeNamed(() => t.loadStateDict({ ...t.stateDict(), last_epoch: 5, 'cyclic-lr:libm': v }))).toBe(
      'ERR_INVALID_STATE',
    );
    expect(t.lastEpoch).toBe(0);
    expect(t.stateDict()['cyclic-lr:libm']).toBe('nofma');
  });
});
