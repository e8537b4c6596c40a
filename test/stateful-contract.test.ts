// CyclicLR's contract where PyTorch's CyclicLR is precise (semantics.md §5–§7): what the constructor writes on a
// fresh start and on a resume, step(None), get_lr() (momenta only), the state dict's flags, what loadStateDict
// adopts, and that every step is the closed form at its last_epoch — the dense schedule (golden-checked) or,
// where there is none (negative epochs), PyTorch's formula evaluated here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CyclicLR, schedule, type ParamGroup } from '../src/index.js';
import { sgd } from './helpers/code.js';

const MAX = Number.MAX_SAFE_INTEGER;
const O = { baseLr: [0.01, 0.02], maxLr: [0.1, 0.3], stepSizeUp: 3, stepSizeDown: 5 };
const adam = (G = 2) => ({
  paramGroups: Array.from({ length: G }, () => ({ lr: 1, betas: [0.9, 0.99] }) as ParamGroup),
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the constructor writes what PyTorch writes', () => {
  it('a group with both momentum and betas: momentum is cycled, betas untouched', () => {
    const opt = { paramGroups: [{ lr: 1, momentum: 0.5, betas: [0.7, 0.99] }] };
    const s = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, baseMomentum: 0.8, maxMomentum: 0.9 });
    s.step();
    const d = schedule({ baseLr: 0.1, maxLr: 1, baseMomentum: 0.8, maxMomentum: 0.9 }, { start: 1, length: 1 });
    expect(opt.paramGroups[0]).toMatchObject({ lr: d.lr[0][0], momentum: d.momentum![0][0], betas: [0.7, 0.99] });
    expect(s.stateDict().use_beta1).toBe(false);
  });

  it('a fresh Adam-like group gets exactly lr, betas, initialLr, maxMomentum and baseMomentum', () => {
    const opt = adam(1);
    new CyclicLR(opt, { baseLr: 0.1, maxLr: 1 });
    expect(Object.keys(opt.paramGroups[0]).sort()).toEqual(['baseMomentum', 'betas', 'initialLr', 'lr', 'maxMomentum']);
    expect(opt.paramGroups[0].betas).toEqual([0.9, 0.99]); // maxMomentum 0.9 (default), betas[1] kept
  });

  it('resuming (lastEpoch k): no lr = baseLr and no maxMomentum/baseMomentum keys, only the step to k + 1', () => {
    const log: [string, unknown][] = [];
    const store: Record<string, unknown> = { lr: 5, momentum: 0.5, initialLr: 0.01 };
    const grp = new Proxy(store, {
      set: (t, k, v) => {
        log.push([String(k), v]);
        return Reflect.set(t, k, v);
      },
    });
    new CyclicLR({ paramGroups: [grp] }, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4, lastEpoch: 6 });
    const d = schedule({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 }, { start: 7, length: 1 });
    expect(log).toEqual([
      ['momentum', d.momentum![0][0]],
      ['lr', d.lr[0][0]],
    ]);
    expect('maxMomentum' in store || 'baseMomentum' in store).toBe(false);
  });
});

describe('step(), getLr() and stateDict()', () => {
  it('step(null) is step() (PyTorch step(None)): one iteration on, no epoch warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const a = new CyclicLR(sgd(2), O);
    const b = new CyclicLR(sgd(2), O);
    a.step(null as any);
    a.step(null as any);
    b.step();
    b.step();
    expect(a.lastEpoch).toBe(2);
    expect(a.getLastLr()).toEqual(b.getLastLr());
    expect(warn).not.toHaveBeenCalled();
  });

  it('getLr() writes the momenta of lastEpoch but never lr, and returns a new array each call', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const opt = sgd(2);
    const s = new CyclicLR(opt, O);
    s.step();
    const held = opt.paramGroups.map((g) => [g.lr, g.momentum]);
    for (const g of opt.paramGroups) Object.assign(g, { lr: 7, momentum: 7 });
    const first = s.getLr();
    expect(first).toEqual(held.map(([lr]) => lr));
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual(held.map(([, m]) => [7, m]));
    s.step();
    expect(first).toEqual(held.map(([lr]) => lr)); // not the scheduler's own array, which the step rewrote
    expect(s.getLr()).not.toBe(s.getLr());
  });

  it('stateDict(): _is_initial and _get_lr_called_within_step are false after a step (goldens, latest)', () => {
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 });
    s.step();
    expect(s.stateDict()).toMatchObject({ _is_initial: false, _get_lr_called_within_step: false });
  });
});

describe('every step is the closed form at its lastEpoch', () => {
  it.each(['wasm', 'js'] as const)(
    '[%s] 1,000 steps (across blocks of steps computed ahead) are the dense schedule',
    (backend) => {
      const opt = sgd(2);
      const s = new CyclicLR(opt, { ...O, mode: 'triangular2', backend });
      const d = schedule({ ...O, mode: 'triangular2' }, { start: 1, length: 1000 });
      const bad: string[] = [];
      for (let i = 0; i < 1000; i++) {
        s.step();
        opt.paramGroups.forEach((g, k) => {
          if (!Object.is(g.lr, d.lr[k][i]) || !Object.is(g.momentum, d.momentum![k][i]))
            bad.push(`group ${k}, step ${i + 1}`);
        });
      }
      expect(bad).toEqual([]);
    },
  );

  it('a jump back (step(epoch) below the steps computed ahead) and forward again: the dense values', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const opt = sgd(2);
    const s = new CyclicLR(opt, O);
    const d = schedule(O, { start: 0, length: 600 });
    for (const t of [300, 299, 5, 6, 555, 0]) {
      s.step(t);
      expect(opt.paramGroups.map((g) => g.lr)).toEqual([d.lr[0][t], d.lr[1][t]]);
    }
  });

  it('a custom scaleFn is called at each step, not ahead: one reading training state sees it as of that step', () => {
    let level = 1;
    const opt = sgd(1);
    const s = new CyclicLR(opt, { baseLr: 0, maxLr: 1, stepSizeUp: 2, scaleMode: 'iterations', scaleFn: () => level });
    const lrs: number[] = [];
    for (let i = 0; i < 6; i++) {
      level = i % 2 ? 0.5 : 0.25;
      s.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    // t = 1..6 on a triangle of 4 iterations: scale factor 0.5, 1, 0.5, 0, 0.5, 1; times that step's level
    expect(lrs).toEqual([0.125, 0.5, 0.125, 0, 0.125, 0.5]);
  });

  it('a custom scaleFn at lastEpoch 2^53 - 1: the dense schedule there', () => {
    const opt = { paramGroups: [{ lr: 1, momentum: 0.9, initialLr: 0.1 }] };
    const o = { baseLr: 0.1, maxLr: 1, stepSizeUp: 3, scaleFn: (x: number) => 1 / (1 + (x % 7)) };
    const s = new CyclicLR(opt, { ...o, lastEpoch: MAX - 1 });
    const d = schedule(o, { start: MAX, length: 1 });
    expect(s.lastEpoch).toBe(MAX);
    expect([opt.paramGroups[0].lr, opt.paramGroups[0].momentum]).toEqual([d.lr[0][0], d.momentum![0][0]]);
  });

  it("step(-(2^53 - 1)) is PyTorch's formula there (no dense schedule has negative t); 2^53 is ERR_OVERFLOW", () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const opt = sgd(1);
    const s = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, stepSizeDown: 2 });
    s.step(-MAX);
    // see: CyclicLR.get_lr: cycle = floor(1 + t / total_size), x = 1 + t / total_size - cycle, x <= step_ratio
    const cycle = Math.floor(1 + -MAX / 4);
    const x = 1 + -MAX / 4 - cycle;
    const factor = x <= 0.5 ? x / 0.5 : (x - 1) / (0.5 - 1);
    expect(opt.paramGroups[0].lr).toBe(0.1 + (1 - 0.1) * factor);
    expect(opt.paramGroups[0].momentum).toBe(0.9 - (0.9 - 0.8) * factor);
    expect(() => s.step(-(2 ** 53))).toThrow(expect.objectContaining({ code: 'ERR_OVERFLOW' }));
  });
});

describe('loadStateDict adopts what PyTorch adopts', () => {
  const saved = (options: object, opt = sgd(2)) => {
    const s = new CyclicLR(opt, { ...O, ...options });
    s.step();
    return JSON.parse(JSON.stringify(s.stateDict()));
  };

  it('the edges of the rules: step_ratio 1, _step_count 0, a tiny total_size', () => {
    const s = new CyclicLR(sgd(2), O);
    s.loadStateDict({ ...saved({}), step_ratio: 1, _step_count: 0, total_size: 5e-324 });
    expect(s.stateDict()).toMatchObject({ step_ratio: 1, _step_count: 0, total_size: 5e-324 });
  });

  it("with a scaleFn: any mode string and the state's scale_mode; built-in modes force theirs", () => {
    const custom = new CyclicLR(sgd(2), { ...O, scaleFn: () => 1 });
    custom.loadStateDict({ ...saved({ scaleFn: () => 1 }), mode: 'my-fn', scale_mode: 'iterations' });
    expect(custom.stateDict()).toMatchObject({ mode: 'my-fn', scale_mode: 'iterations' });
    const builtin = new CyclicLR(sgd(2), O);
    builtin.loadStateDict({ ...saved({}), mode: 'triangular2', scale_mode: 'iterations' });
    expect(builtin.stateDict()).toMatchObject({ mode: 'triangular2', scale_mode: 'cycle' });
    builtin.loadStateDict({ ...saved({}), mode: 'exp_range', scale_mode: 'cycle' });
    expect(builtin.stateDict()).toMatchObject({ mode: 'exp_range', scale_mode: 'iterations' });
  });

  it('use_beta1 true loaded into groups with momentum and betas: betas[0] is cycled from then on', () => {
    const opt = { paramGroups: [0, 1].map(() => ({ lr: 1, momentum: 0.5, betas: [0.7, 0.99] }) as ParamGroup) };
    const s = new CyclicLR(opt, O);
    s.loadStateDict({ ...saved({}), use_beta1: true });
    expect(s.stateDict().use_beta1).toBe(true);
    const momenta = opt.paramGroups.map((g) => g.momentum);
    s.step();
    const d = schedule(O, { start: 2, length: 1 });
    expect(opt.paramGroups.map((g) => g.betas)).toEqual([
      [d.momentum![0][0], 0.99],
      [d.momentum![1][0], 0.99],
    ]);
    expect(opt.paramGroups.map((g) => g.momentum)).toEqual(momenta);
  });

  it.each([
    ['SGD-like groups: momentum', sgd(2), 'momentum'],
    ['Adam-like groups: betas[0]', adam(2), 'betas'],
  ] as const)('a 1.13 state (no use_beta1) cycling momentum, into a scheduler without: %s', (_, opt, key) => {
    const s = new CyclicLR(opt, { ...O, cycleMomentum: false });
    const st = saved({});
    delete st.use_beta1;
    s.loadStateDict(st);
    expect(s.stateDict().use_beta1).toBe(key === 'betas');
    s.step();
    const d = schedule(O, { start: 2, length: 1 });
    const got = opt.paramGroups.map((g) => (key === 'betas' ? (g.betas as number[])[0] : g.momentum));
    expect(got).toEqual([d.momentum![0][0], d.momentum![1][0]]);
  });

  it('a scheduler without cycleMomentum loading a 1.13 state that cycles it: the groups decide, momentum first', () => {
    const both = { paramGroups: [0, 1].map(() => ({ lr: 1, momentum: 0.5, betas: [0.7, 0.99] }) as ParamGroup) };
    const s = new CyclicLR(both, { ...O, cycleMomentum: false });
    const st = saved({});
    delete st.use_beta1;
    s.loadStateDict(st);
    expect(s.stateDict().use_beta1).toBe(false);
    const bare = new CyclicLR({ paramGroups: [{ lr: 1 }, { lr: 1 }] }, { ...O, cycleMomentum: false });
    let err: unknown;
    try {
      bare.loadStateDict(st);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ERR_INVALID_STATE', key: 'cycle_momentum' });
    expect((err as Error).message).toContain('needs momentum in paramGroups[0]');
  });

  it('use_beta1 stays through a state without momentum (PyTorch: __dict__.update keeps the attribute)', () => {
    const opt = { paramGroups: [0, 1].map(() => ({ lr: 1, momentum: 0.5, betas: [0.7, 0.99] }) as ParamGroup) };
    const s = new CyclicLR(opt, O);
    s.loadStateDict({ ...saved({}), use_beta1: true });
    s.loadStateDict(saved({ cycleMomentum: false }));
    const st = saved({});
    delete st.use_beta1;
    s.loadStateDict(st);
    expect(s.stateDict().use_beta1).toBe(true);
  });

  it('merged new fields are plain properties (writable, enumerable, configurable), loadable again', () => {
    const fn = Object.assign((x: number) => 1 / x, { k: 1 });
    const s = new CyclicLR(sgd(2), { ...O, scaleFn: fn });
    const st = saved({ scaleFn: fn });
    s.loadStateDict({ ...st, _scale_fn_custom: { k: 2, j: 3 } });
    s.loadStateDict({ ...st, _scale_fn_custom: { k: 4, j: 5 } });
    expect(Object.getOwnPropertyDescriptor(fn, 'j')).toEqual({
      value: 5,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(fn.k).toBe(4);
  });

  it('a non-extensible scaleFn takes new values for its own writable fields', () => {
    const fn = Object.preventExtensions(Object.assign((x: number) => 1 / x, { k: 1 }));
    const s = new CyclicLR(sgd(2), { ...O, scaleFn: fn });
    s.loadStateDict({ ...saved({ scaleFn: fn }), _scale_fn_custom: { k: 5 } });
    expect(fn.k).toBe(5);
  });
});
