// The plan of one evaluation, shared by both backends: per-group parameters, the scale kind, the custom
// scale tables (the only place a user's scaleFn is called) and every check that must hold before values
// are written. A backend turns a plan into numbers; it decides nothing.
import { CyclicLRError, show } from './errors.js';
import { errorText, type Resolved, type ScaleFn } from './options.js';
import { expScale, powPrepare, type PowBase } from './pow.js';

/** scale kinds, as assembly/index.ts numbers them */
export const TRIANGULAR = 0;
export const TRIANGULAR2 = 1;
export const EXP_RANGE = 2;
/** exp_range with glibc's FMA pow (libm 'fma'); EXP_RANGE is its no-FMA pow */
export const EXP_RANGE_FMA = 3;
export const TABLE_CYCLE = 4;
export const TABLE_ITER = 5;

/** iterations per chunk when a custom scaleFn fills a table (bounds the table's memory) */
export const CHUNK = 1 << 16;

/** One run of iterations with its scale table (custom scaleFn) and the largest |s| in it. */
export interface Chunk {
  /** the scale kind of this chunk: the plan's, or TABLE_ITER where cycles are shorter than an iteration */
  readonly kind: number;
  readonly offset: number;
  readonly length: number;
  readonly table: Float64Array | null;
  readonly c0: number;
  readonly maxAbsS: number;
}

export interface Plan {
  readonly start: number;
  readonly length: number;
  readonly groups: number;
  readonly momentum: boolean;
  readonly totalSize: number;
  readonly stepRatio: number;
  /** per group: base_lr, max_lr - base_lr, max_momentum, max_momentum - base_momentum */
  readonly params: Float64Array;
  readonly kind: number;
  readonly gamma: number;
  readonly powBase: PowBase | null;
  /** the chunks, in order; a custom scaleFn is called as they are produced */
  chunks(): Iterable<Chunk>;
  /** true when |lr| or |momentum| could pass `limit` for this max |s|: the backend then scans what it wrote */
  mayOverflow(maxAbsS: number, limit: number): boolean;
}

// see: torch/optim/lr_scheduler.py CyclicLR.get_lr, cycle = math.floor(1 + self.last_epoch / self.total_size)
export const cycleOf = (t: number, totalSize: number): number => Math.floor(1 + t / totalSize);

/** 2.0 ** k for a whole k, exactly; twin of the kernel's pow2 */
export function pow2(k: number): number {
  if (k >= 1024) return Infinity;
  if (k < -1074) return 0;
  pw32[0] = 0;
  if (k >= -1022) {
    pw32[1] = (k + 1023) << 20;
    return pw[0];
  }
  pw32[1] = (k + 1023 + 64) << 20;
  return pw[0] * Ox1p_64; // exact: the result is a power of two the subnormals hold
}
const pw = new Float64Array(1);
const pw32 = new Uint32Array(pw.buffer);
const Ox1p_64 = 5.421010862427522e-20;

/** triangular2's scale: 1 / 2. ** (cycle - 1); past cycle 1024 that is 1 / Infinity = 0 (a deliberate IEEE result) */
export const triangular2Scale = (cycle: number): number => 1 / pow2(cycle - 1);

/**
 * Plans the evaluation of lr (and momentum) at last_epoch t = start + i, i in [0, length).
 * `baseLrs` replaces the options' base_lrs (the stateful path's first step uses group initialLr).
 * @throws {CyclicLRError} ERR_OVERFLOW when PyTorch could not compute some t of the window.
 */
export function planWindow(r: Resolved, start: number, length: number, baseLrs: readonly number[] = r.baseLrs): Plan {
  const G = r.groups;
  const params = new Float64Array(4 * G);
  let maxBase = 0;
  let maxAmp = 0;
  for (let g = 0; g < G; g++) {
    const amp = r.maxLrs[g] - baseLrs[g];
    if (!Number.isFinite(amp)) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `max_lr - base_lr of group ${g} must be finite, got ${show(amp)} (base_lr ${show(baseLrs[g])})`,
        'baseLr',
      );
    }
    params[4 * g] = baseLrs[g];
    params[4 * g + 1] = amp;
    params[4 * g + 2] = r.maxMomentums[g];
    params[4 * g + 3] = r.maxMomentums[g] - r.baseMomentums[g];
    maxBase = Math.max(maxBase, Math.abs(baseLrs[g]), r.cycleMomentum ? Math.abs(params[4 * g + 2]) : 0);
    maxAmp = Math.max(maxAmp, Math.abs(amp), r.cycleMomentum ? Math.abs(params[4 * g + 3]) : 0);
  }
  const end = length > 0 ? start + (length - 1) : start;
  for (const t of [start, end]) {
    if (!Number.isFinite(1 + t / r.totalSize)) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `last_epoch / total_size overflows at t = ${t} (total_size ${show(r.totalSize)}): ` +
          'PyTorch cannot take math.floor of it',
        'stepSizeUp',
      );
    }
  }

  let kind: number;
  let powBase: PowBase | null = null;
  const fn = r.scaleFn;
  if (fn !== null) kind = r.scaleMode === 'cycle' ? TABLE_CYCLE : TABLE_ITER;
  else if (r.mode === 'exp_range') kind = r.libm === 'fma' ? EXP_RANGE_FMA : EXP_RANGE;
  else kind = r.mode === 'triangular2' ? TRIANGULAR2 : TRIANGULAR;

  let fixedMaxAbsS = 1;
  if (kind === TRIANGULAR2) {
    // s decreases with the cycle: largest at the window's first t (> 1 only for negative epochs)
    const s = triangular2Scale(cycleOf(start, r.totalSize));
    if (!Number.isFinite(s)) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `triangular2: 1 / 2 ** (cycle - 1) divides by zero at t = ${start}`,
        'mode',
      );
    }
    fixedMaxAbsS = s;
  } else if (kind === EXP_RANGE || kind === EXP_RANGE_FMA) {
    const gamma = r.gamma;
    if (gamma !== 0) powBase = powPrepare(Math.abs(gamma), r.libm);
    for (const t of [start, end]) {
      if (gamma === 0 && t < 0)
        throw new CyclicLRError('ERR_OVERFLOW', `exp_range: gamma ** t divides by zero at t = ${t} (gamma 0)`, 'gamma');
      if (gamma < 0 && !Number.isInteger(t)) {
        throw new CyclicLRError(
          'ERR_OVERFLOW',
          `exp_range: gamma ** t is complex at t = ${t} (negative gamma ${show(gamma)}, fractional t)`,
          'gamma',
        );
      }
    }
    const sEnd = expScale(gamma, powBase, end);
    if (!Number.isFinite(sEnd)) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `exp_range: gamma ** t overflows at t = ${firstOverflow(gamma, powBase, start, end)} (gamma ${show(gamma)})`,
        'gamma',
      );
    }
    const sStart = expScale(gamma, powBase, start);
    if (!Number.isFinite(sStart)) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `exp_range: gamma ** t overflows at t = ${start} (gamma ${show(gamma)})`,
        'gamma',
      );
    }
    fixedMaxAbsS = Math.max(Math.abs(sStart), Math.abs(sEnd));
  }

  const plan: Plan = {
    start,
    length,
    groups: G,
    momentum: r.cycleMomentum,
    totalSize: r.totalSize,
    stepRatio: r.stepRatio,
    params,
    kind,
    gamma: r.gamma,
    powBase,
    mayOverflow: (maxAbsS, limit) => !(maxBase + maxAmp * maxAbsS < limit),
    *chunks() {
      if (fn === null) {
        yield { kind, offset: 0, length, table: null, c0: 0, maxAbsS: fixedMaxAbsS };
        return;
      }
      for (let off = 0; off < length; off += CHUNK) {
        yield customChunk(fn, kind, r.totalSize, start, off, Math.min(CHUNK, length - off));
      }
    },
  };
  return plan;
}

/** The first integer t in [lo, hi] where gamma ** t overflows (it does at hi) */
function firstOverflow(gamma: number, base: PowBase | null, lo: number, hi: number): number {
  if (!Number.isInteger(lo) || !Number.isInteger(hi)) return hi;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (Number.isFinite(expScale(gamma, base, mid))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calls the user's scale function once, as PyTorch would: a finite number or a CyclicLRError naming x. */
export function callScaleFn(fn: ScaleFn, x: number): number {
  let v: unknown;
  try {
    v = fn(x);
  } catch (e) {
    throw new CyclicLRError('ERR_SCALE_FN', `scaleFn threw when called with ${x}: ${errorText(e)}`, 'scaleFn');
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CyclicLRError(
      'ERR_SCALE_FN',
      `scaleFn must return a finite number, got ${show(v)} when called with ${x}`,
      'scaleFn',
    );
  }
  return v;
}

/**
 * The scale table of iterations [start + off, start + off + n): 'cycle' mode calls fn once per cycle
 * (table[cycle - c0]), 'iterations' once per iteration (table[i]).
 */
function customChunk(fn: ScaleFn, kind: number, total: number, start: number, off: number, n: number): Chunk {
  const t0 = start + off;
  let maxAbsS = 0;
  if (kind === TABLE_CYCLE) {
    const c0 = cycleOf(t0, total);
    const c1 = cycleOf(t0 + (n - 1), total);
    if (c1 - c0 < n) {
      const table = new Float64Array(c1 - c0 + 1);
      for (let j = 0; j < table.length; j++) {
        table[j] = callScaleFn(fn, c0 + j);
        maxAbsS = Math.max(maxAbsS, Math.abs(table[j]));
      }
      return { kind, offset: off, length: n, table, c0, maxAbsS };
    }
    // cycles shorter than an iteration: every iteration has its own cycle, so a table per iteration
    const table = new Float64Array(n);
    let last = NaN;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const c = cycleOf(t0 + i, total);
      if (c !== last) s = callScaleFn(fn, (last = c));
      table[i] = s;
      maxAbsS = Math.max(maxAbsS, Math.abs(s));
    }
    return { kind: TABLE_ITER, offset: off, length: n, table, c0: 0, maxAbsS };
  }
  const table = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    table[i] = callScaleFn(fn, t0 + i);
    maxAbsS = Math.max(maxAbsS, Math.abs(table[i]));
  }
  return { kind, offset: off, length: n, table, c0: 0, maxAbsS };
}
