// What the chart shows for a window: every config's lr and momentum per group, and config k - config 1, as
// per-pixel envelopes (raw values when the window has fewer iterations than the chart has points). Computed
// by the kernel a chunk at a time into warm memory; runs in the page's worker (or anywhere: it is pure).
import { CyclicLRError } from '../src/errors.js';
import { schedule, type ScheduleResult } from '../src/schedule.js';
import { addColumns, Envelope, envelopePoints, envelopeX } from './decimate.js';
import { type Config, type Field, FieldError, fieldOfKey, toOptions } from './state.js';

/** what the page asks for */
export interface ViewRequest {
  id: number;
  start: number;
  length: number;
  /** pixel columns of the chart */
  columns: number;
  configs: Config[];
  diff: boolean;
}

/** one line of the chart */
export interface Line {
  config: number;
  kind: 'lr' | 'momentum' | 'diff';
  group: number;
  y: Float64Array;
}

/** why a config has no lines */
export interface ConfigError {
  config: number;
  field: Field | null;
  code: string;
  message: string;
}

/** what the chart draws */
export interface View {
  id: number;
  start: number;
  length: number;
  x: Float64Array;
  lines: Line[];
  errors: ConfigError[];
  /** milliseconds spent computing */
  ms: number;
}

/** iterations computed per kernel call (bounds the worker's memory: 4 groups × lr + momentum = 16 MiB) */
export const PIECE = 1 << 18;

/** A library error (or the page's own) as the form shows it: message, code and the field it is about. */
export function describeError(config: number, e: unknown): ConfigError {
  if (e instanceof FieldError) return { config, field: e.field, code: 'ERR_INVALID_OPTION', message: e.message };
  if (e instanceof CyclicLRError) return { config, field: fieldOfKey(e.key), code: e.code, message: e.message };
  return { config, field: null, code: 'ERR', message: String(e) };
}

interface Slot {
  key: string;
  /** warm result memory, by piece length */
  outs: Map<number, ScheduleResult>;
  momentum: boolean;
  lines: Line[];
}

/**
 * Computes views, keeping per config its warm result memory and its last lines: a config whose fields and
 * window did not change is not recomputed (unless a difference needs its values).
 */
export class Viewer {
  #slots: Slot[] = [];

  /** @throws never: a config that cannot be computed becomes a ConfigError */
  view(req: ViewRequest): View {
    const t0 = performance.now();
    const { start, length, columns } = req;
    const raw = length <= 2 * columns;
    const x = raw
      ? Float64Array.from({ length }, (_, i) => start + i)
      : envelopeX(new Envelope(columns, start, length));
    const errors: ConfigError[] = [];
    const opts = req.configs.map((c, k) => {
      try {
        return toOptions(c);
      } catch (e) {
        errors.push(describeError(k, e));
        return null;
      }
    });
    const keys = req.configs.map((c) => JSON.stringify([c, start, length, columns]));
    const needDiff = req.diff && req.configs.length > 1 && opts[0] !== null;
    const todo = req.configs.map((_, k) => opts[k] !== null && (needDiff || this.#slots[k]?.key !== keys[k]));
    const envs: (Envelope[] | null)[] = req.configs.map(() => null);
    const diffs: (Envelope[] | Float64Array[] | null)[] = req.configs.map(() => null);
    const rawRows: (Float64Array[] | null)[] = req.configs.map(() => null);
    const failed = new Set<number>();
    for (let at = 0; at < length || at === 0; at += PIECE) {
      const n = Math.min(PIECE, length - at);
      const results: (ScheduleResult | null)[] = req.configs.map(() => null);
      req.configs.forEach((_, k) => {
        if (!todo[k] || failed.has(k)) return;
        const slot = (this.#slots[k] ??= { key: '', outs: new Map(), momentum: false, lines: [] });
        try {
          let r: ScheduleResult;
          try {
            r = schedule(opts[k]!, { start: start + at, length: n, out: slot.outs.get(n) });
          } catch (e) {
            // a warm memory of another shape (groups, momentum): compute afresh
            if (!(e instanceof CyclicLRError && e.key === 'out')) throw e;
            r = schedule(opts[k]!, { start: start + at, length: n });
          }
          if (slot.outs.size > 2) slot.outs.clear();
          slot.outs.set(n, r);
          slot.momentum = r.momentum !== null;
          results[k] = r;
          const rows = r.momentum ? [...r.lr, ...r.momentum] : r.lr;
          if (raw) {
            rawRows[k] = rows.map((row) => Float64Array.from(row));
          } else {
            envs[k] ??= rows.map(() => new Envelope(columns, start, length));
            rows.forEach((row, j) => addColumns(envs[k]![j], at, row));
          }
        } catch (e) {
          failed.add(k);
          errors.push(describeError(k, e));
        }
      });
      if (needDiff && results[0]) {
        const base = results[0];
        results.forEach((r, k) => {
          if (k === 0 || !r) return;
          const G = Math.min(r.lr.length, base.lr.length);
          const d = Array.from({ length: G }, (_, g) => {
            const a = r.lr[g];
            const b = base.lr[g];
            const out = new Float64Array(n);
            for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
            return out;
          });
          if (raw) diffs[k] = d;
          else {
            const envs = (diffs[k] ??= d.map(() => new Envelope(columns, start, length))) as Envelope[];
            d.forEach((row, g) => addColumns(envs[g], at, row));
          }
        });
      }
      if (length === 0) break;
    }
    const lines: Line[] = [];
    req.configs.forEach((_, k) => {
      if (opts[k] === null || failed.has(k)) {
        if (this.#slots[k]) this.#slots[k].key = '';
        return;
      }
      const slot = this.#slots[k];
      if (todo[k]) {
        const rows = raw ? rawRows[k] : envs[k]!.map(envelopePoints);
        const G = rows ? (slot.momentum ? rows.length / 2 : rows.length) : 0;
        slot.lines = (rows ?? []).map((y, j) => ({
          config: k,
          kind: j < G ? ('lr' as const) : ('momentum' as const),
          group: j % G,
          y,
        }));
        slot.key = keys[k];
      }
      lines.push(...slot.lines);
      const d = diffs[k];
      if (d) {
        d.forEach((row, g) => {
          const y = row instanceof Envelope ? envelopePoints(row) : row;
          lines.push({ config: k, kind: 'diff', group: g, y });
        });
      }
    });
    this.#slots.length = req.configs.length;
    return { id: req.id, start, length, x, lines, errors, ms: performance.now() - t0 };
  }
}
