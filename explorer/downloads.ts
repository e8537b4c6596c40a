// The files the page offers, written by the library's own writers: the CLI's .npy (lr [groups, iterations],
// NumPy format 1.0), the CLI's CSV layout and decimals, and the CLI's SVG chart.
import { csvHeader, csvLines } from '../src/csv.js';
import { npyHeader } from '../src/npy.js';
import { Envelope, renderSvg, type Series, svgColumns } from '../src/plot.js';
import type { CyclicLROptions } from '../src/options.js';
import { schedule } from '../src/schedule.js';

/** a window of iterations */
export interface Span {
  start: number;
  length: number;
}

/**
 * lr of every group as the CLI's .npy: `<f8`, shape [groups, iterations], rows one after another.
 * @throws {CyclicLRError} as schedule() does.
 * @example
 * new Blob(npyParts({ baseLr: 0.001, maxLr: 0.1 }, { start: 0, length: 100 }));
 */
export function npyParts(options: CyclicLROptions, w: Span): Uint8Array[] {
  const { lr } = schedule(options, w);
  const parts: Uint8Array[] = [npyHeader('<f8', [lr.length, w.length])];
  for (const row of lr) parts.push(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  return parts;
}

/**
 * The CLI's CSV: `iteration,lr_0,…,momentum_0,…`, shortest round-trip decimals, in pieces of about 1 MiB.
 * @throws {CyclicLRError} as schedule() does.
 * @example
 * new Blob(csvParts({ baseLr: 0.001, maxLr: 0.1 }, { start: 0, length: 100 }));
 */
export function csvParts(options: CyclicLROptions, w: Span): string[] {
  const { lr, momentum } = schedule(options, w);
  return [csvHeader(lr.length, momentum !== null), ...csvLines(w.start, lr, momentum)];
}

/**
 * The CLI's SVG chart of several configs: lr bands on the left axis, momentum (dashed) on the right; the
 * series in the order lr of each config, then momentum of each.
 * @throws {CyclicLRError} as schedule() does.
 * @example
 * svgText('triangular2 vs exp_range', [{ label: 'A', options }], { start: 0, length: 1e5 });
 */
export function svgText(title: string, configs: { label: string; options: CyclicLROptions }[], w: Span): string {
  const results = configs.map((c) => ({ label: c.label, r: schedule(c.options, w) }));
  const count = results.reduce((n, { r }) => n + r.lr.length * (r.momentum ? 2 : 1), 0);
  const columns = Math.max(1, Math.min(w.length, svgColumns(count)));
  // every lr first, then every momentum: one-group configs get the page's colours for their lr
  const series: Series[] = [];
  for (const axis of ['lr', 'momentum'] as const) {
    for (const { label, r } of results) {
      const rows = axis === 'lr' ? r.lr : (r.momentum ?? []);
      rows.forEach((row, g) => {
        const env = new Envelope(columns, w.start, w.length);
        env.add(w.start, row);
        series.push({ label: `${label} ${axis}${rows.length > 1 ? ` group ${g}` : ''}`, axis, env });
      });
    }
  }
  return renderSvg(title, series, w.start, w.length);
}
