// scheduleMany() and expandGrid(): many configurations over one window, in one contiguous result.
import { CyclicLRError, show } from './errors.js';
import { OPTION_KEYS, resolveOptions, type CyclicLROptions } from './options.js';
import { planWindow, type Plan } from './plan.js';
import { fillJs } from './reference.js';
import { checkChunk, resolveWindow, type ScheduleResult, type Window } from './schedule.js';
import { MAX_MEMORY_BYTES, runManyWasm, splitFlat, type Row } from './wasm.js';

/** Every configuration's result in one block: `results[c].lr[g]` are views of `lr` (then of `momentum`). */
export interface ManyResult<A extends Row = Float64Array> {
  /** lr rows of config 0 (its groups in order), then config 1, …: each row `length` values. */
  lr: A;
  /** momentum rows of the configs that cycle momentum, in the same order; null when none does. */
  momentum: A | null;
  /** per config: `{ lr, momentum }` as schedule() returns them, views of the blocks above. */
  results: ScheduleResult<A>[];
}

/** Prefixes an error from config c with its index, keeping its code. */
function inConfig<T>(c: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof CyclicLRError)) throw e;
    throw new CyclicLRError(
      e.code,
      `configs[${c}]: ${e.message}`,
      e.key === undefined ? `configs[${c}]` : `configs[${c}].${e.key}`,
    );
  }
}

/**
 * Evaluates many configurations (each with its own bounds, step sizes, mode, gamma, groups) over one window
 * in one call, into one contiguous block: a grid search's precomputation. Each config's numbers are exactly
 * `schedule(config, window)`'s.
 *
 * @param configs a list of schedule() options (see {@link expandGrid} to build one).
 * @param window `{ start = 0, length, backend = 'wasm', dtype = 'float64' }` (no `out`).
 * @throws {CyclicLRError} what schedule() throws for a config, with `configs[i]` in the message and `key`;
 *   `ERR_INVALID_OPTION` when configs is not an array; `ERR_WINDOW_TOO_LARGE` past 4 GiB in all.
 * @example
 * const { labels, configs } = expandGrid({ stepSizeUp: 2000 }, { baseLr: [0.001, 0.01], maxLr: [0.1, 1] });
 * const { lr, results } = scheduleMany(configs, { length: 100_000 });
 * results[3].lr[0]; // lr of labels[3] ('baseLr=0.01,maxLr=1'), group 0
 */
export function scheduleMany(
  configs: readonly CyclicLROptions[],
  window: Window & { dtype: 'float32' },
): ManyResult<Float32Array>;
export function scheduleMany(
  configs: readonly CyclicLROptions[],
  window: Window & { dtype?: 'float64' },
): ManyResult<Float64Array>;
export function scheduleMany(configs: readonly CyclicLROptions[], window: Window): ManyResult<Row>;
export function scheduleMany(configs: readonly CyclicLROptions[], window: Window): ManyResult<Row> {
  if (!Array.isArray(configs))
    throw new CyclicLRError(
      'ERR_INVALID_OPTION',
      `configs must be an array of options, got ${show(configs)}`,
      'configs',
    );
  const w = resolveWindow(window);
  if (w.out !== undefined) throw new CyclicLRError('ERR_INVALID_WINDOW', 'out is not supported by scheduleMany', 'out');
  const E = w.dtype === 'float32' ? 4 : 8;
  const resolved = configs.map((o, c) => inConfig(c, () => resolveOptions(o)));
  const bytes = resolved.reduce((n, r) => n + r.groups * w.length * E * (r.cycleMomentum ? 2 : 1), 0);
  if (bytes > MAX_MEMORY_BYTES) {
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `${configs.length} configs × ${w.length} iterations need ${bytes} bytes of results, ` +
        'more than the 4 GiB one call may return',
      'length',
    );
  }
  const plans: Plan[] = resolved.map((r, c) => inConfig(c, () => planWindow(r, w.start, w.length)));
  const check = (c: number) => (chunk: Parameters<typeof checkChunk>[1], lr: Row[], mom: Row[] | null) =>
    inConfig(c, () => checkChunk(plans[c], chunk, lr, mom));
  let many;
  if (w.backend === 'wasm') many = runManyWasm(plans, w.dtype, check);
  else {
    const Arr = w.dtype === 'float32' ? Float32Array : Float64Array;
    const lrElems = plans.reduce((n, p) => n + p.groups * w.length, 0);
    const momElems = plans.reduce((n, p) => n + (p.momentum ? p.groups * w.length : 0), 0);
    many = splitFlat(new Arr(lrElems), plans.some((p) => p.momentum) ? new Arr(momElems) : null, plans, w.length);
    plans.forEach((plan, c) => {
      const { lr, momentum } = many!.rows[c];
      for (const chunk of plan.chunks()) {
        inConfig(c, () => fillJs(plan, chunk, lr, momentum));
        check(c)(chunk, lr, momentum);
      }
    });
  }
  return { lr: many.lr, momentum: many.momentum, results: many.rows };
}

/**
 * Expands a grid: every combination of the values of `axes` (the last axis varies fastest, as
 * itertools.product), each on top of `base`, with a stable label `key=value,key=value` per config.
 * @throws {CyclicLRError} ERR_INVALID_OPTION when an axis is not an option name or not a non-empty array.
 * @example
 * expandGrid({ baseLr: 0.001, stepSizeUp: 2000 }, { maxLr: [0.1, 1], mode: ['triangular', 'exp_range'] });
 * // labels: ['maxLr=0.1,mode=triangular', 'maxLr=0.1,mode=exp_range',
 * //          'maxLr=1,mode=triangular', 'maxLr=1,mode=exp_range']
 */
export function expandGrid(
  base: Partial<CyclicLROptions>,
  axes: Record<string, readonly unknown[]>,
): { labels: string[]; configs: CyclicLROptions[] } {
  if (base === null || typeof base !== 'object')
    throw new CyclicLRError('ERR_INVALID_OPTION', `base must be an object of options, got ${show(base)}`, 'base');
  if (axes === null || typeof axes !== 'object')
    throw new CyclicLRError('ERR_INVALID_OPTION', `axes must be an object of value lists, got ${show(axes)}`, 'axes');
  const keys = Object.keys(axes);
  for (const k of keys) {
    if (!OPTION_KEYS.includes(k))
      throw new CyclicLRError(
        'ERR_INVALID_OPTION',
        `axes.${k} is not an option; options: ${OPTION_KEYS.join(', ')}`,
        k,
      );
    const v = axes[k];
    if (!Array.isArray(v) || v.length === 0)
      throw new CyclicLRError('ERR_INVALID_OPTION', `axes.${k} must be a non-empty array of values, got ${show(v)}`, k);
  }
  const labels: string[] = [];
  const configs: CyclicLROptions[] = [];
  const pick = new Array<number>(keys.length).fill(0);
  const count = keys.reduce((n, k) => n * axes[k].length, 1);
  for (let n = 0; n < count; n++) {
    const o: Record<string, unknown> = { ...base };
    const parts: string[] = [];
    keys.forEach((k, a) => {
      const v = axes[k][pick[a]];
      o[k] = v;
      parts.push(
        `${k}=${typeof v === 'function' ? v.name || 'fn' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
      );
    });
    labels.push(parts.join(','));
    configs.push(o as unknown as CyclicLROptions);
    for (let a = keys.length - 1; a >= 0; a--) {
      if (++pick[a] < axes[keys[a]].length) break;
      pick[a] = 0;
    }
  }
  return { labels, configs };
}
