// Options validation, in one place: PyTorch's CyclicLR arguments in camelCase -> a checked, resolved form.
import { CyclicLRError, type CyclicLRErrorCode, show } from './errors.js';

/** PyTorch's built-in modes. */
export type Mode = 'triangular' | 'triangular2' | 'exp_range';
/** What a custom `scaleFn` is called with: the cycle number or the iteration (`last_epoch`). */
export type ScaleMode = 'cycle' | 'iterations';
/** A custom scale function: PyTorch's `scale_fn`, called with a cycle number or an iteration. */
export type ScaleFn = (x: number) => number;
/** A number, or one number per param group. */
export type PerGroup = number | readonly number[];
/**
 * Which glibc `pow` exp_range reproduces: `'fma'` (the code path every x86-64 CPU with AVX2 + FMA and every
 * aarch64 CPU runs, stock PyTorch there) or `'nofma'` (older or masked CPUs).
 */
export type Libm = 'fma' | 'nofma';
/** the libm variant used when options name none */
export const DEFAULT_LIBM: Libm = 'fma';

/** The options every mode shares (PyTorch's `CyclicLR` arguments in camelCase, with PyTorch's defaults). */
export interface CyclicLROptionsBase {
  /** Lower lr bound(s), PyTorch `base_lr`. Required. */
  baseLr: PerGroup;
  /** Upper lr bound(s), PyTorch `max_lr`. Required. */
  maxLr: PerGroup;
  /** Iterations in the increasing half of a cycle (> 0, may be fractional). Default 2000. */
  stepSizeUp?: number;
  /** Iterations in the decreasing half (≥ 0); `null`/absent: equal to `stepSizeUp`. */
  stepSizeDown?: number | null;
  /** exp_range's base: scale = gamma ** iteration. Default 1.0. */
  gamma?: number;
  /** What `scaleFn` is called with. Default `'cycle'`; built-in modes force their own. */
  scaleMode?: ScaleMode;
  /** Cycle momentum inversely to lr. Default true. */
  cycleMomentum?: boolean;
  /** Lower momentum bound(s). Default 0.8. Finite, one per group; `maxMomentum - baseMomentum` finite when cycled. */
  baseMomentum?: PerGroup;
  /** Upper momentum bound(s). Default 0.9. */
  maxMomentum?: PerGroup;
  /** Number of param groups when every per-group option is a scalar; must match any list given. */
  groups?: number;
  /** Which glibc `pow` exp_range's `gamma ** t` reproduces (see {@link Libm}). */
  libm?: Libm;
}

/** A built-in mode: `mode` is one of PyTorch's three (a typo such as `'triangle'` does not type-check). */
export interface BuiltInModeOptions {
  /** `'triangular'` (default), `'triangular2'`, `'exp_range'`. */
  mode?: Mode;
  /** Custom scale function; overrides `mode`. Default null. */
  scaleFn?: ScaleFn | null;
}

/** A custom scale function: then, as in PyTorch, `mode` is only a label and may be any string. */
export interface CustomScaleOptions {
  /** Any string (PyTorch keeps it in the state dict). */
  mode?: string;
  /** Custom scale function, PyTorch `scale_fn`; overrides `mode`. */
  scaleFn: ScaleFn;
}

/**
 * PyTorch's `CyclicLR` arguments in camelCase, with PyTorch's defaults. `mode` other than PyTorch's three
 * type-checks only with a `scaleFn` (as the runtime check says).
 * @example
 * const options: CyclicLROptions = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 2000, mode: 'triangular2' };
 */
export type CyclicLROptions = CyclicLROptionsBase & (BuiltInModeOptions | CustomScaleOptions);

/** Options after validation: per-group lists expanded, PyTorch's derived quantities computed. */
export interface Resolved {
  readonly groups: number;
  readonly baseLrs: readonly number[];
  readonly maxLrs: readonly number[];
  readonly baseMomentums: readonly number[];
  readonly maxMomentums: readonly number[];
  readonly stepSizeUp: number;
  readonly stepSizeDown: number;
  /** PyTorch `total_size` = up + down */
  readonly totalSize: number;
  /** PyTorch `step_ratio` = up / total_size */
  readonly stepRatio: number;
  readonly mode: string;
  readonly gamma: number;
  readonly scaleFn: ScaleFn | null;
  /** the effective scale mode: forced for built-in modes, as PyTorch does */
  readonly scaleMode: ScaleMode;
  readonly cycleMomentum: boolean;
  readonly libm: Libm;
}

/** the most param groups one call takes (their parameters alone are then 128 MiB) */
export const MAX_GROUPS = 1 << 22;

export const MODES: readonly string[] = ['triangular', 'triangular2', 'exp_range'];
export const OPTION_KEYS: readonly string[] = [
  'baseLr',
  'maxLr',
  'stepSizeUp',
  'stepSizeDown',
  'mode',
  'gamma',
  'scaleFn',
  'scaleMode',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'groups',
  'libm',
];

const bad = (key: string, rule: string, v: unknown): CyclicLRError =>
  new CyclicLRError('ERR_INVALID_OPTION', `${key} ${rule}, got ${show(v)}`, key);

/** Reads `obj[key]`, turning a throwing getter or proxy trap into a CyclicLRError. */
export function readKey(obj: object, key: string, what = key, code: CyclicLRErrorCode = 'ERR_INVALID_OPTION'): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (e) {
    throw new CyclicLRError(code, `${what} could not be read: ${errorText(e)}`, what);
  }
}

/** The own enumerable keys of `obj`, as a CyclicLRError (`code`) if a proxy refuses. */
export function ownKeys(obj: object, what: string, code: CyclicLRErrorCode = 'ERR_INVALID_OPTION'): string[] {
  try {
    return Object.keys(obj);
  } catch (e) {
    throw new CyclicLRError(code, `${what} could not be read: ${errorText(e)}`, what);
  }
}

export function errorText(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'an unprintable value';
  }
}

/** Copies a number or a list of numbers; lists must be arrays (or typed arrays) of numbers. */
function perGroup(key: string, v: unknown): number | number[] {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const arr = v as ArrayLike<unknown>;
    let n: number;
    try {
      n = arr.length;
    } catch (e) {
      throw new CyclicLRError('ERR_INVALID_OPTION', `${key} could not be read: ${errorText(e)}`, key);
    }
    if (n === 0) throw bad(key, 'must be a number or a non-empty list of numbers', v);
    if (!(n <= MAX_GROUPS)) throw bad(key, `must have at most ${MAX_GROUPS} values (one per param group)`, v);
    const out: number[] = new Array(n);
    for (let g = 0; g < n; g++) {
      const x = readKey(arr, String(g), `${key}[${g}]`);
      if (typeof x !== 'number') throw bad(`${key}[${g}]`, 'must be a finite number', x);
      out[g] = x;
    }
    return out;
  }
  throw bad(key, 'must be a number or a list of numbers', v);
}

function finiteList(key: string, v: number | number[], G: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(G).fill(v) : v;
  if (list.length !== G) {
    throw new CyclicLRError(
      'ERR_INVALID_OPTION',
      `${key} must have one value per param group (${G}), got ${list.length} values`,
      key,
    );
  }
  list.forEach((x, g) => {
    if (!Number.isFinite(x)) throw bad(typeof v === 'number' ? key : `${key}[${g}]`, 'must be a finite number', x);
  });
  return list;
}

/**
 * Validates options and resolves them as PyTorch's constructor does (defaults, per-group lists, total_size,
 * step_ratio, forced scale_mode). `extraKeys` are accepted and ignored (the caller reads them);
 * `groupsFixed` is the group count an optimizer imposes.
 * @throws {CyclicLRError} ERR_INVALID_OPTION naming the option, the rule and the value.
 */
export function resolveOptions(options: unknown, extraKeys: readonly string[] = [], groupsFixed?: number): Resolved {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new CyclicLRError('ERR_INVALID_OPTION', `options must be an object, got ${show(options)}`, 'options');
  }
  for (const k of ownKeys(options, 'options')) {
    if (!OPTION_KEYS.includes(k) && !extraKeys.includes(k)) {
      throw new CyclicLRError(
        'ERR_INVALID_OPTION',
        `options has an unknown key ${JSON.stringify(k)}; known keys: ${[...OPTION_KEYS, ...extraKeys].join(', ')}`,
        k,
      );
    }
  }
  const get = (k: string): unknown => readKey(options, k);
  const raw = {
    baseLr: get('baseLr'),
    maxLr: get('maxLr'),
    stepSizeUp: get('stepSizeUp'),
    stepSizeDown: get('stepSizeDown'),
    mode: get('mode'),
    gamma: get('gamma'),
    scaleFn: get('scaleFn'),
    scaleMode: get('scaleMode'),
    cycleMomentum: get('cycleMomentum'),
    baseMomentum: get('baseMomentum'),
    maxMomentum: get('maxMomentum'),
    groups: get('groups'),
    libm: get('libm'),
  };
  if (raw.baseLr === undefined) throw bad('baseLr', 'is required: a number or a list of numbers', undefined);
  if (raw.maxLr === undefined) throw bad('maxLr', 'is required: a number or a list of numbers', undefined);
  const lists: Record<string, number | number[]> = {
    baseLr: perGroup('baseLr', raw.baseLr),
    maxLr: perGroup('maxLr', raw.maxLr),
    baseMomentum: perGroup('baseMomentum', raw.baseMomentum ?? 0.8),
    maxMomentum: perGroup('maxMomentum', raw.maxMomentum ?? 0.9),
  };

  let G = groupsFixed;
  if (raw.groups !== undefined) {
    if (
      typeof raw.groups !== 'number' ||
      !Number.isSafeInteger(raw.groups) ||
      raw.groups < 1 ||
      raw.groups > MAX_GROUPS
    ) {
      throw bad('groups', `must be a whole number in [1, ${MAX_GROUPS}]`, raw.groups);
    }
    if (G !== undefined && raw.groups !== G) {
      throw new CyclicLRError(
        'ERR_INVALID_OPTION',
        `groups must equal the optimizer's ${G} param groups, got ${raw.groups}`,
        'groups',
      );
    }
    G = raw.groups;
  }
  if (G === undefined) {
    const first = Object.entries(lists).find(([, v]) => typeof v !== 'number');
    G = first ? (first[1] as number[]).length : 1;
  }
  const cycleMomentum = raw.cycleMomentum ?? true;
  if (typeof cycleMomentum !== 'boolean') throw bad('cycleMomentum', 'must be true or false', cycleMomentum);
  const baseLrs = finiteList('baseLr', lists.baseLr, G);
  const maxLrs = finiteList('maxLr', lists.maxLr, G);
  const baseMomentums = finiteList('baseMomentum', lists.baseMomentum, G);
  const maxMomentums = finiteList('maxMomentum', lists.maxMomentum, G);
  for (let g = 0; g < G; g++) {
    if (!Number.isFinite(maxLrs[g] - baseLrs[g])) {
      throw bad(G > 1 ? `maxLr[${g}] - baseLr[${g}]` : 'maxLr - baseLr', 'must be finite', maxLrs[g] - baseLrs[g]);
    }
    // PyTorch subtracts the momentum bounds only when it cycles momentum
    if (cycleMomentum && !Number.isFinite(maxMomentums[g] - baseMomentums[g])) {
      throw bad(
        G > 1 ? `maxMomentum[${g}] - baseMomentum[${g}]` : 'maxMomentum - baseMomentum',
        'must be finite',
        maxMomentums[g] - baseMomentums[g],
      );
    }
  }

  const up = raw.stepSizeUp ?? 2000;
  if (typeof up !== 'number' || !Number.isFinite(up) || !(up > 0))
    throw bad('stepSizeUp', 'must be a positive finite number', up);
  const down = raw.stepSizeDown ?? up;
  if (typeof down !== 'number' || !Number.isFinite(down) || !(down >= 0)) {
    throw bad('stepSizeDown', 'must be a finite number ≥ 0 (or null for stepSizeUp)', down);
  }
  // see: torch/optim/lr_scheduler.py CyclicLR.__init__
  const totalSize = up + down;
  const stepRatio = up / totalSize;
  if (!Number.isFinite(totalSize)) throw bad('stepSizeUp + stepSizeDown', 'must be finite', totalSize);
  if (!(stepRatio > 0)) throw bad('stepSizeUp / (stepSizeUp + stepSizeDown)', 'must not underflow to 0', stepRatio);

  const scaleFn = raw.scaleFn ?? null;
  if (scaleFn !== null && typeof scaleFn !== 'function') throw bad('scaleFn', 'must be a function or null', scaleFn);
  const mode = raw.mode ?? 'triangular';
  if (typeof mode !== 'string') throw bad('mode', "must be 'triangular', 'triangular2' or 'exp_range'", mode);
  if (scaleFn === null && !MODES.includes(mode)) {
    throw bad('mode', "must be 'triangular', 'triangular2' or 'exp_range' when there is no scaleFn", mode);
  }
  const gamma = raw.gamma ?? 1.0;
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) throw bad('gamma', 'must be a finite number', gamma);
  const scaleModeIn = raw.scaleMode ?? 'cycle';
  if (scaleModeIn !== 'cycle' && scaleModeIn !== 'iterations')
    throw bad('scaleMode', "must be 'cycle' or 'iterations'", scaleModeIn);
  const libm = raw.libm ?? DEFAULT_LIBM;
  if (libm !== 'fma' && libm !== 'nofma') throw bad('libm', "must be 'fma' or 'nofma'", libm);
  // see: CyclicLR.__init__ / _init_scale_fn: built-in modes force their scale mode
  const scaleMode: ScaleMode = scaleFn !== null ? scaleModeIn : mode === 'exp_range' ? 'iterations' : 'cycle';
  return {
    groups: G,
    baseLrs,
    maxLrs,
    baseMomentums,
    maxMomentums,
    stepSizeUp: up,
    stepSizeDown: down,
    totalSize,
    stepRatio,
    mode,
    gamma,
    scaleFn: scaleFn as ScaleFn | null,
    scaleMode,
    cycleMomentum,
    libm,
  };
}
