// schedule(): the dense API -- lr (and momentum) of every param group over a window of iterations.
import { CyclicLRError, show } from './errors.js';
import { readKey, ownKeys, resolveOptions, type CyclicLROptions } from './options.js';
import { type Chunk, type Plan, planWindow } from './plan.js';
import { fillJs } from './reference.js';
import { MAX_MEMORY_BYTES, allocate, resultBytes, rowsOf, runWasm, type Dtype, type Row } from './wasm.js';

/** a window (or its out) that cannot be read is a window error */
const W = 'ERR_INVALID_WINDOW';

export type { Dtype } from './wasm.js';

/** Which implementation computes the values: the WebAssembly kernel, or its pure-TypeScript twin. Same bits. */
export type Backend = 'wasm' | 'js';

/** The iterations to evaluate: last_epoch t = start + i for i in [0, length). */
export interface Window {
  /** First iteration (PyTorch `last_epoch`), a whole number in [0, 2^53 - 1]. Default 0. */
  start?: number;
  /** Number of iterations, a whole number ≥ 0; start + length - 1 must stay ≤ 2^53 - 1. */
  length: number;
  /** Default 'wasm'. */
  backend?: Backend;
  /** 'float64' (default) or 'float32': each value the float64 result rounded once (Math.fround). */
  dtype?: Dtype;
  /**
   * An earlier result of the same shape to write into instead of allocating (warm memory: no allocation, no
   * page faults): its arrays are overwritten in place and returned.
   */
  out?: ScheduleResult<Row>;
}

/** lr[g][i] and momentum[g][i] of param group g at iteration start + i; momentum null without cycleMomentum. */
export interface ScheduleResult<A extends Row = Float64Array> {
  lr: A[];
  momentum: A[] | null;
}

const WINDOW_KEYS = ['start', 'length', 'backend', 'dtype', 'out'];

/** Validates a window. @throws {CyclicLRError} ERR_INVALID_WINDOW */
export function resolveWindow(window: unknown): {
  start: number;
  length: number;
  backend: Backend;
  dtype: Dtype;
  out: ScheduleResult<Row> | undefined;
} {
  if (window === null || typeof window !== 'object' || Array.isArray(window)) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `window must be an object { start, length, backend }, got ${show(window)}`,
      'window',
    );
  }
  for (const k of ownKeys(window, 'window', W)) {
    if (!WINDOW_KEYS.includes(k))
      throw new CyclicLRError(
        'ERR_INVALID_WINDOW',
        `window has an unknown key ${JSON.stringify(k)}; known keys: ${WINDOW_KEYS.join(', ')}`,
        k,
      );
  }
  const start = readKey(window, 'start', 'start', W) ?? 0;
  const length = readKey(window, 'length', 'length', W);
  const backend = readKey(window, 'backend', 'backend', W) ?? 'wasm';
  if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `start must be a whole number in [0, 2^53 - 1], got ${show(start)}`,
      'start',
    );
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `length must be a whole number ≥ 0, got ${show(length)}`, 'length');
  }
  if (length > 0 && start + (length - 1) > Number.MAX_SAFE_INTEGER) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `start + length - 1 must be ≤ 2^53 - 1, got start ${start} and length ${length}`,
      'length',
    );
  }
  if (backend !== 'wasm' && backend !== 'js') {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `backend must be 'wasm' or 'js', got ${show(backend)}`, 'backend');
  }
  const dtype = readKey(window, 'dtype', 'dtype', W) ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `dtype must be 'float64' or 'float32', got ${show(dtype)}`, 'dtype');
  }
  const out = readKey(window, 'out', 'out', W) ?? undefined;
  if (out !== undefined && (out === null || typeof out !== 'object')) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `out must be an earlier result { lr, momentum }, got ${show(out)}`,
      'out',
    );
  }
  return { start, length, backend, dtype, out: out as ScheduleResult<Row> | undefined };
}

/** Checks that `out` has the shape of this plan's result. @throws {CyclicLRError} ERR_INVALID_WINDOW */
function checkOut(out: ScheduleResult<Row>, plan: Plan, dtype: Dtype): void {
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const rowsOk = (rows: unknown): boolean =>
    Array.isArray(rows) &&
    rows.length === plan.groups &&
    rows.every((r) => r instanceof Arr && r.length === plan.length);
  const lr = readKey(out, 'lr', 'out.lr', W);
  const momentum = readKey(out, 'momentum', 'out.momentum', W);
  if (!rowsOk(lr) || (plan.momentum ? !rowsOk(momentum) : momentum !== null)) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `out must be a ${dtype} result of ${plan.groups} groups × ${plan.length} iterations` +
        `${plan.momentum ? ' with' : ' without'} momentum`,
      'out',
    );
  }
}

/** Throws when a chunk that may overflow wrote a non-finite value (PyTorch's inf/NaN lr). */
export function checkChunk(plan: Plan, chunk: Chunk, lr: Row[], mom: Row[] | null): void {
  const f32 = lr.length > 0 && lr[0] instanceof Float32Array;
  if (!plan.mayOverflow(chunk.maxAbsS, f32 ? 1e38 : 1e300)) return;
  for (const [name, rows] of [
    ['lr', lr],
    ['momentum', mom],
  ] as const) {
    if (!rows) continue;
    rows.forEach((row, g) => {
      for (let i = chunk.offset; i < chunk.offset + chunk.length; i++) {
        if (!Number.isFinite(row[i])) {
          throw new CyclicLRError(
            'ERR_OVERFLOW',
            `${name} of group ${g} overflows to ${row[i]} at t = ${plan.start + i}: ` +
              `|bound| + |max - base| * |scale| exceeds the ${f32 ? 'float32' : 'float64'} range`,
            name === 'lr' ? 'maxLr' : 'maxMomentum',
          );
        }
      }
    });
  }
}

/** Runs a plan on a backend, into `out` when given. */
export function runPlan<A extends Row = Float64Array>(
  plan: Plan,
  backend: Backend,
  dtype: Dtype = 'float64',
  out?: ScheduleResult<Row>,
): ScheduleResult<A> {
  if (out) checkOut(out, plan, dtype);
  if (backend === 'wasm')
    return runWasm(plan, dtype, (c, lr, mom) => checkChunk(plan, c, lr, mom), out) as ScheduleResult<A>;
  // the JS twin needs no kernel: it checks only what it allocates
  const need = resultBytes(plan, dtype);
  if (need > MAX_MEMORY_BYTES) {
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `the window needs ${need} bytes, more than the 4 GiB one call may return: use shorter windows`,
    );
  }
  const G = plan.groups;
  const L = plan.length;
  const flat = out ? null : allocate(dtype, G * L * (plan.momentum ? 2 : 1));
  const lr = out ? out.lr : rowsOf(flat!, 0, G, L);
  const momentum = out ? out.momentum : plan.momentum ? rowsOf(flat!, G * L, G, L) : null;
  for (const c of plan.chunks()) {
    fillJs(plan, c, lr, momentum);
    checkChunk(plan, c, lr, momentum);
  }
  return (out ?? { lr, momentum }) as ScheduleResult<A>;
}

/**
 * The lr (and momentum) PyTorch's CyclicLR gives every param group at iterations start … start + length - 1:
 * `lr[g][i]` is `scheduler.get_last_lr()[g]` when `last_epoch == start + i` (a fresh scheduler stepped
 * start + i times) and `momentum[g][i]` the group's momentum then, bit for bit.
 *
 * Results are ordinary typed arrays, views of one fresh ArrayBuffer per call (`lr[0].buffer` holds the lr
 * rows, then the momentum rows): no later call changes them (see docs/memory.md).
 *
 * @param options PyTorch's CyclicLR arguments in camelCase (see {@link CyclicLROptions}).
 * @param window `{ start = 0, length, backend = 'wasm', dtype = 'float64', out }`.
 * @throws {CyclicLRError} `ERR_INVALID_OPTION` / `ERR_INVALID_WINDOW` for bad input, `ERR_OVERFLOW` when PyTorch
 *   could not compute a value of the window (exp_range `gamma ** t` overflow, …), `ERR_SCALE_FN` when a custom
 *   scaleFn throws or returns a non-finite value, `ERR_WINDOW_TOO_LARGE` past 4 GiB of results,
 *   `ERR_OUT_OF_MEMORY` when the process cannot allocate the result.
 * @example
 * const { lr, momentum } = schedule(
 *   { baseLr: [0.001, 0.01], maxLr: [0.006, 0.1], stepSizeUp: 2000, mode: 'triangular2' },
 *   { start: 0, length: 1_000_000 },
 * );
 * lr[1][123_456]; // lr of param group 1 at iteration 123456
 */
export function schedule(options: CyclicLROptions, window: Window & { dtype: 'float32' }): ScheduleResult<Float32Array>;
export function schedule(
  options: CyclicLROptions,
  window: Window & { dtype?: 'float64' },
): ScheduleResult<Float64Array>;
export function schedule(options: CyclicLROptions, window: Window): ScheduleResult<Row>;
export function schedule(options: CyclicLROptions, window: Window): ScheduleResult<Row> {
  const r = resolveOptions(options);
  const w = resolveWindow(window);
  const G = r.groups;
  const bytes = G * w.length * (w.dtype === 'float32' ? 4 : 8) * (r.cycleMomentum ? 2 : 1);
  if (bytes > MAX_MEMORY_BYTES) {
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `${G} groups × ${w.length} iterations need ${bytes} bytes of results, ` +
        'more than the 4 GiB one call may return: use shorter windows',
      'length',
    );
  }
  return runPlan(planWindow(r, w.start, w.length), w.backend, w.dtype, w.out);
}
