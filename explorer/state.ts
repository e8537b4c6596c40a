// The page's state as text: the form's fields under PyTorch's names, read from and written to the URL hash
// (URLSearchParams). Config 1's keys are bare, config k's carry a `k.` prefix; iterations, start and diff are
// shared. Values stay the text the user typed, so a link reproduces the form, bad values and all.
import type { CyclicLROptions } from '../src/options.js';
import { compile, ExprError, parse } from './expr.js';

/** one config's fields, as typed */
export interface Config {
  base_lr: string;
  max_lr: string;
  step_size_up: string;
  step_size_down: string;
  mode: string;
  gamma: string;
  scale_fn: string;
  scale_mode: string;
  cycle_momentum: boolean;
  base_momentum: string;
  max_momentum: string;
  /** drawn on the chart (the hash says `show=0` when not) */
  show: boolean;
}

/** the whole page */
export interface State {
  iterations: string;
  start: string;
  /** draw config k - config 1 under the chart */
  diff: boolean;
  /** the zoomed iterations `a,b` ('' for the whole window) */
  zoom: string;
  configs: Config[];
}

/** the most configs a page compares */
export const MAX_CONFIGS = 6;

/** the text fields of a config, in the form's order */
export const TEXT_FIELDS = [
  'base_lr',
  'max_lr',
  'step_size_up',
  'step_size_down',
  'mode',
  'gamma',
  'scale_fn',
  'scale_mode',
  'base_momentum',
  'max_momentum',
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export type Field = TextField | 'cycle_momentum' | 'iterations' | 'start';

/** PyTorch's defaults, as the form shows them (empty step_size_down: equal to step_size_up) */
export const DEFAULTS: Config = {
  base_lr: '0.001',
  max_lr: '0.1',
  step_size_up: '2000',
  step_size_down: '',
  mode: 'triangular',
  gamma: '1.0',
  scale_fn: '',
  scale_mode: 'cycle',
  cycle_momentum: true,
  base_momentum: '0.8',
  max_momentum: '0.9',
  show: true,
};

/** the page with an empty hash */
export function initialState(): State {
  return { iterations: '20000', start: '0', diff: false, zoom: '', configs: [{ ...DEFAULTS }] };
}

const truthy = (v: string) => !['false', 'False', '0', 'no', ''].includes(v.trim());

function readConfig(q: URLSearchParams, pre: string, base: Config): Config {
  const c: Config = { ...base };
  for (const f of TEXT_FIELDS) c[f] = q.get(pre + f) ?? base[f];
  const cm = q.get(`${pre}cycle_momentum`);
  c.cycle_momentum = cm === null ? base.cycle_momentum : truthy(cm);
  c.show = truthy(q.get(`${pre}show`) ?? '1');
  return c;
}

/**
 * Reads a hash (`#base_lr=0.001&mode=triangular2&2.mode=exp_range&iterations=100000`): unknown keys are
 * ignored; config 1's absent keys take PyTorch's defaults, config k's (prefix `k.`) config 1's values;
 * configs exist up to the highest prefix named (at most 6).
 * @throws never
 * @example
 * fromHash('#base_lr=0.01&2.gamma=0.999').configs.length; // 2
 */
export function fromHash(hash: string): State {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const s = initialState();
  s.iterations = q.get('iterations') ?? s.iterations;
  s.start = q.get('start') ?? s.start;
  s.diff = truthy(q.get('diff') ?? '0');
  s.zoom = q.get('zoom') ?? '';
  let n = 1;
  for (const k of q.keys()) {
    const m = /^([1-9])\.[a-z_]+$/.exec(k);
    if (m) n = Math.max(n, Math.min(MAX_CONFIGS, Number(m[1])));
  }
  const first = readConfig(q, '', DEFAULTS);
  s.configs = [first];
  for (let i = 2; i <= n; i++) s.configs.push(readConfig(q, `${i}.`, first));
  return s;
}

/**
 * Writes the state as a hash: config 1's base_lr and max_lr and iterations always, config 1's other fields when
 * they differ from PyTorch's default, config k's (prefix `k.`) when they differ from config 1's (`k.show=1`
 * when none does).
 * @throws never
 * @example
 * toHash(initialState()); // '#base_lr=0.001&max_lr=0.1&iterations=20000'
 */
export function toHash(s: State): string {
  const q = new URLSearchParams();
  s.configs.forEach((c, i) => {
    const pre = i === 0 ? '' : `${i + 1}.`;
    const base = i === 0 ? DEFAULTS : s.configs[0];
    let wrote = false;
    const set = (k: string, v: string) => {
      q.set(pre + k, v);
      wrote = true;
    };
    for (const f of TEXT_FIELDS) {
      if ((i === 0 && (f === 'base_lr' || f === 'max_lr')) || c[f] !== base[f]) set(f, c[f]);
    }
    if (c.cycle_momentum !== base.cycle_momentum) set('cycle_momentum', String(c.cycle_momentum));
    if (!c.show || (i > 0 && !wrote)) set('show', c.show ? '1' : '0');
    if (i === 0) {
      q.set('iterations', s.iterations);
      if (s.start !== '0') q.set('start', s.start);
      if (s.diff) q.set('diff', '1');
      if (s.zoom) q.set('zoom', s.zoom);
    }
  });
  return `#${q.toString()}`;
}

/** An input the page itself refuses (scale_fn that does not parse), on the field it is about. */
export class FieldError extends Error {
  /** @throws never; constructs the error. */
  constructor(
    readonly field: Field,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/** A number as typed: '' is absent; anything else goes to the library as Number(text), which judges it. */
const num = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));
const list = (text: string): number | number[] | undefined => {
  if (text.trim() === '') return undefined;
  const parts = text.split(',').map((p) => Number(p.trim() === '' ? Number.NaN : p.trim()));
  return parts.length === 1 ? parts[0] : parts;
};

/**
 * The options of `schedule()` for a config. Numbers are passed as typed (`abc` becomes NaN), so the library's
 * own validation names the option, the rule and the value.
 * @throws {FieldError} when scale_fn does not parse.
 * @example
 * toOptions({ ...DEFAULTS, base_lr: '0.001, 0.01' }).baseLr; // [0.001, 0.01]
 */
export function toOptions(c: Config): CyclicLROptions {
  const o: Record<string, unknown> = {
    baseLr: list(c.base_lr),
    maxLr: list(c.max_lr),
    mode: c.mode,
    scaleMode: c.scale_mode,
    cycleMomentum: c.cycle_momentum,
  };
  const put = (key: string, v: unknown) => {
    if (v !== undefined) o[key] = v;
  };
  put('stepSizeUp', num(c.step_size_up));
  put('stepSizeDown', num(c.step_size_down));
  put('gamma', num(c.gamma));
  put('baseMomentum', list(c.base_momentum));
  put('maxMomentum', list(c.max_momentum));
  if (c.scale_fn.trim() !== '') {
    try {
      o.scaleFn = compile(parse(c.scale_fn));
    } catch (e) {
      throw new FieldError('scale_fn', `scale_fn: ${e instanceof ExprError ? e.message : String(e)}`);
    }
  }
  return o as unknown as CyclicLROptions;
}

/** The window of the page: iterations and start as numbers (NaN when not one: the library refuses it). */
export function toWindow(s: State): { start: number; length: number } {
  return { start: num(s.start) ?? 0, length: num(s.iterations) ?? Number.NaN };
}

/**
 * The iterations the chart shows: the zoom `a,b` clipped to the window (at least 2 iterations), or the window.
 * @throws never
 * @example
 * zoomWindow({ start: 0, length: 100 }, '10,19'); // { start: 10, length: 10 }
 */
export function zoomWindow(w: { start: number; length: number }, zoom: string): { start: number; length: number } {
  const [a, b] = zoom.split(',').map(Number);
  const end = w.start + w.length - 1;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || w.length < 3) return w;
  const lo = Math.max(w.start, Math.min(a, b));
  const hi = Math.min(end, Math.max(a, b));
  if (hi - lo < 1) return w;
  return { start: lo, length: hi - lo + 1 };
}

/**
 * The field a library error is about: its `key` (`stepSizeUp`, `baseLr[1]`, `maxLr - baseLr`, `length`) in
 * the page's names.
 * @throws never
 * @example
 * fieldOfKey('maxMomentum[0] - baseMomentum[0]'); // 'max_momentum'
 */
export function fieldOfKey(key: string | undefined): Field | null {
  if (!key) return null;
  const head = key.split(/[[\s]/)[0];
  if (key.startsWith('stepSizeUp /')) return 'step_size_down';
  const map: Record<string, Field> = {
    baseLr: 'base_lr',
    maxLr: 'max_lr',
    stepSizeUp: 'step_size_up',
    stepSizeDown: 'step_size_down',
    mode: 'mode',
    gamma: 'gamma',
    scaleFn: 'scale_fn',
    scaleMode: 'scale_mode',
    cycleMomentum: 'cycle_momentum',
    baseMomentum: 'base_momentum',
    maxMomentum: 'max_momentum',
    groups: 'base_lr',
    length: 'iterations',
    start: 'start',
  };
  return map[head] ?? null;
}
