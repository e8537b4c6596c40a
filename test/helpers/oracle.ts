// Reads test/fixtures (a copy of the PyTorch oracle: cases, goldens with glibc's FMA and no-FMA pow) and
// replays its bookkeeping: which iteration each record is, the scale_fn registry in JS, float helpers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const NONFINITE: Record<string, number> = { NaN, Infinity, '-Infinity': -Infinity };

/** JSON value -> JS value ("NaN"/"Infinity" strings -> numbers) */
export function dec<T = any>(v: any): T {
  if (typeof v === 'string' && v in NONFINITE) return NONFINITE[v] as T;
  if (Array.isArray(v)) return v.map(dec) as T;
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)])) as T;
  return v;
}

export interface Case {
  id: string;
  tags: string[];
  groups?: number;
  N: number;
  kwargs: Record<string, any>;
  scale_fn: string | null;
  optimizer?: any;
  sample?: any;
  epoch_jumps?: [number, number][];
  state_dict_at?: number;
  resume?: any;
  load_state?: any;
  pre_scheduler?: any;
  pytorch_expected?: any;
}
export interface Golden {
  id: string;
  lrs: any[][];
  momentums: any[][] | null;
  indices: number[] | null;
  group_lrs: any[][] | null;
  error: { phase: string; at: number | null; type: string } | null;
  derived: any;
  final: any;
  state_dict: any;
}
export interface Entry {
  c: Case;
  gold: Golden;
  nofma: Golden;
}

export function loadSuite(suite: 'public' | 'pytorch_suite'): Entry[] {
  const read = (f: string) => JSON.parse(readFileSync(dir + f, 'utf8'));
  const cases: Case[] = read(`cases_${suite}.json`);
  const fma = new Map<string, Golden>(read(`golden_${suite}.json`).results.map((r: Golden) => [r.id, r]));
  const nofma = new Map<string, Golden>(read(`golden_${suite}_nofma.json`).results.map((r: Golden) => [r.id, r]));
  return cases.map((c) => ({ c, gold: fma.get(c.id)!, nofma: nofma.get(c.id)! }));
}

/** The iterations the oracle recorded (record r is iteration indices[r]) */
export const recordIndices = (g: Golden): number[] => g.indices ?? g.lrs.map((_, r) => r);

export function jumpsOf(c: Case): Map<number, number> {
  return new Map((c.epoch_jumps ?? []).map(([i, e]) => [Number(i), dec<number>(e)]));
}

/** last_epoch at record time of iteration i (trace[i]) and after the last step (trace[N]) */
export function epochTrace(c: Case): number[] {
  let t = (c.kwargs.last_epoch ?? -1) + 1;
  if (c.load_state) t = Number(c.load_state.steps ?? 0) + (c.load_state.kwargs.last_epoch ?? -1) + 1;
  const jumps = jumpsOf(c);
  const until = c.pre_scheduler ? Number(c.pre_scheduler.until) : -Infinity;
  const trace: number[] = [];
  for (let i = 0; i < c.N; i++) {
    trace.push(t);
    if (i <= until) continue;
    t = jumps.has(i) ? jumps.get(i)! : t + 1;
  }
  trace.push(t);
  return trace;
}

/** JS mirrors of the oracle's scale_fn registry (same operation order as the Python lambdas) */
export const SCALE_FNS: Record<string, () => (x: number) => number> = {
  half: () => () => 0.5,
  one: () => () => 1.0,
  int_one: () => () => 1,
  inv_sqrt: () => (x) => (x > 0 ? 1 / Math.sqrt(x) : 1.0),
  inv_x: () => (x) => (x > 0 ? 1.0 / x : 1.0),
  lin50: () => (x) => {
    const v = 1.0 - x / 50.0;
    return v > 0.0 ? v : 0.0;
  },
  cos: () => (x) => 0.5 * (1 + Math.cos((x * Math.PI) / 7)),
  pow09: () => (x) => 0.9 ** x,
  over: () => () => 1.5,
  neg: () => () => -0.25,
  nan: () => () => NaN,
  callable_half: () => {
    const f = Object.assign(
      function callableHalf() {
        return f.x;
      },
      { x: 0.5 },
    );
    return f;
  },
};

/** PyTorch kwargs -> camelCase options (scaleFn from the registry) */
export function camelOptions(kw: Record<string, any>, fn: string | null): Record<string, any> {
  const o: Record<string, any> = {};
  for (const [k, v] of Object.entries(dec<Record<string, any>>(kw)))
    o[k.replace(/_([a-z])/g, (_, ch) => ch.toUpperCase())] = v;
  if (fn) o.scaleFn = SCALE_FNS[fn]();
  return o;
}

const dv = new DataView(new ArrayBuffer(8));
/** distance in units in the last place between two doubles */
export function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const ord = (x: number) => {
    dv.setFloat64(0, x);
    const v = dv.getBigInt64(0);
    return v < 0n ? -(v & 0x7fffffffffffffffn) : v;
  };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}

/** torch_oracle.make_optimizer as plain param groups (camelCase initialLr) */
export function makeOptimizer(spec: any, G: number): { paramGroups: Record<string, any>[] } {
  const kind = spec?.kind ?? 'sgd';
  const paramGroups = [];
  for (let g = 0; g < G; g++) {
    const grp: Record<string, any> = { lr: spec?.group_lrs ? dec(spec.group_lrs[g]) : dec(spec?.lr ?? 0.123) };
    if (kind === 'sgd') grp.momentum = dec(spec?.momentum ?? 0.9);
    if (kind === 'sgd_nomomentum' || kind === 'rmsprop') grp.momentum = 0; // torch's default momentum=0: the key exists
    if (kind === 'adam' || kind === 'adamw') grp.betas = [0.9, 0.999];
    if (spec?.group_momentum) grp.momentum = dec(spec.group_momentum[g]);
    if (spec?.initial_lr) grp.initialLr = dec(spec.initial_lr[g]);
    paramGroups.push(grp);
  }
  return { paramGroups };
}

/**
 * The schedulers the oracle constructs, in order: A (resume's first scheduler), S (load_state's source),
 * B (recorded)
 */
export function constructions(c: Case): { who: 'A' | 'S' | 'B'; kw: Record<string, any>; fn: string | null }[] {
  const kw = dec<Record<string, any>>(c.kwargs);
  const seq: { who: 'A' | 'S' | 'B'; kw: Record<string, any>; fn: string | null }[] = [];
  if (c.resume) {
    const a = { ...kw, ...dec(c.resume.pre_kwargs ?? {}) };
    delete a.last_epoch;
    seq.push({ who: 'A', kw: a, fn: c.scale_fn });
  }
  const S = c.load_state
    ? { who: 'S' as const, kw: dec(c.load_state.kwargs ?? {}), fn: c.load_state.scale_fn ?? null }
    : null;
  if (S && c.load_state.build_first) seq.push(S);
  seq.push({ who: 'B', kw, fn: c.scale_fn });
  if (S && !c.load_state.build_first) seq.push(S);
  return seq;
}
