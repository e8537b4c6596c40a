/**
 * The stable codes a {@link CyclicLRError} carries: what kind of input was refused.
 * - `ERR_INVALID_OPTION`: an option of `schedule()`/`CyclicLR` breaks its rule (type, range, list length).
 * - `ERR_INVALID_WINDOW`: `start`/`length`/`backend`/`dtype` of a window break their rule.
 * - `ERR_WINDOW_TOO_LARGE`: the result would not fit in the kernel's memory (4 GiB), checked before allocating.
 * - `ERR_OVERFLOW`: a value PyTorch cannot compute: `gamma ** t` or a result overflows, a division by zero.
 * - `ERR_SCALE_FN`: a custom `scaleFn` threw or returned a non-finite or non-number value.
 * - `ERR_OPTIMIZER`: the optimizer's param groups cannot be scheduled (no momentum/betas, no initialLr).
 * - `ERR_INVALID_STATE`: a state dict given to `loadStateDict()` is malformed or inconsistent.
 * - `ERR_OUT_OF_MEMORY`: the process could not allocate a result or the kernel's memory (RAM or address
 *   space ran out, e.g. under `ulimit -v`); the message says which and how many bytes.
 */
export type CyclicLRErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_WINDOW'
  | 'ERR_WINDOW_TOO_LARGE'
  | 'ERR_OVERFLOW'
  | 'ERR_SCALE_FN'
  | 'ERR_OPTIMIZER'
  | 'ERR_INVALID_STATE'
  | 'ERR_OUT_OF_MEMORY';

/**
 * The one error type cyclic-lr throws for bad input: `code` is stable (test it, not the message); the
 * message names the option, the rule and the value, e.g. `stepSizeUp must be a positive finite number, got 0`.
 *
 * @example
 * try { schedule({ baseLr: 0.1, maxLr: 1, stepSizeUp: 0 }, { length: 10 }); }
 * catch (e) { if (e instanceof CyclicLRError && e.code === 'ERR_INVALID_OPTION') console.error(e.message); }
 */
export class CyclicLRError extends Error {
  /** Stable, machine-readable kind of the error. */
  readonly code: CyclicLRErrorCode;
  /** The option or state key the error is about, when there is one (e.g. `'stepSizeUp'`, `'base_lrs'`). */
  readonly key: string | undefined;

  /** @throws never; constructs the error. */
  constructor(code: CyclicLRErrorCode, message: string, key?: string) {
    super(message);
    this.name = 'CyclicLRError';
    this.code = code;
    this.key = key;
  }
}

/** A value as a message shows it: numbers as JS prints them, strings quoted, others by type. */
export function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'symbol') return 'a symbol';
  return 'an object';
}
