// CyclicLR: the stateful scheduler with PyTorch's API (the latest PyTorch's semantics), driven by the kernel.
import { CyclicLRError, show } from './errors.js';
import { GroupWrites } from './group-writes.js';
import {
  MAX_GROUPS,
  MODES,
  errorText,
  readKey,
  resolveOptions,
  type CyclicLROptions,
  type Libm,
  type Resolved,
  type ScaleFn,
  type ScaleMode,
} from './options.js';
import { callScaleFn, planWindow, triangular2Scale } from './plan.js';
import { expScale, powFixed, powPrepare } from './pow.js';
import { parsePythonJSON, toPythonJSON } from './python-json.js';
import { runPlan, type Backend, type ScheduleResult } from './schedule.js';
import { MAX_MEMORY_BYTES } from './wasm.js';

/** A param group as the scheduler reads and writes it (PyTorch's keys in camelCase). */
export interface ParamGroup {
  lr?: number;
  /** SGD-like optimizers: cycled inversely to lr */
  momentum?: number;
  /** Adam-like optimizers: `betas[0]` is cycled (the latest PyTorch's `use_beta1`) */
  betas?: number[];
  /** PyTorch `initial_lr`: written on a fresh start, required to resume (`lastEpoch` ≠ -1) */
  initialLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
  [key: string]: unknown;
}

/** Anything with PyTorch-like param groups. */
export interface Optimizer {
  paramGroups: ParamGroup[];
}

/** `schedule()`'s options plus PyTorch's `last_epoch` and the backend. */
export type CyclicLRSchedulerOptions = CyclicLROptions & {
  /** PyTorch `last_epoch`: -1 starts fresh; k resumes (the constructor's step moves to k + 1). Default -1. */
  lastEpoch?: number;
  /** 'wasm' (default) or 'js'; identical bits. */
  backend?: Backend;
};

/** The state dict key of the `libm` option: not a Python identifier, so no PyTorch attribute can take it. */
export const LIBM_STATE_KEY = 'cyclic-lr:libm';

/** The latest PyTorch's `CyclicLR.state_dict()`, JSON-safe. */
export interface CyclicLRState {
  max_lrs: number[];
  total_size: number;
  step_ratio: number;
  mode: string;
  gamma: number;
  scale_mode: ScaleMode;
  cycle_momentum: boolean;
  use_beta1?: boolean;
  base_momentums?: number[];
  max_momentums?: number[];
  base_lrs: number[];
  last_epoch: number;
  _step_count: number;
  _is_initial: boolean;
  _get_lr_called_within_step: boolean;
  _last_lr: number[];
  _scale_fn_custom: Record<string, unknown> | null;
  /** cyclic-lr's own: the `libm` option (absent in PyTorch's state dicts, which then keep this scheduler's) */
  'cyclic-lr:libm'?: Libm;
}

const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being ' +
  'deprecated where possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, ' +
  'if epoch is different from None, the closed form is used instead of the new chainable form, where available.';
const GET_LR_WARNING = 'To get the last learning rate computed by the scheduler, please use `getLastLr()`.';
const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  const proc = (globalThis as { process?: { emitWarning?: (m: string, t: string) => void } }).process;
  if (proc && typeof proc.emitWarning === 'function') proc.emitWarning(message, 'UserWarning');
  else console.warn(`UserWarning: ${message}`);
}

/** steps computed ahead by one kernel call (built-in modes; a custom scaleFn is called step by step) */
const AHEAD = 256;

const optErr = (message: string, key?: string): CyclicLRError => new CyclicLRError('ERR_OPTIMIZER', message, key);
const stateErr = (key: string, rule: string, v: unknown): CyclicLRError =>
  new CyclicLRError('ERR_INVALID_STATE', `state.${key} ${rule}, got ${show(v)}`, key);
/** Object.keys of a state (or of its `_scale_fn_custom`): a throwing Proxy trap as ERR_INVALID_STATE */
const stateKeys = (obj: object, key: string, name: string): string[] => {
  try {
    return Object.keys(obj);
  } catch (e) {
    throw new CyclicLRError('ERR_INVALID_STATE', `${name} could not be read: ${errorText(e)}`, key);
  }
};

/**
 * PyTorch's `torch.optim.lr_scheduler.CyclicLR` for a JS/TS training loop: the same calls, state and numbers
 * (bit for bit), following the latest PyTorch where it differs from 1.13.
 *
 * The constructor does PyTorch's initial step: on a fresh start (`lastEpoch` -1) every group's `lr` becomes
 * `baseLr`, `momentum` (or `betas[0]`) `maxMomentum`, and `lastEpoch` 0; resuming with `lastEpoch: k` needs
 * `initialLr` in every group and moves to k + 1. As in PyTorch, a group's pre-existing `initialLr` is the
 * base of that first value (PyTorch issue 21965).
 *
 * @throws {CyclicLRError} `ERR_INVALID_OPTION` for bad options, `ERR_OPTIMIZER` when a group cannot be
 *   scheduled (no `momentum`/`betas` with `cycleMomentum`, no `initialLr` when resuming), and what the initial
 *   step throws (`ERR_OVERFLOW`, `ERR_SCALE_FN`).
 * @example
 * const optimizer = { paramGroups: [{ lr: 0.1, momentum: 0.9 }, { lr: 0.1, momentum: 0.9 }] };
 * const scheduler = new CyclicLR(optimizer, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10 });
 * for (const batch of batches) { train(batch); scheduler.step(); }
 * scheduler.getLastLr();               // [lr of group 0, lr of group 1]
 * optimizer.paramGroups[0].momentum;   // cycled inversely, like PyTorch
 * const saved = JSON.stringify(scheduler.stateDict());
 */
export class CyclicLR {
  /** The optimizer whose param groups this scheduler writes. */
  readonly optimizer: Optimizer;
  /** the number of param groups, fixed at construction (PyTorch's per-group lists have this length) */
  #G: number;
  #r: Resolved;
  #custom: ScaleFn | null;
  #useBeta1: boolean | undefined;
  #lastEpoch: number;
  #stepCount = 0;
  #lastLr: number[] = [];
  #backend: Backend;
  #ahead: { r: Resolved; start: number; res: ScheduleResult } | null = null;
  /** the values of the step being taken, written into the groups only once all are known */
  #nextLr: number[] = [];
  #nextMom: number[] = [];
  /** the values a step overwrites, set back if a later write of the same step fails */
  #oldLr: unknown[] = [];
  #oldMom: unknown[] = [];

  constructor(optimizer: Optimizer, options: CyclicLRSchedulerOptions) {
    const groups = paramGroupsOf(optimizer);
    const G = groups.length;
    const o = (options ?? null) as object | null;
    const r = resolveOptions(options, ['lastEpoch', 'backend'], G);
    const lastEpoch = o === null ? -1 : (readKey(o, 'lastEpoch') ?? -1);
    if (typeof lastEpoch !== 'number' || !(Math.abs(lastEpoch) < Number.MAX_SAFE_INTEGER)) {
      throw new CyclicLRError(
        'ERR_INVALID_OPTION',
        `lastEpoch must be a number in (-(2^53 - 1), 2^53 - 1) (-1 to start fresh), got ${show(lastEpoch)}`,
        'lastEpoch',
      );
    }
    const backend = o === null ? 'wasm' : (readKey(o, 'backend') ?? 'wasm');
    if (backend !== 'wasm' && backend !== 'js') {
      throw new CyclicLRError('ERR_INVALID_OPTION', `backend must be 'wasm' or 'js', got ${show(backend)}`, 'backend');
    }
    // what the groups need, checked before anything is written
    let useBeta1: boolean | undefined;
    if (r.cycleMomentum) {
      useBeta1 = !has(groups[0], 'momentum', 0) && Array.isArray(read(groups[0], 'betas', 0));
      groups.forEach((grp, g) => {
        const ok = useBeta1 ? betasOf(grp, g) !== null : has(grp, 'momentum', g);
        if (!ok) {
          throw optErr(
            `paramGroups[${g}] must have ` +
              `${useBeta1 ? 'betas (like paramGroups[0])' : 'momentum (or betas, for Adam-like optimizers)'}` +
              ' when cycleMomentum is true',
            'cycleMomentum',
          );
        }
      });
    }
    if (lastEpoch !== -1) {
      groups.forEach((grp, g) => {
        if (!has(grp, 'initialLr', g)) {
          throw optErr(
            `paramGroups[${g}].initialLr is required when resuming with lastEpoch ${lastEpoch} (PyTorch: initial_lr)`,
            'initialLr',
          );
        }
      });
    }
    this.optimizer = optimizer;
    this.#G = G;
    this.#r = r;
    this.#custom = r.scaleFn;
    this.#useBeta1 = useBeta1;
    this.#backend = backend;
    this.#lastEpoch = lastEpoch;

    // see: torch/optim/lr_scheduler.py CyclicLR.__init__, in its order; every write undone if one fails
    const w = new GroupWrites();
    try {
      if (lastEpoch === -1) groups.forEach((grp, g) => w.set(grp, 'lr', r.baseLrs[g], g));
      if (r.cycleMomentum && lastEpoch === -1) {
        groups.forEach((grp, g) => {
          if (useBeta1) w.set(grp, 'betas', [r.maxMomentums[g], ...betasOf(grp, g)!.slice(1)], g);
          else w.set(grp, 'momentum', r.maxMomentums[g], g);
          w.set(grp, 'maxMomentum', r.maxMomentums[g], g);
          w.set(grp, 'baseMomentum', r.baseMomentums[g], g);
        });
      }
      // see: LRScheduler.__init__: initial_lr, then the initial step with base_lrs = initial_lr
      if (lastEpoch === -1)
        groups.forEach((grp, g) => {
          if (!has(grp, 'initialLr', g)) w.set(grp, 'initialLr', read(grp, 'lr', g), g);
        });
      const initial = groups.map((grp, g) => {
        const v = read(grp, 'initialLr', g);
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw optErr(`paramGroups[${g}].initialLr must be a finite number, got ${show(v)}`, 'initialLr');
        return v;
      });
      this.#r = { ...r, baseLrs: initial };
      this.#stepCount = 0;
      this.step();
    } catch (e) {
      w.undo();
      throw e;
    } finally {
      this.#r = r;
    }
  }

  /**
   * PyTorch `last_epoch`: the iteration whose values the groups hold (fractional or negative after `step(epoch)`).
   * Read-only. @throws never
   * @example
   * new CyclicLR(optimizer, { baseLr: 0.01, maxLr: 0.1 }).lastEpoch; // 0: the constructor's initial step
   */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /**
   * Advances one iteration (or, deprecated, jumps to `epoch`) and writes lr (and momentum/`betas[0]`) into the
   * param groups, as PyTorch's `scheduler.step()`.
   * @throws {CyclicLRError} `ERR_OVERFLOW` / `ERR_SCALE_FN` when PyTorch could not compute the new values: then,
   *   as in PyTorch, `lastEpoch` has moved and lr, momentum and `getLastLr()` are unchanged. `ERR_INVALID_OPTION`
   *   when `epoch` is not a number; `ERR_OPTIMIZER` when `optimizer.paramGroups` no longer has the number of
   *   groups the scheduler was built with, or a group refuses a write (frozen, sealed, getter-only, a Proxy):
   *   then no group and nothing of the scheduler has changed.
   * @example
   * scheduler.step();      // lastEpoch + 1
   * scheduler.step(100);   // deprecated jump (warns once), as PyTorch's step(epoch)
   */
  step(epoch?: number): void {
    if (epoch !== undefined && epoch !== null && typeof epoch !== 'number') {
      throw new CyclicLRError('ERR_INVALID_OPTION', `epoch must be a number, got ${show(epoch)}`, 'epoch');
    }
    const groups = this.#current();
    const stepCount = this.#stepCount;
    const lastEpoch = this.#lastEpoch;
    // see: LRScheduler.step / _update_lr
    this.#stepCount += 1;
    if (epoch === undefined || epoch === null) this.#lastEpoch += 1;
    else {
      warnOnce(EPOCH_DEPRECATION_WARNING);
      this.#lastEpoch = epoch;
    }
    const mom = this.#valuesAt(this.#lastEpoch);
    try {
      this.#write(groups, mom, true);
    } catch (e) {
      // a group refused a write: every write was undone, and the scheduler stays where it was too
      this.#stepCount = stepCount;
      this.#lastEpoch = lastEpoch;
      throw e;
    }
    // _last_lr: written in place (getLastLr() hands out copies)
    const next = this.#nextLr;
    const last = this.#lastLr.length === next.length ? this.#lastLr : (this.#lastLr = new Array<number>(next.length));
    for (let g = 0; g < next.length; g++) last[g] = next[g];
  }

  /**
   * The lrs of the last step, as PyTorch's `get_last_lr()`: a new plain Array each call. @throws never
   * @example
   * scheduler.step();
   * const [lr0, lr1] = scheduler.getLastLr();
   */
  getLastLr(): number[] {
    return this.#lastLr.slice();
  }

  /**
   * PyTorch's `get_lr()`: the lrs at the current `lastEpoch`. As in PyTorch it warns (once; use `getLastLr()`)
   * and writes the momenta of that iteration into the groups.
   * @throws {CyclicLRError} as `step()` does.
   * @example
   * scheduler.getLr(); // equals getLastLr() after a step (and warns once, as PyTorch)
   */
  getLr(): number[] {
    warnOnce(GET_LR_WARNING);
    const groups = this.#current();
    this.#write(groups, this.#valuesAt(this.#lastEpoch), false);
    return this.#nextLr.slice();
  }

  /**
   * The scale at x: the custom `scaleFn`, or the built-in mode's (triangular 1, triangular2 `1 / 2 ** (x - 1)`,
   * exp_range `gamma ** x`), as PyTorch's `scheduler.scale_fn(x)`.
   * @throws {CyclicLRError} `ERR_SCALE_FN` / `ERR_OVERFLOW` when the value is not a finite number.
   * @example
   * // 0.6561, glibc's pow:
   * new CyclicLR(optimizer, { baseLr: 0.1, maxLr: 1, mode: 'exp_range', gamma: 0.9 }).scaleFn(4);
   */
  scaleFn(x: number): number {
    if (this.#custom) return callScaleFn(this.#custom, x);
    const { mode, gamma, libm } = this.#r;
    let s = 1;
    if (mode === 'triangular2')
      s = Number.isInteger(x) ? triangular2Scale(x) : 1 / powFixed(powPrepare(2, libm), x - 1);
    else if (mode === 'exp_range')
      // Python: a negative gamma to a fractional power is complex; 0.0 to a negative power a ZeroDivisionError
      s =
        (gamma < 0 && !Number.isInteger(x)) || (gamma === 0 && x < 0)
          ? NaN
          : expScale(gamma, gamma === 0 ? null : powPrepare(Math.abs(gamma), libm), x);
    if (!Number.isFinite(s))
      throw new CyclicLRError('ERR_OVERFLOW', `${mode} scale at x = ${x} is not a finite number`, 'mode');
    return s;
  }

  /**
   * The next `n` iterations' values for every group, computed by the kernel, without changing any state:
   * `lr[g][i]` (and `momentum[g][i]`) are what the groups would hold after i + 1 more `step()` calls.
   * @throws {CyclicLRError} `ERR_INVALID_WINDOW` for a bad `n`; `ERR_WINDOW_TOO_LARGE` past 4 GiB of results (as
   *   `schedule()`); `ERR_OVERFLOW`/`ERR_SCALE_FN` as `step()` would.
   * @example
   * const { lr } = scheduler.peek(1_000_000); // a million steps ahead, state untouched
   */
  peek(n: number): ScheduleResult {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new CyclicLRError('ERR_INVALID_WINDOW', `n must be a whole number ≥ 0, got ${show(n)}`, 'n');
    }
    const G = this.#G;
    // the cap schedule() applies, before planning or allocating (either path below allocates n values per row)
    const bytes = G * n * 8 * (this.#r.cycleMomentum ? 2 : 1);
    if (bytes > MAX_MEMORY_BYTES) {
      throw new CyclicLRError(
        'ERR_WINDOW_TOO_LARGE',
        `peek(${n}) of ${G} groups needs ${bytes} bytes of results, more than the 4 GiB one call may return`,
        'n',
      );
    }
    const start = this.#lastEpoch + 1;
    if (Number.isSafeInteger(start) && Number.isSafeInteger(start + n)) {
      return runPlan(planWindow(this.#r, start, n), this.#backend);
    }
    // a fractional lastEpoch: PyTorch adds 1 per step, so do the same
    const lr = Array.from({ length: G }, () => new Float64Array(n));
    const momentum = this.#r.cycleMomentum ? Array.from({ length: G }, () => new Float64Array(n)) : null;
    let t = this.#lastEpoch;
    for (let i = 0; i < n; i++) {
      t += 1;
      const m = this.#valuesAt(t);
      for (let g = 0; g < G; g++) {
        lr[g][i] = this.#nextLr[g];
        if (momentum && m) momentum[g][i] = this.#nextMom[g];
      }
    }
    return { lr, momentum };
  }

  /**
   * The latest PyTorch's `state_dict()`: PyTorch's keys and values, JSON-safe. `_scale_fn_custom` is null for
   * a plain function, or a copy of the `scaleFn` function object's own enumerable properties (a callable
   * object's `__dict__` in PyTorch).
   * @throws never
   * @example
   * const saved = JSON.stringify(scheduler.stateDict());
   */
  stateDict(): CyclicLRState {
    const r = this.#r;
    const s: Partial<CyclicLRState> = {
      max_lrs: [...r.maxLrs],
      total_size: r.totalSize,
      step_ratio: r.stepRatio,
      mode: r.mode,
      gamma: r.gamma,
      scale_mode: r.scaleMode,
      cycle_momentum: r.cycleMomentum,
    };
    if (r.cycleMomentum) {
      s.use_beta1 = this.#useBeta1;
      s.base_momentums = [...r.baseMomentums];
      s.max_momentums = [...r.maxMomentums];
    }
    Object.assign(s, {
      base_lrs: [...r.baseLrs],
      last_epoch: this.#lastEpoch,
      _step_count: this.#stepCount,
      _is_initial: false,
      _get_lr_called_within_step: false,
      _last_lr: [...this.#lastLr],
      _scale_fn_custom: this.#custom && Object.keys(this.#custom).length ? { ...this.#custom } : null,
      [LIBM_STATE_KEY]: r.libm,
    });
    return s as CyclicLRState;
  }

  /**
   * Loads a state: its own `stateDict()` output, or PyTorch's `state_dict()` written as JSON (latest format, or
   * 1.13's with `verbose` and without `use_beta1`, non-JSON entries dropped). As in PyTorch, `getLastLr()` then
   * returns the loaded `_last_lr` while each group's `lr` keeps its value until the next step; a built-in
   * mode's scale is re-bound from the loaded `mode` and `gamma`; `_scale_fn_custom` fields are merged into this
   * scheduler's `scaleFn`.
   * @throws {CyclicLRError} `ERR_INVALID_STATE` naming the key when the state is malformed or inconsistent;
   *   the scheduler is then unchanged.
   * @example
   * const fresh = new CyclicLR(optimizer, options);
   * fresh.loadStateDict(JSON.parse(saved));   // continues bit for bit
   */
  loadStateDict(state: unknown): void {
    const next = this.#parseState(state);
    if (next.customFields) mergeFields(this.#custom as ScaleFn, next.customFields);
    this.#r = next.r;
    if (next.useBeta1 !== undefined) this.#useBeta1 = next.useBeta1;
    this.#lastEpoch = next.lastEpoch;
    this.#stepCount = next.stepCount;
    this.#lastLr = next.lastLr;
    this.#ahead = null;
  }

  /**
   * `stateDict()` as JSON text in Python's dialect (`json.dumps`): -0.0 is written `-0.0` (JSON.stringify
   * writes `0`), so `loadStateDictJSON()` — or Python's `json.loads` — gets every bit back.
   * @throws never
   * @example
   * const text = scheduler.stateDictJSON();   // '{"max_lrs": [-0.0], ...}'
   * other.loadStateDictJSON(text);           // continues bit for bit, -0.0 included
   */
  stateDictJSON(): string {
    return toPythonJSON(this.stateDict());
  }

  /**
   * Loads a state dict from JSON text: `stateDictJSON()`'s output or PyTorch's `json.dumps(state_dict())`
   * (`-0.0`, `NaN`, `Infinity` as Python writes them), then as `loadStateDict()`.
   * @throws {CyclicLRError} `ERR_INVALID_STATE` when the text is not JSON or the state is malformed; the
   *   scheduler is then unchanged.
   * @example
   * scheduler.loadStateDictJSON(readFileSync('state.json', 'utf8'));
   */
  loadStateDictJSON(text: string): void {
    if (typeof text !== 'string')
      throw new CyclicLRError('ERR_INVALID_STATE', `state JSON must be a string, got ${show(text)}`, 'state');
    this.loadStateDict(parsePythonJSON(text));
  }

  #parseState(state: unknown) {
    if (state === null || typeof state !== 'object' || Array.isArray(state)) {
      throw new CyclicLRError(
        'ERR_INVALID_STATE',
        `state must be an object (a stateDict()), got ${show(state)}`,
        'state',
      );
    }
    const keys = stateKeys(state, 'state', 'state');
    const G = this.#G;
    const get = (k: string): unknown => {
      try {
        return (state as Record<string, unknown>)[k];
      } catch (e) {
        throw new CyclicLRError('ERR_INVALID_STATE', `state.${k} could not be read: ${errorText(e)}`, k);
      }
    };
    const need = (k: string): unknown => {
      if (!keys.includes(k))
        throw new CyclicLRError('ERR_INVALID_STATE', `state.${k} is missing: not a CyclicLR state dict`, k);
      return get(k);
    };
    const num = (
      k: string,
      v: unknown,
      rule = 'must be a finite number',
      ok = (x: number) => Number.isFinite(x),
    ): number => {
      if (typeof v !== 'number' || !ok(v)) throw stateErr(k, rule, v);
      return v;
    };
    const list = (k: string): number[] => {
      const v = need(k);
      if (!Array.isArray(v) || v.length !== G)
        throw stateErr(k, `must be a list of ${G} finite numbers (one per param group)`, v);
      return v.map((x, g) => num(`${k}[${g}]`, x));
    };
    const bool = (k: string, v: unknown): boolean => {
      if (typeof v !== 'boolean') throw stateErr(k, 'must be true or false', v);
      return v;
    };

    const baseLrs = list('base_lrs');
    const maxLrs = list('max_lrs');
    baseLrs.forEach((b, g) => num(`max_lrs[${g}] - base_lrs[${g}]`, maxLrs[g] - b));
    const totalSize = num(
      'total_size',
      need('total_size'),
      'must be a positive finite number',
      (x) => Number.isFinite(x) && x > 0,
    );
    const stepRatio = num('step_ratio', need('step_ratio'), 'must be a number in (0, 1]', (x) => x > 0 && x <= 1);
    const mode = need('mode');
    if (typeof mode !== 'string') throw stateErr('mode', 'must be a string', mode);
    if (this.#custom === null && !MODES.includes(mode))
      throw stateErr('mode', "must be 'triangular', 'triangular2' or 'exp_range' (no scaleFn)", mode);
    const gamma = num('gamma', need('gamma'));
    const scaleModeIn = need('scale_mode');
    if (scaleModeIn !== 'cycle' && scaleModeIn !== 'iterations')
      throw stateErr('scale_mode', "must be 'cycle' or 'iterations'", scaleModeIn);
    const cycleMomentum = bool('cycle_momentum', need('cycle_momentum'));
    let useBeta1: boolean | undefined;
    let baseMomentums = this.#r.baseMomentums;
    let maxMomentums = this.#r.maxMomentums;
    if (cycleMomentum) {
      useBeta1 = keys.includes('use_beta1') ? bool('use_beta1', get('use_beta1')) : this.#useBeta1;
      const groups = this.#current();
      if (useBeta1 === undefined) useBeta1 = !has(groups[0], 'momentum', 0) && betasOf(groups[0], 0) !== null;
      groups.forEach((grp, g) => {
        if (useBeta1 ? betasOf(grp, g) === null : !has(grp, 'momentum', g)) {
          throw stateErr(
            'cycle_momentum',
            `needs ${useBeta1 ? 'betas' : 'momentum'} in paramGroups[${g}]`,
            cycleMomentum,
          );
        }
      });
      baseMomentums = list('base_momentums');
      maxMomentums = list('max_momentums');
      baseMomentums.forEach((b, g) => num(`max_momentums[${g}] - base_momentums[${g}]`, maxMomentums[g] - b));
    }
    const lastEpoch = num('last_epoch', need('last_epoch'));
    const stepCount = num(
      '_step_count',
      need('_step_count'),
      'must be a whole number ≥ 0',
      (x) => Number.isSafeInteger(x) && x >= 0,
    );
    const lastLr = list('_last_lr');
    let customFields: [string, unknown][] | null = null;
    const fn = get('_scale_fn_custom');
    if (fn !== undefined && fn !== null) {
      if (typeof fn !== 'object' || Array.isArray(fn))
        throw stateErr('_scale_fn_custom', "must be null or an object of the scaleFn's fields", fn);
      if (this.#custom === null)
        throw stateErr('_scale_fn_custom', 'holds scaleFn fields but this scheduler has no scaleFn', fn);
      customFields = loadableFields(fn, this.#custom);
    }
    let libm = this.#r.libm;
    if (keys.includes(LIBM_STATE_KEY)) {
      const v = get(LIBM_STATE_KEY);
      if (v !== 'fma' && v !== 'nofma') throw stateErr(LIBM_STATE_KEY, "must be 'fma' or 'nofma'", v);
      libm = v;
    }
    // see: CyclicLR.load_state_dict -> _init_scale_fn: built-in modes force their scale mode
    const scaleMode: ScaleMode = this.#custom !== null ? scaleModeIn : mode === 'exp_range' ? 'iterations' : 'cycle';
    const r: Resolved = {
      ...this.#r,
      groups: G,
      baseLrs,
      maxLrs,
      baseMomentums,
      maxMomentums,
      totalSize,
      stepRatio,
      mode,
      gamma,
      scaleMode,
      cycleMomentum,
      libm,
    };
    return { r, useBeta1, lastEpoch, stepCount, lastLr, customFields };
  }

  /** `optimizer.paramGroups` as it is now: the same number of groups as at construction, or ERR_OPTIMIZER */
  #current(): ParamGroup[] {
    const groups = paramGroupsOf(this.optimizer);
    if (groups.length !== this.#G) {
      throw optErr(
        `optimizer.paramGroups has ${groups.length} groups, this scheduler was built for ${this.#G}: ` +
          'make a new CyclicLR after adding or removing param groups (nothing was changed)',
        'paramGroups',
      );
    }
    return groups;
  }

  /**
   * Writes the values #valuesAt computed: momenta first, then lrs (PyTorch's order), all or none: the old
   * values are kept, and set back (last first) when a write fails. Named property accesses: the hot path.
   * see: CyclicLR.get_lr, momenta are written inside get_lr, before the lrs
   */
  #write(groups: ParamGroup[], momentum: boolean, withLr: boolean): void {
    const G = groups.length;
    const lr = this.#nextLr;
    const mom = this.#nextMom;
    const oldLr = this.#oldLr;
    const oldMom = this.#oldMom;
    const beta = momentum && this.#useBeta1 === true;
    let g = 0;
    let lrPhase = false;
    try {
      if (beta) {
        for (; g < G; g++) {
          const grp = groups[g];
          const b = grp.betas;
          if (!Array.isArray(b) || b.length < 1) throw new TypeError('betas is not a non-empty array');
          oldMom[g] = b;
          const next = b.slice();
          next[0] = mom[g];
          grp.betas = next;
        }
      } else if (momentum) {
        for (; g < G; g++) {
          const grp = groups[g];
          oldMom[g] = grp.momentum;
          grp.momentum = mom[g];
        }
      }
      lrPhase = true;
      if (withLr) {
        for (g = 0; g < G; g++) {
          const grp = groups[g];
          oldLr[g] = grp.lr;
          grp.lr = lr[g];
        }
      }
    } catch (e) {
      const momKey = beta ? 'betas' : 'momentum';
      const key = lrPhase ? 'lr' : momKey;
      if (lrPhase) for (let j = g - 1; j >= 0; j--) restore(groups[j], 'lr', oldLr[j]);
      if (momentum) for (let j = (lrPhase ? G : g) - 1; j >= 0; j--) restore(groups[j], momKey, oldMom[j]);
      throw optErr(`paramGroups[${g}].${key} could not be written: ${errorText(e)}; no param group was changed`, key);
    }
  }

  /**
   * lr (and momentum) of every group at last_epoch t into #nextLr / #nextMom, from steps computed ahead where
   * possible; returns whether momentum is cycled.
   */
  #valuesAt(t: number): boolean {
    const G = this.#G;
    const lr = this.#nextLr;
    const mom = this.#nextMom;
    if (lr.length !== G) lr.length = mom.length = G;
    const a = this.#block(t);
    const res = a ? a.res : this.#single(t);
    const i = a ? t - a.start : 0;
    for (let g = 0; g < G; g++) lr[g] = res.lr[g][i];
    if (!res.momentum) return false;
    for (let g = 0; g < G; g++) mom[g] = res.momentum[g][i];
    return true;
  }

  /** the block of steps computed ahead that holds t (built-in modes, whole t ≥ 0), or null */
  #block(t: number): { r: Resolved; start: number; res: ScheduleResult } | null {
    if (this.#custom !== null || !Number.isSafeInteger(t) || t < 0) return null;
    const a = this.#ahead;
    const r = this.#r;
    if (a && a.r === r && t >= a.start && t < a.start + a.res.lr[0].length) return a;
    try {
      const n = Math.min(AHEAD, Number.MAX_SAFE_INTEGER - t + 1);
      // the previous block's arrays are written again when the shape is the same (no allocation per block)
      const out = a && a.res.lr[0].length === n && (a.res.momentum !== null) === r.cycleMomentum ? a.res : undefined;
      return (this.#ahead = { r, start: t, res: runPlan(planWindow(r, t, n), this.#backend, 'float64', out) });
    } catch {
      return (this.#ahead = null); // an error inside the block: the single step says where
    }
  }

  #single(t: number): ScheduleResult {
    if (!Number.isFinite(t)) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `lastEpoch ${t} is not finite: PyTorch cannot take math.floor of last_epoch / total_size`,
        'epoch',
      );
    }
    if (Math.abs(t) > Number.MAX_SAFE_INTEGER) {
      throw new CyclicLRError(
        'ERR_OVERFLOW',
        `lastEpoch ${t} is past 2^53 - 1: float64 cannot count iterations there as PyTorch's int does`,
        'epoch',
      );
    }
    return runPlan(planWindow(this.#r, t, 1), this.#backend);
  }
}

function paramGroupsOf(optimizer: unknown): ParamGroup[] {
  if (optimizer === null || typeof optimizer !== 'object')
    throw optErr(`optimizer must be an object with paramGroups, got ${show(optimizer)}`, 'optimizer');
  let groups: unknown;
  try {
    groups = (optimizer as Optimizer).paramGroups;
  } catch (e) {
    throw optErr(`optimizer.paramGroups could not be read: ${errorText(e)}`, 'paramGroups');
  }
  if (!Array.isArray(groups) || groups.length === 0)
    throw optErr(`optimizer.paramGroups must be a non-empty array, got ${show(groups)}`, 'paramGroups');
  if (groups.length > MAX_GROUPS)
    throw optErr(`optimizer.paramGroups must have at most ${MAX_GROUPS} groups, got ${groups.length}`, 'paramGroups');
  for (let g = 0; g < groups.length; g++) {
    let grp: unknown;
    try {
      grp = groups[g];
    } catch (e) {
      throw optErr(`paramGroups[${g}] could not be read: ${errorText(e)}`, `paramGroups[${g}]`);
    }
    if (grp === null || typeof grp !== 'object' || Array.isArray(grp))
      throw optErr(`paramGroups[${g}] must be an object, got ${show(grp)}`, 'paramGroups');
  }
  return groups as ParamGroup[];
}

/** Sets a value back after a failed write (a group that refuses this too is left as it is). */
function restore(grp: ParamGroup, key: string, old: unknown): void {
  try {
    grp[key] = old;
  } catch {
    // the group refused the restore as well: nothing more can be done for it
  }
}

/** `key in grp`, a throwing Proxy trap as ERR_OPTIMIZER */
function has(grp: ParamGroup, key: string, g: number): boolean {
  try {
    return key in grp;
  } catch (e) {
    throw optErr(`paramGroups[${g}] could not be read (${key}): ${errorText(e)}`, key);
  }
}

/** `grp[key]`, a throwing getter or Proxy trap as ERR_OPTIMIZER */
function read(grp: ParamGroup, key: string, g: number): unknown {
  try {
    return grp[key];
  } catch (e) {
    throw optErr(`paramGroups[${g}].${key} could not be read: ${errorText(e)}`, key);
  }
}

/** a group's `betas` when it is a non-empty array, else null */
function betasOf(grp: ParamGroup, g: number): unknown[] | null {
  const b = read(grp, 'betas', g);
  return Array.isArray(b) && b.length >= 1 ? b : null;
}

const RESERVED = ['__proto__', 'constructor', 'prototype'];

/**
 * The `_scale_fn_custom` fields that may be merged into `fn`: own plain data properties of the state, each
 * either absent from `fn` (own or inherited) or an own writable data property of it; never __proto__,
 * constructor or prototype.
 */
function loadableFields(fields: object, fn: ScaleFn): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k of stateKeys(fields, '_scale_fn_custom', 'state._scale_fn_custom')) {
    const key = `_scale_fn_custom.${k}`;
    if (RESERVED.includes(k)) throw stateErr(key, 'is not a field a scaleFn may take', k);
    let d: PropertyDescriptor | undefined;
    let own: PropertyDescriptor | undefined;
    let inherited: boolean;
    try {
      d = Object.getOwnPropertyDescriptor(fields, k);
      own = Object.getOwnPropertyDescriptor(fn, k);
      inherited = own === undefined && k in fn;
    } catch (e) {
      throw new CyclicLRError('ERR_INVALID_STATE', `state.${key} could not be read: ${errorText(e)}`, key);
    }
    if (d === undefined || !('value' in d)) throw stateErr(key, 'must be a plain data property', undefined);
    if (
      inherited ||
      (own !== undefined && !(own.writable && 'value' in own)) ||
      (own === undefined && !Object.isExtensible(fn))
    )
      throw stateErr(key, 'names a property of the scaleFn that cannot be written', d.value);
    out.push([k, d.value]);
  }
  return out;
}

/** Merges fields into `fn` as own data properties, all or none. @throws {CyclicLRError} ERR_INVALID_STATE */
function mergeFields(fn: ScaleFn, fields: [string, unknown][]): void {
  const done: [string, PropertyDescriptor | undefined][] = [];
  try {
    for (const [k, value] of fields) {
      const before = Object.getOwnPropertyDescriptor(fn, k);
      Object.defineProperty(
        fn,
        k,
        before ? { value } : { value, writable: true, enumerable: true, configurable: true },
      );
      done.push([k, before]);
    }
  } catch (e) {
    for (const [k, before] of done.reverse()) {
      try {
        if (before) Object.defineProperty(fn, k, before);
        else delete (fn as unknown as Record<string, unknown>)[k];
      } catch {
        // the scaleFn refused the restore as well
      }
    }
    throw new CyclicLRError(
      'ERR_INVALID_STATE',
      `state._scale_fn_custom could not be merged into the scaleFn: ${errorText(e)}`,
      '_scale_fn_custom',
    );
  }
}
