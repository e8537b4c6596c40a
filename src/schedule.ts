// schedule(): the dense API -- lr (and momentum) of every param group over a window of iterations.
import { CyclicLRError, show } from './errors.js';
import { readKey, ownKeys, resolveOptions, type CyclicLROptions } from './options.js';
import { type Chunk, type Plan, planWindow } from './plan.js';
import { fillJs } from './reference.js';
import { MAX_MEMORY_BYTES, bytesNeeded, runWasm } from './wasm.js';

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
  /**
   * An earlier result of the same shape to write into instead of allocating (warm memory): its arrays are
   * overwritten and returned. A large result of the kernel is rewritten in place by the kernel.
   */
  out?: ScheduleResult;
}

/** lr[g][i] and momentum[g][i] of param group g at iteration start + i; momentum null without cycleMomentum. */
export interface ScheduleResult {
  lr: Float64Array[];
  momentum: Float64Array[] | null;
}

const WINDOW_KEYS = ['start', 'length', 'backend', 'out'];

/** Validates a window. @throws {CyclicLRError} ERR_INVALID_WINDOW */
export function resolveWindow(window: unknown): { start: number; length: number; backend: Backend; out: ScheduleResult | undefined } {
  if (window === null || typeof window !== 'object' || Array.isArray(window)) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `window must be an object { start, length, backend }, got ${show(window)}`, 'window');
  }
  for (const k of ownKeys(window, 'window')) {
    if (!WINDOW_KEYS.includes(k)) throw new CyclicLRError('ERR_INVALID_WINDOW', `window has an unknown key ${JSON.stringify(k)}; known keys: ${WINDOW_KEYS.join(', ')}`, k);
  }
  const start = readKey(window, 'start') ?? 0;
  const length = readKey(window, 'length');
  const backend = readKey(window, 'backend') ?? 'wasm';
  if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `start must be a whole number in [0, 2^53 - 1], got ${show(start)}`, 'start');
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `length must be a whole number ≥ 0, got ${show(length)}`, 'length');
  }
  if (length > 0 && start + (length - 1) > Number.MAX_SAFE_INTEGER) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `start + length - 1 must be ≤ 2^53 - 1, got start ${start} and length ${length}`, 'length');
  }
  if (backend !== 'wasm' && backend !== 'js') {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `backend must be 'wasm' or 'js', got ${show(backend)}`, 'backend');
  }
  const out = readKey(window, 'out') ?? undefined;
  if (out !== undefined && (out === null || typeof out !== 'object')) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `out must be an earlier result { lr, momentum }, got ${show(out)}`, 'out');
  }
  return { start, length, backend, out: out as ScheduleResult | undefined };
}

/** Checks that `out` has the shape of this plan's result. @throws {CyclicLRError} ERR_INVALID_WINDOW */
function checkOut(out: ScheduleResult, plan: Plan): void {
  const rowsOk = (rows: unknown): boolean => Array.isArray(rows) && rows.length === plan.groups
    && rows.every((r) => r instanceof Float64Array && r.length === plan.length);
  const lr = readKey(out, 'lr', 'out.lr');
  const momentum = readKey(out, 'momentum', 'out.momentum');
  if (!rowsOk(lr) || (plan.momentum ? !rowsOk(momentum) : momentum !== null)) {
    throw new CyclicLRError('ERR_INVALID_WINDOW', `out must be a result of ${plan.groups} groups × ${plan.length} iterations${plan.momentum ? ' with' : ' without'} momentum`, 'out');
  }
}

/** Throws when a chunk that may overflow wrote a non-finite value (PyTorch's inf/NaN lr). */
export function checkChunk(plan: Plan, chunk: Chunk, lr: Float64Array[], mom: Float64Array[] | null): void {
  if (!plan.mayOverflow(chunk.maxAbsS)) return;
  for (const [name, rows] of [['lr', lr], ['momentum', mom]] as const) {
    if (!rows) continue;
    rows.forEach((row, g) => {
      for (let i = chunk.offset; i < chunk.offset + chunk.length; i++) {
        if (!Number.isFinite(row[i])) {
          throw new CyclicLRError('ERR_OVERFLOW', `${name} of group ${g} overflows to ${row[i]} at t = ${plan.start + i}: |bound| + |max - base| * |scale| exceeds the float64 range`, name === 'lr' ? 'maxLr' : 'maxMomentum');
        }
      }
    });
  }
}

/** Runs a plan on a backend, into `out` when given. */
export function runPlan(plan: Plan, backend: Backend, out?: ScheduleResult): ScheduleResult {
  if (out) checkOut(out, plan);
  if (backend === 'wasm') return runWasm(plan, (c, lr, mom) => checkChunk(plan, c, lr, mom), out);
  const need = bytesNeeded(plan);
  if (need > MAX_MEMORY_BYTES) {
    throw new CyclicLRError('ERR_WINDOW_TOO_LARGE', `the window needs ${need} bytes, more than the 4 GiB one call may return: use shorter windows`);
  }
  const rows = (): Float64Array[] => Array.from({ length: plan.groups }, () => new Float64Array(plan.length));
  const lr = out ? out.lr : rows();
  const momentum = out ? out.momentum : plan.momentum ? rows() : null;
  for (const c of plan.chunks()) {
    fillJs(plan, c, lr, momentum);
    checkChunk(plan, c, lr, momentum);
  }
  return { lr, momentum };
}

/**
 * The lr (and momentum) PyTorch's CyclicLR gives every param group at iterations start … start + length - 1:
 * `lr[g][i]` is `scheduler.get_last_lr()[g]` when `last_epoch == start + i` (a fresh scheduler stepped
 * start + i times) and `momentum[g][i]` the group's momentum then, bit for bit.
 *
 * Results below 1 MiB are fresh arrays; larger ones are views of a WebAssembly memory that belongs to this
 * result alone (`lr[0].buffer` holds every row). Either way no later call changes them.
 *
 * @param options PyTorch's CyclicLR arguments in camelCase (see {@link CyclicLROptions}).
 * @param window `{ start = 0, length, backend = 'wasm' }`.
 * @throws {CyclicLRError} `ERR_INVALID_OPTION` / `ERR_INVALID_WINDOW` for bad input, `ERR_OVERFLOW` when PyTorch
 *   could not compute a value of the window (exp_range `gamma ** t` overflow, …), `ERR_SCALE_FN` when a custom
 *   scaleFn throws or returns a non-finite value, `ERR_WINDOW_TOO_LARGE` past 4 GiB of results.
 * @example
 * const { lr, momentum } = schedule(
 *   { baseLr: [0.001, 0.01], maxLr: [0.006, 0.1], stepSizeUp: 2000, mode: 'triangular2' },
 *   { start: 0, length: 1_000_000 },
 * );
 * lr[1][123_456]; // lr of param group 1 at iteration 123456
 */
export function schedule(options: CyclicLROptions, window: Window): ScheduleResult {
  const r = resolveOptions(options);
  const w = resolveWindow(window);
  const G = r.groups;
  const bytes = G * w.length * 8 * (r.cycleMomentum ? 2 : 1);
  if (bytes > MAX_MEMORY_BYTES) {
    throw new CyclicLRError('ERR_WINDOW_TOO_LARGE', `${G} groups × ${w.length} iterations need ${bytes} bytes of results, more than the 4 GiB one call may return: use shorter windows`, 'length');
  }
  return runPlan(planWindow(r, w.start, w.length), w.backend, w.out);
}
