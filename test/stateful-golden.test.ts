// new CyclicLR(optimizer, options) replayed as the oracle drove real PyTorch, bit for bit, both backends, both libm
// variants (each against its own goldens: 'fma', the default, glibc's FMA pow; 'nofma' its no-FMA pow):
// getLastLr(), group lr and momentum at every record; resume, step(epoch), state_dict round trips, load_state.
import { describe, expect, it } from 'vitest';
import { CyclicLR, CyclicLRError, schedule, type CyclicLRErrorCode } from '../src/index.js';
import {
  camelOptions,
  constructions,
  dec,
  epochTrace,
  jumpsOf,
  loadSuite,
  makeOptimizer,
  recordIndices,
  type Entry,
} from './helpers/oracle.js';

const BACKENDS = ['wasm', 'js'] as const;
type Libm = 'fma' | 'nofma';
const LIBMS = ['fma', 'nofma'] as const;

/** constructor refusals: which scheduler of the case throws, with which code */
const CONSTRUCT_ERRORS: Record<string, { who: 'A' | 'B' | 'S'; code: CyclicLRErrorCode }> = {
  pub_bad_mode: { who: 'B', code: 'ERR_INVALID_OPTION' },
  test_cycle_lr_invalid_mode: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_list_mismatch: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_list_mismatch_ignored: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_step_up_zero: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_total_size_zero: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_negative_step: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_nan_step_size: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_nan_lr: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_inf_values: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_exp_gamma_special: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_bogus_scale_mode: { who: 'B', code: 'ERR_INVALID_OPTION' },
  pub_custom_weird: { who: 'B', code: 'ERR_SCALE_FN' }, // the constructor's step calls scaleFn: NaN
  pub_momentumless_opt: { who: 'B', code: 'ERR_OPTIMIZER' }, // Adagrad: no momentum, no betas
  test_cycle_lr_cycle_momentum_fail_with_momentumless_optimizer: { who: 'B', code: 'ERR_OPTIMIZER' }, // Rprop
};

/** steps that throw: the index i of the step() of the recording loop, and the code */
const STEP_ERRORS: Record<string, { at: number; code: CyclicLRErrorCode }> = {
  pub_exp_overflow: { at: 1750, code: 'ERR_OVERFLOW' }, // 1.5 ** 1751 overflows (PyTorch: OverflowError)
  pub_complex_lr: { at: 1, code: 'ERR_OVERFLOW' }, // step(2.5) with gamma -0.5: a complex lr in PyTorch
};

/** cases whose 1.13 goldens are not the latest PyTorch's behaviour: test/stateful-latest.test.ts holds them */
const LATEST_ONLY = new Set(['test_cycle_lr_cycle_momentum_fail_with_momentumless_optimizer__1_13']);

/** state_dict keys whose 1.13 values are also the latest PyTorch's */
const COMMON_KEYS = [
  'max_lrs',
  'total_size',
  'step_ratio',
  'mode',
  'gamma',
  'scale_mode',
  'cycle_momentum',
  'base_momentums',
  'max_momentums',
  'base_lrs',
  'last_epoch',
  '_step_count',
  '_last_lr',
];

function same(got: unknown, exp: number, what: string): void {
  if (typeof got !== 'number' || !Object.is(got, exp)) expect.fail(`${what}: expected ${exp} got ${String(got)}`);
}

interface Rec {
  lr: number[];
  glr: number[];
  mom: number[] | null;
}

/** the records of the golden of this libm variant */
function records({ gold, nofma }: Entry, libm: Libm): Map<number, Rec> {
  const own = libm === 'fma' ? gold : nofma;
  const m = new Map<number, Rec>();
  recordIndices(gold).forEach((i, r) => {
    m.set(i, {
      lr: dec(own.lrs[r]),
      glr: dec((own.group_lrs ?? own.lrs)[r]),
      mom: own.momentums ? dec(own.momentums[r]) : null,
    });
  });
  return m;
}

function checkRecord(
  s: CyclicLR,
  opt: { paramGroups: Record<string, any>[] },
  rec: Rec,
  i: number,
  groupsToo: boolean,
): void {
  const got = s.getLastLr();
  expect(Array.isArray(got)).toBe(true);
  rec.lr.forEach((v, g) => same(got[g], v, `getLastLr()[${g}] at i=${i}`));
  if (!groupsToo) return;
  opt.paramGroups.forEach((grp, g) => {
    same(grp.lr, rec.glr[g], `paramGroups[${g}].lr at i=${i}`);
    if (rec.mom && rec.mom[g] !== null) same(grp.momentum, rec.mom[g], `paramGroups[${g}].momentum at i=${i}`);
  });
}

function replay(e: Entry, backend: 'wasm' | 'js', libm: Libm): void {
  const { c, gold } = e;
  const G = c.groups ?? 1;
  const opt = makeOptimizer(c.optimizer, G);
  // CosineAnnealingLR's constructor: group.setdefault('initial_lr', lr); its initial step keeps lr
  if (c.pre_scheduler) for (const grp of opt.paramGroups) grp.initialLr ??= grp.lr;
  const trace = epochTrace(c);
  const jumps = jumpsOf(c);
  const until = c.pre_scheduler ? Number(c.pre_scheduler.until) : -Infinity;
  const recs = records(e, libm);
  const ce = CONSTRUCT_ERRORS[c.id];
  let B: CyclicLR | null = null;
  let S: CyclicLR | null = null;
  for (const k of constructions(c)) {
    const o = { ...camelOptions(k.kw, k.fn), backend, libm };
    if (ce && ce.who === k.who) {
      const thrown = (() => {
        try {
          new CyclicLR(opt, o as any);
        } catch (x) {
          return x;
        }
      })();
      expect(thrown).toBeInstanceOf(CyclicLRError);
      expect((thrown as CyclicLRError).code).toBe(ce.code);
      return;
    }
    const s = new CyclicLR(opt, o as any);
    if (k.who === 'A') for (let j = 0; j < Number(c.resume.pre_steps); j++) s.step();
    if (k.who === 'S') {
      S = s;
      for (let j = 0; j < Number(c.load_state.steps ?? 0); j++) s.step();
    }
    if (k.who === 'B') B = s;
  }
  expect(ce, 'the constructor should have thrown').toBeUndefined();
  if (S) {
    B!.loadStateDict(JSON.parse(JSON.stringify(S.stateDict())));
    expect(B!.stateDict().mode).toBe(gold.derived.mode);
  }
  const sched = B!;
  expect(sched.lastEpoch).toBe(trace[0]);
  const se = STEP_ERRORS[c.id];
  const tri2Overflow = gold.error?.phase === 'step' && !se; // D2: continue with IEEE values
  let captured: { at: number; own: string } | null = null;

  for (let i = 0; i < c.N; i++) {
    const rec = recs.get(i);
    if (rec) checkRecord(sched, opt, rec, i, true);
    else if (tri2Overflow && i > gold.error!.at!) {
      // cycle ≥ 1025: scale 1 / 2 ** 1024 = 0, so lr = base_lr and momentum = max_momentum
      expect(Math.floor(1 + trace[i] / gold.derived.total_size)).toBeGreaterThanOrEqual(1025);
      sched.getLastLr().forEach((v, g) => expect(Object.is(v, dec(gold.derived.base_lrs[g]))).toBe(true));
      if (gold.derived.cycle_momentum)
        opt.paramGroups.forEach((grp, g) =>
          expect(Object.is(grp.momentum, dec(gold.derived.max_momentums[g]))).toBe(true),
        );
    }
    if (c.state_dict_at === i) captured = capture(sched, e, i);
    if (i <= until) {
      recs.get(i + 1)!.glr.forEach((v, g) => {
        opt.paramGroups[g].lr = v;
      }); // the pre-scheduler steps instead
      continue;
    }
    if (se && i === se.at) {
      const before = sched.getLastLr();
      const thrown = (() => {
        try {
          jumps.has(i) ? sched.step(jumps.get(i)) : sched.step();
        } catch (x) {
          return x;
        }
      })();
      expect(thrown).toBeInstanceOf(CyclicLRError);
      expect((thrown as CyclicLRError).code).toBe(se.code);
      // as PyTorch: lastEpoch moved, lr / momentum / getLastLr() unchanged
      expect(sched.lastEpoch).toBe(trace[i + 1]);
      expect(sched.getLastLr()).toEqual(before);
      if (gold.error && gold.final) {
        // PyTorch raised here too: its final state is ours
        expect(sched.lastEpoch).toBe(dec(gold.final.last_epoch));
        dec<number[]>(gold.final.lrs).forEach((v, g) => expect(Object.is(opt.paramGroups[g].lr, v)).toBe(true));
      }
      return;
    }
    if (jumps.has(i)) sched.step(jumps.get(i));
    else sched.step();
  }
  expect(sched.lastEpoch).toBe(trace[c.N]);
  if (c.state_dict_at === c.N) captured = capture(sched, e, c.N);
  if (captured) {
    continueFrom(e, captured.at, captured.own, backend, libm, 'own stateDict() JSON');
    if (gold.state_dict?.state)
      continueFrom(e, captured.at, JSON.stringify(gold.state_dict.state), backend, libm, 'torch 1.13 state_dict JSON');
  }
}

function capture(s: CyclicLR, { gold }: Entry, at: number): { at: number; own: string } {
  const own = JSON.stringify(s.stateDict());
  const rt = JSON.parse(own);
  const torch = gold.state_dict?.state;
  if (torch) for (const k of COMMON_KEYS) if (k in torch) expect(rt[k], `stateDict().${k}`).toEqual(dec(torch[k]));
  return { at, own };
}

/** a fresh optimizer and scheduler load the state and continue from record `at` with the same bits */
function continueFrom(e: Entry, at: number, json: string, backend: 'wasm' | 'js', libm: Libm, label: string): void {
  const { c } = e;
  const G = c.groups ?? 1;
  const opt = makeOptimizer({ ...c.optimizer, initial_lr: undefined }, G);
  const kw = { ...constructions(c).find((k) => k.who === 'B')!.kw };
  delete kw.last_epoch;
  const s = new CyclicLR(opt, { ...camelOptions(kw, c.scale_fn), backend, libm } as any);
  s.loadStateDict(JSON.parse(json));
  const trace = epochTrace(c);
  expect(s.lastEpoch, label).toBe(trace[at]);
  const recs = records(e, libm);
  const jumps = jumpsOf(c);
  for (let i = at; i < c.N; i++) {
    const rec = recs.get(i);
    // at i == at the groups still hold the fresh scheduler's values: only getLastLr() is loaded (as PyTorch)
    if (rec) checkRecord(s, opt, rec, i, i > at);
    if (jumps.has(i)) s.step(jumps.get(i));
    else s.step();
  }
}

for (const suite of ['public', 'pytorch_suite'] as const) {
  const entries = loadSuite(suite).filter((e) => !e.c.tags.includes('version_sensitive') && !LATEST_ONLY.has(e.c.id));
  describe(`new CyclicLR(optimizer, options) replays PyTorch bit for bit on the ${suite} goldens`, () => {
    for (const backend of BACKENDS) {
      for (const libm of LIBMS) {
        it.each(entries.map((e) => [e.c.id, e] as const))(`[${backend}, libm ${libm}] %s`, (_id, e) =>
          replay(e, backend, libm),
        );
      }
    }
  });
}

describe('the stateful path equals the dense path', () => {
  it('steps of a fresh scheduler equal schedule() over the same iterations, lr and momentum', () => {
    const options = {
      baseLr: [0.001, 0.01],
      maxLr: [0.006, 0.1],
      stepSizeUp: 7,
      stepSizeDown: 3.5,
      mode: 'exp_range' as const,
      gamma: 0.999,
    };
    const opt = {
      paramGroups: [
        { lr: 1, momentum: 0.5 },
        { lr: 1, momentum: 0.5 },
      ],
    };
    const s = new CyclicLR(opt, options);
    const { lr, momentum } = schedule(options, { length: 700 });
    for (let i = 0; i < 700; i++) {
      for (let g = 0; g < 2; g++) {
        expect(Object.is(s.getLastLr()[g], lr[g][i])).toBe(true);
        expect(Object.is(opt.paramGroups[g].momentum, momentum![g][i])).toBe(true);
      }
      s.step();
    }
  });
});
