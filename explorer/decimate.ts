// Millions of iterations onto a chart of ~1000 pixel columns: the project's Envelope (per-column min and max,
// so every peak survives), filled a chunk at a time column by column, and laid out as the points uPlot draws.
import { Envelope } from '../src/plot.js';

/**
 * Adds `values` (iterations env.start + at, at + 1, …) to an envelope: the columns of Envelope.add, walked a
 * column at a time (no division per value), so 1e6 values take about a millisecond.
 * @throws never
 * @example
 * const env = new Envelope(100, 0, 1e6);
 * addColumns(env, 0, lr[0]);
 */
export function addColumns(env: Envelope, at: number, values: ArrayLike<number>): void {
  const { columns, min, max } = env;
  const per = env.length / columns;
  let i = 0;
  const n = values.length;
  while (i < n) {
    const c = Math.min(columns - 1, Math.floor((at + i) / per));
    // the first index of column c + 1 (as Envelope.add bins it), relative to this chunk
    let end = c === columns - 1 ? n : Math.ceil((c + 1) * per) - at;
    while (end > i && end - 1 + at >= 0 && Math.floor((end - 1 + at) / per) > c) end--;
    while (end < n && Math.floor((end + at) / per) <= c) end++;
    end = Math.min(n, Math.max(end, i + 1));
    let lo = min[c];
    let hi = max[c];
    for (let k = i; k < end; k++) {
      const v = values[k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = lo;
    max[c] = hi;
    i = end;
  }
}

/**
 * The points that draw an envelope as one line: two per column at its centre, min then max in even columns
 * and max then min in odd ones, so the line runs along the upper and lower edges and every peak is drawn.
 * @throws never
 * @example
 * const ys = envelopePoints(env); // Float64Array of 2 * env.columns
 */
export function envelopePoints(env: Envelope): Float64Array {
  const out = new Float64Array(2 * env.columns);
  for (let c = 0; c < env.columns; c++) {
    const empty = !(env.max[c] >= env.min[c]);
    const a = empty ? Number.NaN : env.min[c];
    const b = empty ? Number.NaN : env.max[c];
    out[2 * c] = c % 2 === 0 ? a : b;
    out[2 * c + 1] = c % 2 === 0 ? b : a;
  }
  return out;
}

/** x of envelopePoints: each column's centre iteration, twice. @throws never @example envelopeX(env) */
export function envelopeX(env: Envelope): Float64Array {
  const out = new Float64Array(2 * env.columns);
  const per = env.length / env.columns;
  for (let c = 0; c < env.columns; c++) {
    const x = env.start + Math.min(env.length - 1, (c + 0.5) * per - 0.5);
    out[2 * c] = x;
    out[2 * c + 1] = x;
  }
  return out;
}

export { Envelope };
