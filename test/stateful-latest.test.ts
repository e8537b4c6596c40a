// CyclicLR where the latest PyTorch differs from the 1.13 goldens, PyTorch's own unit tests, and the contract
// of every method. Expectations for the latest behaviour are built from the goldens where 1.13 and the latest
// agree (lr) and from schedule() — itself golden-checked — where the latest PyTorch's formula is the fresh
// scheduler's (momentum floors at baseMomentum; beta1 takes the momentum's values), per semantics.md §5–§7.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CyclicLR, CyclicLRError, schedule, type CyclicLRState } from '../src/index.js';
import { code, expectNamed } from './helpers/code.js';
import { camelOptions, dec, loadSuite } from './helpers/oracle.js';

const byId = new Map([...loadSuite('public'), ...loadSuite('pytorch_suite')].map((e) => [e.c.id, e]));
const sgd = (G = 1, momentum = 0.9) => ({
  paramGroups: Array.from({ length: G }, () => ({ lr: 0.123, momentum }) as Record<string, any>),
});
const adam = (G = 1) => ({
  paramGroups: Array.from({ length: G }, () => ({ lr: 0.001, betas: [0.9, 0.999] }) as Record<string, any>),
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CyclicLR follows the latest PyTorch where 1.13 differs (version-sensitive goldens)', () => {
  it(
    "pub_resume_match: resuming floors momentum at baseMomentum (1.13: at the group's current momentum); " +
      'lrs as the golden',
    () => {
      const { c, nofma } = byId.get('pub_resume_match')!;
      const opt = sgd();
      const kw = camelOptions(c.kwargs, null);
      const { lastEpoch, ...fromStart } = kw;
      const a = new CyclicLR(opt, fromStart as any);
      for (let j = 0; j < c.resume.pre_steps; j++) a.step();
      const b = new CyclicLR(opt, kw as any);
      expect(b.lastEpoch).toBe(lastEpoch + 1);
      const fresh = schedule(fromStart as any, { start: lastEpoch + 1, length: c.N });
      for (let i = 0; i < c.N; i++) {
        expect(Object.is(b.getLastLr()[0], dec(nofma.lrs[i])[0])).toBe(true);
        expect(Object.is(opt.paramGroups[0].momentum, fresh.momentum![0][i])).toBe(true);
        b.step();
      }
      expect(b.stateDict().base_momentums).toEqual([0.8]);
    },
  );

  it.each([
    'pub_adam_cycle_momentum',
    'test_cycle_lr_cycle_momentum_with_beta1_optimizer',
    'test_cycle_lr_cycle_momentum_fail_with_momentumless_optimizer__1_13',
  ])('%s: an Adam-like optimizer with cycleMomentum cycles betas[0] (1.13: ValueError)', (id) => {
    const { c } = byId.get(id)!;
    const opt = adam();
    const kw = camelOptions(c.kwargs, null);
    const s = new CyclicLR(opt, { ...kw, stepSizeUp: 3 } as any);
    const d = schedule({ ...kw, stepSizeUp: 3 } as any, { length: 12 });
    for (let i = 0; i < 12; i++) {
      expect(Object.is(opt.paramGroups[0].lr, d.lr[0][i])).toBe(true);
      expect(Object.is(opt.paramGroups[0].betas[0], d.momentum![0][i])).toBe(true);
      expect(opt.paramGroups[0].betas[1]).toBe(0.999);
      expect('momentum' in opt.paramGroups[0]).toBe(false);
      s.step();
    }
    expect(s.stateDict().use_beta1).toBe(true);
    expect(opt.paramGroups[0]).toMatchObject({ maxMomentum: 0.9, baseMomentum: 0.8, initialLr: kw.baseLr });
  });

  it.each([
    ['test_cycle_lr_state_dict_picklable__builtin', null],
    ['test_cycle_lr_state_dict_picklable__function', null],
    ['test_cycle_lr_state_dict_picklable__callable_class', { x: 0.5 }],
  ] as const)('%s: stateDict() has no _scale_fn_ref, _scale_fn_custom %j, and survives JSON', (id, custom) => {
    const { c } = byId.get(id)!;
    const opts: Record<string, any> = camelOptions(c.kwargs, c.scale_fn);
    const s = new CyclicLR(adam(), opts as any);
    const st = s.stateDict();
    expect('_scale_fn_ref' in st).toBe(false);
    expect(st._scale_fn_custom).toEqual(custom);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
  });

  it(
    'test_lr_scheduler_state_dict_load[CyclicLR]: ' + 'a second scheduler loads the state and re-emits the same dict',
    () => {
      const opts = { baseLr: 0.01, maxLr: 0.1 };
      const s = new CyclicLR(sgd(2, 0), opts);
      for (let j = 0; j < 5; j++) s.step();
      const st = JSON.parse(JSON.stringify(s.stateDict()));
      const s2 = new CyclicLR(sgd(2, 0), opts);
      s2.loadStateDict(st);
      expect(s2.stateDict()).toEqual(st);
    },
  );

  it(
    'test_lr_scheduler_checkpoint[CyclicLR]: ' +
      'AdamW, one step, groups copied, resumed with lastEpoch 0 gives the same lr',
    () => {
      const opts = { baseLr: 0.01, maxLr: 0.1 };
      const optim = { paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], weightDecay: 0.01 } as Record<string, any>] };
      const sch = new CyclicLR(optim, opts);
      sch.step();
      const optim2 = JSON.parse(JSON.stringify(optim));
      const sch2 = new CyclicLR(optim2, { ...opts, lastEpoch: 0 });
      expect(sch2.getLastLr()[0]).toBe(optim.paramGroups[0].lr);
      expect(sch2.getLastLr()[0]).toBe(schedule(opts, { start: 1, length: 1 }).lr[0][0]);
    },
  );
});

describe("PyTorch's own CyclicLR unit tests: their targets within their atol (the goldens hold the exact bits)", () => {
  const withTargets = [...byId.values()].filter((e) => e.c.pytorch_expected?.lrs && !e.c.resume); // resumed: below
  it.each(withTargets.map((e) => [e.c.id, e] as const))('%s', (_id, { c }) => {
    const G = c.groups ?? 1;
    const opt = c.optimizer.kind === 'adam' ? adam(G) : sgd(G, 0);
    const s = new CyclicLR(opt, camelOptions(c.kwargs, c.scale_fn) as any);
    const { lrs, momentums, atol } = c.pytorch_expected;
    for (let i = 0; i < lrs.length; i++) {
      for (let g = 0; g < G; g++) {
        expect(Math.abs(opt.paramGroups[g].lr - lrs[i][g])).toBeLessThanOrEqual(atol);
        if (momentums && (c.kwargs.cycle_momentum ?? true))
          expect(Math.abs(opt.paramGroups[g].momentum - momentums[i][g])).toBeLessThanOrEqual(atol);
      }
      s.step();
    }
  });

  it('test_constant_initial_params_cyclelr: the option lists are copied, never aliased', () => {
    const baseLr = [0.1];
    const maxLr = [0.2];
    const baseMomentum = [0.8];
    const maxMomentum = [0.9];
    const opt = sgd();
    const s = new CyclicLR(opt, { baseLr, maxLr, baseMomentum, maxMomentum });
    baseLr[0] *= 0.5;
    maxLr[0] *= 0.5;
    baseMomentum[0] *= 0.5;
    maxMomentum[0] *= 0.5;
    for (let i = 0; i < 5; i++) s.step(i);
    expect(opt.paramGroups[0]).toMatchObject({ initialLr: 0.1, maxMomentum: 0.9, baseMomentum: 0.8 });
    expect(s.stateDict()).toMatchObject({ base_lrs: [0.1], max_lrs: [0.2] });
  });
});

describe('CyclicLR methods keep their contract', () => {
  it(
    'the constructor writes lr = baseLr, momentum = maxMomentum, ' +
      'initialLr, maxMomentum, baseMomentum; lastEpoch 0',
    () => {
      const opt = sgd(2);
      const s = new CyclicLR(opt, { baseLr: [0.01, 0.02], maxLr: 0.1, stepSizeUp: 10 });
      expect(s.lastEpoch).toBe(0);
      expect(opt.paramGroups).toEqual([
        { lr: 0.01, momentum: 0.9, initialLr: 0.01, maxMomentum: 0.9, baseMomentum: 0.8 },
        { lr: 0.02, momentum: 0.9, initialLr: 0.02, maxMomentum: 0.9, baseMomentum: 0.8 },
      ]);
      expect(s.getLastLr()).toEqual([0.01, 0.02]);
      expect(Array.isArray(s.getLastLr())).toBe(true);
      expect(s.getLastLr()).not.toBe(s.getLastLr());
    },
  );

  it('an Adam-like group with cycleMomentum false gets no momentum key and untouched betas', () => {
    const opt = adam();
    const betas = opt.paramGroups[0].betas;
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false });
    s.step();
    expect('momentum' in opt.paramGroups[0]).toBe(false);
    expect(opt.paramGroups[0].betas).toBe(betas);
    expect(opt.paramGroups[0].betas).toEqual([0.9, 0.999]);
    expect('use_beta1' in s.stateDict()).toBe(false);
  });

  it("stateDict() has the latest PyTorch's keys in its order, then cyclic-lr's libm key, JSON-safe", () => {
    const s = new CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1 });
    expect(Object.keys(s.stateDict())).toEqual([
      'max_lrs',
      'total_size',
      'step_ratio',
      'mode',
      'gamma',
      'scale_mode',
      'cycle_momentum',
      'use_beta1',
      'base_momentums',
      'max_momentums',
      'base_lrs',
      'last_epoch',
      '_step_count',
      '_is_initial',
      '_get_lr_called_within_step',
      '_last_lr',
      '_scale_fn_custom',
      'cyclic-lr:libm',
    ]);
    expect(s.stateDict()).toMatchObject({
      total_size: 4000,
      step_ratio: 0.5,
      last_epoch: 0,
      _step_count: 1,
      use_beta1: false,
    });
  });

  it('step(epoch) jumps (fractional and negative epochs too) and warns once, like PyTorch', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const opt = sgd();
    const s = new CyclicLR(opt, { baseLr: 0, maxLr: 1, stepSizeUp: 4, mode: 'triangular2' });
    s.step(10);
    expect(s.lastEpoch).toBe(10);
    s.step(2.5);
    s.step();
    expect(s.lastEpoch).toBe(3.5);
    s.step(-3); // cycle 0: triangular2 doubles the amplitude
    expect(s.getLastLr()).toEqual([1.5]);
    const epochWarnings = warn.mock.calls.filter(([m]) => String(m).includes('epoch parameter'));
    expect(epochWarnings.length).toBeLessThanOrEqual(1); // once per process (maybe already shown by an earlier test)
  });

  it('a step that fails leaves lastEpoch moved and lr, momentum, getLastLr() unchanged', () => {
    const opt = sgd();
    const s = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode: 'exp_range', gamma: -0.5 });
    s.step();
    const before = { lr: opt.paramGroups[0].lr, m: opt.paramGroups[0].momentum, last: s.getLastLr() };
    expect(code(() => s.step(2.5))).toBe('ERR_OVERFLOW'); // PyTorch: a complex lr
    expect(s.lastEpoch).toBe(2.5);
    expect({ lr: opt.paramGroups[0].lr, m: opt.paramGroups[0].momentum, last: s.getLastLr() }).toEqual(before);
    expect(code(() => s.step(NaN))).toBe('ERR_OVERFLOW');
    expect(s.lastEpoch).toBeNaN();
    expect(code(() => s.step('3' as any))).toBe('ERR_INVALID_OPTION'); // not a number: state unchanged
    expect(s.lastEpoch).toBeNaN();
  });

  it.each([
    ['no paramGroups', {}, {}, 'ERR_OPTIMIZER'],
    ['empty paramGroups', { paramGroups: [] }, {}, 'ERR_OPTIMIZER'],
    ['a group that is not an object', { paramGroups: [3] }, {}, 'ERR_OPTIMIZER'],
    ['cycleMomentum with neither momentum nor betas', { paramGroups: [{ lr: 1 }] }, {}, 'ERR_OPTIMIZER'],
    [
      'mixed momentum and betas groups',
      {
        paramGroups: [
          { lr: 1, betas: [0.9, 0.99] },
          { lr: 1, momentum: 0.9 },
        ],
      },
      {},
      'ERR_OPTIMIZER',
    ],
    ['resuming without initialLr', { paramGroups: [{ lr: 1, momentum: 0.9 }] }, { lastEpoch: 5 }, 'ERR_OPTIMIZER'],
    [
      'initialLr not a number',
      { paramGroups: [{ lr: 1, momentum: 0.9, initialLr: 'x' }] },
      { lastEpoch: 5 },
      'ERR_OPTIMIZER',
    ],
    ['lastEpoch NaN', { paramGroups: [{ lr: 1, momentum: 0.9 }] }, { lastEpoch: NaN }, 'ERR_INVALID_OPTION'],
    [
      'lastEpoch 2^53 (found by fuzzing: a RangeError before)',
      { paramGroups: [{ lr: 1, betas: [0.9, 0.99], initialLr: 0 }] },
      { stepSizeUp: 0.01, scaleFn: (x: number) => 1 / x, lastEpoch: 2 ** 53 },
      'ERR_INVALID_OPTION',
    ],
    ['groups ≠ paramGroups', { paramGroups: [{ lr: 1, momentum: 0.9 }] }, { groups: 2 }, 'ERR_INVALID_OPTION'],
    [
      'list length ≠ paramGroups',
      { paramGroups: [{ lr: 1, momentum: 0.9 }] },
      { baseLr: [0.1, 0.2] },
      'ERR_INVALID_OPTION',
    ],
    ['backend unknown', { paramGroups: [{ lr: 1, momentum: 0.9 }] }, { backend: 'gpu' }, 'ERR_INVALID_OPTION'],
    ['unknown option', { paramGroups: [{ lr: 1, momentum: 0.9 }] }, { last_epoch: 3 }, 'ERR_INVALID_OPTION'],
    [
      "exp_range overflow in the constructor's step",
      { paramGroups: [{ lr: 1, momentum: 0.9, initialLr: 0.1 }] },
      { mode: 'exp_range', gamma: 1.5, lastEpoch: 1800 },
      'ERR_OVERFLOW',
    ],
  ])('new CyclicLR refuses %s', (_what, opt, extra, expected) => {
    expect(code(() => new CyclicLR(opt as any, { baseLr: 0.1, maxLr: 1, ...extra } as any))).toBe(expected);
  });

  it("getLr() computes the lrs at lastEpoch (warning, as PyTorch) and scaleFn(x) is the mode's scale", () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 4, mode: 'exp_range', gamma: 0.9 });
    s.step();
    s.step();
    expect(s.getLr()).toEqual(s.getLastLr());
    expect(s.scaleFn(4)).toBe(0.6561); // glibc's pow, not V8's 0.6561000000000001
    expect(new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, mode: 'triangular2' }).scaleFn(3)).toBe(0.25);
    expect(new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 }).scaleFn(3)).toBe(1);
    expect(new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, scaleFn: (x) => 1 / x }).scaleFn(4)).toBe(0.25);
  });

  it.each(['wasm', 'js'] as const)(
    '[%s] peek(n) returns the next n steps for every group and changes nothing',
    (backend) => {
      const opt = sgd(2);
      const s = new CyclicLR(opt, { baseLr: [0.01, 0.02], maxLr: 0.1, stepSizeUp: 5, mode: 'triangular2', backend });
      s.step();
      s.step();
      const before = JSON.stringify([s.stateDict(), opt]);
      const p = s.peek(40);
      expect(JSON.stringify([s.stateDict(), opt])).toBe(before);
      for (let i = 0; i < 40; i++) {
        s.step();
        for (let g = 0; g < 2; g++) {
          expect(Object.is(p.lr[g][i], s.getLastLr()[g])).toBe(true);
          expect(Object.is(p.momentum![g][i], opt.paramGroups[g].momentum)).toBe(true);
        }
      }
      s.step(0.5); // fractional lastEpoch: PyTorch adds 1 per step
      const q = s.peek(5);
      for (let i = 0; i < 5; i++) {
        s.step();
        expect(Object.is(q.lr[0][i], s.getLastLr()[0])).toBe(true);
      }
      expect(code(() => s.peek(-1))).toBe('ERR_INVALID_WINDOW');
    },
  );

  it(
    "a callable scaleFn's own fields are saved in _scale_fn_custom " +
      "and merged into the loading scheduler's scaleFn (PR 110931)",
    () => {
      const make = () => {
        const f = Object.assign((_x: number) => f.x, { x: 0.5 });
        return f;
      };
      const f1 = make();
      const s1 = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, scaleFn: f1 });
      f1.x = 0.25;
      s1.step();
      const st = JSON.parse(JSON.stringify(s1.stateDict()));
      expect(st._scale_fn_custom).toEqual({ x: 0.25 });
      const f2 = make();
      const s2 = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, scaleFn: f2 });
      s2.loadStateDict(st);
      expect(f2.x).toBe(0.25);
      s1.step();
      s2.step();
      expect(s2.getLastLr()).toEqual(s1.getLastLr());
    },
  );

  it('after loadStateDict, getLastLr() is the loaded _last_lr and group lr keeps its value until the next step', () => {
    const a = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 4 });
    a.step();
    a.step();
    const optB = sgd();
    const b = new CyclicLR(optB, { baseLr: 0.1, maxLr: 1, stepSizeUp: 4 });
    b.loadStateDict(a.stateDict());
    expect(b.getLastLr()).toEqual(a.getLastLr());
    expect(optB.paramGroups[0].lr).toBe(0.1);
    a.step();
    b.step();
    expect(optB.paramGroups[0].lr).toBe(a.getLastLr()[0]);
  });

  it('loadStateDict adopts the loaded mode and gamma (re-bound, as _init_scale_fn does) and reports it', () => {
    const src = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 3, mode: 'exp_range', gamma: 0.95 });
    for (let j = 0; j < 4; j++) src.step();
    const dst = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 3 });
    dst.loadStateDict(JSON.parse(JSON.stringify(src.stateDict())));
    expect(dst.stateDict()).toMatchObject({ mode: 'exp_range', gamma: 0.95, scale_mode: 'iterations' });
    for (let j = 0; j < 10; j++) {
      src.step();
      dst.step();
      expect(dst.getLastLr()).toEqual(src.getLastLr());
    }
  });
});

describe('loadStateDict refuses a malformed state, naming the key, and leaves the scheduler unchanged', () => {
  const good = (): CyclicLRState => {
    const s = new CyclicLR(sgd(2), { baseLr: 0.1, maxLr: 1, stepSizeUp: 3 });
    s.step();
    return JSON.parse(JSON.stringify(s.stateDict()));
  };
  const CASES: [string, (st: any) => unknown, string][] = [
    ['not an object', () => 'state', 'state'],
    ['null', () => null, 'state'],
    [
      'base_lrs missing',
      (st) => {
        delete st.base_lrs;
        return st;
      },
      'base_lrs',
    ],
    ['max_lrs too short', (st) => ({ ...st, max_lrs: [1] }), 'max_lrs'],
    ['base_lrs with NaN', (st) => ({ ...st, base_lrs: [0.1, NaN] }), 'base_lrs[1]'],
    ['base_lrs with a string', (st) => ({ ...st, base_lrs: [0.1, '0.2'] }), 'base_lrs[1]'],
    ['total_size 0', (st) => ({ ...st, total_size: 0 }), 'total_size'],
    ['step_ratio 1.5', (st) => ({ ...st, step_ratio: 1.5 }), 'step_ratio'],
    ['mode unknown', (st) => ({ ...st, mode: 'CATS' }), 'mode'],
    ['gamma a string', (st) => ({ ...st, gamma: '1' }), 'gamma'],
    ['scale_mode bogus', (st) => ({ ...st, scale_mode: 'bogus' }), 'scale_mode'],
    ['cycle_momentum not boolean', (st) => ({ ...st, cycle_momentum: 1 }), 'cycle_momentum'],
    [
      'base_momentums missing',
      (st) => {
        delete st.base_momentums;
        return st;
      },
      'base_momentums',
    ],
    ['use_beta1 true for momentum groups', (st) => ({ ...st, use_beta1: true }), 'cycle_momentum'],
    ['last_epoch null (a JSON NaN)', (st) => ({ ...st, last_epoch: null }), 'last_epoch'],
    ['_step_count fractional', (st) => ({ ...st, _step_count: 1.5 }), '_step_count'],
    [
      '_last_lr missing',
      (st) => {
        delete st._last_lr;
        return st;
      },
      '_last_lr',
    ],
    ['_scale_fn_custom without a scaleFn', (st) => ({ ...st, _scale_fn_custom: { x: 1 } }), '_scale_fn_custom'],
    [
      'a StepLR state',
      () => ({ step_size: 30, gamma: 0.1, base_lrs: [0.1, 0.1], last_epoch: 3, _step_count: 4, _last_lr: [0.1, 0.1] }),
      'max_lrs',
    ],
  ];
  it.each(CASES)('%s', (_what, mutate, key) => {
    const opt = sgd(2);
    const s = new CyclicLR(opt, { baseLr: 0.05, maxLr: 0.5, stepSizeUp: 5 });
    s.step();
    s.step();
    const before = JSON.stringify([s.stateDict(), opt]);
    let err: unknown;
    try {
      s.loadStateDict(mutate(good()));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CyclicLRError);
    expect((err as CyclicLRError).code).toBe('ERR_INVALID_STATE');
    expect((err as CyclicLRError).key).toBe(key);
    expectNamed(err as CyclicLRError, key);
    expect(JSON.stringify([s.stateDict(), opt])).toBe(before);
    s.step();
    expect(s.lastEpoch).toBe(3);
  });

  it('accepts a 1.13 state_dict JSON (verbose, no use_beta1, _scale_fn_ref dropped)', () => {
    const st: any = good();
    delete st.use_beta1;
    delete st._is_initial;
    Object.assign(st, { verbose: false, _scale_fn_ref: null });
    const s = new CyclicLR(sgd(2), { baseLr: 0.1, maxLr: 1, stepSizeUp: 3 });
    expect(() => s.loadStateDict(st)).not.toThrow();
    expect(s.stateDict().use_beta1).toBe(false);
  });
});

describe('test_cycle_lr_removed_after_out_of_scope', () => {
  it('a scheduler that goes out of scope is garbage-collected (nothing module-level keeps it)', async () => {
    const { execFileSync } = await import('node:child_process');
    const src = `
      import { CyclicLR } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const opt = { paramGroups: [{ lr: 0.1, betas: [0.9, 0.999] }] };
      let collected = false;
      const reg = new FinalizationRegistry(() => { collected = true; });
      (() => {
        const s = new CyclicLR(opt, { baseLr: 1, maxLr: 5, cycleMomentum: false });
        s.step();
        reg.register(s, 's');
      })();
      for (let k = 0; k < 20 && !collected; k++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(collected ? 'collected' : 'alive');`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', src], { encoding: 'utf8' });
    expect(out.trim()).toBe('collected');
  });
});
