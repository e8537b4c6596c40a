// Charts for the CLI: a per-pixel min/max envelope accumulated while values stream, drawn as SVG (lr on the
// left axis, momentum on the right, one band per series) or as a small Unicode chart for the terminal.
import { scaleLinear } from 'd3-scale';

/** Per-column min/max of one series over iterations [start, start + length), filled chunk by chunk. */
export class Envelope {
  readonly min: Float64Array;
  readonly max: Float64Array;
  constructor(
    readonly columns: number,
    readonly start: number,
    readonly length: number,
  ) {
    this.min = new Float64Array(columns).fill(Infinity);
    this.max = new Float64Array(columns).fill(-Infinity);
  }

  /** values of iterations at, at + 1, … */
  add(at: number, values: ArrayLike<number>): void {
    const { columns, min, max } = this;
    const per = this.length / columns;
    for (let i = 0; i < values.length; i++) {
      const c = Math.min(columns - 1, Math.floor((at - this.start + i) / per));
      const v = values[i];
      if (v < min[c]) min[c] = v;
      if (v > max[c]) max[c] = v;
    }
  }

  extent(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < this.columns; c++) {
      if (this.min[c] < lo) lo = this.min[c];
      if (this.max[c] > hi) hi = this.max[c];
    }
    return [lo, hi];
  }
}

export interface Series {
  label: string;
  axis: 'lr' | 'momentum';
  env: Envelope;
}

const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Math.round(v * 10) / 10).toString();

/** columns of the envelope that keep an SVG of `series` bands small (< 200 KB) */
export function svgColumns(series: number): number {
  return Math.max(100, Math.min(760, Math.floor(7000 / Math.max(1, series))));
}

/** An SVG chart: lr bands (solid) on the left axis, momentum bands (dashed outline) on the right. */
export function renderSvg(title: string, series: Series[], start: number, length: number): string {
  const W = 960;
  const shown = Math.min(series.length, 12);
  const legendRows = Math.ceil(shown / 3);
  const H = 520 + legendRows * 18;
  const m = { top: 56, right: 84, bottom: 58 + legendRows * 18, left: 84 };
  const x = scaleLinear()
    .domain([start, start + Math.max(1, length - 1)])
    .range([m.left, W - m.right]);
  const axisOf = (axis: 'lr' | 'momentum') => {
    const ext = series.filter((s) => s.axis === axis).map((s) => s.env.extent());
    if (!ext.length) return null;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [a, b] of ext) {
      // a loop: never spread an unbounded list into a call
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    if (lo === hi) {
      lo -= Math.abs(lo) * 0.05 || 1;
      hi += Math.abs(hi) * 0.05 || 1;
    }
    return scaleLinear()
      .domain([lo, hi])
      .nice()
      .range([H - m.bottom, m.top]);
  };
  const yl = axisOf('lr');
  const ym = axisOf('momentum');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      'font-family="Helvetica, Arial, sans-serif" font-size="12">',
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  const [head, ...sub] = title.split(' · ');
  out.push(
    `<text class="title" x="${W / 2}" y="22" text-anchor="middle" font-size="${head.length > 95 ? 12 : 14}" ` +
      `font-weight="bold">${esc(head)}</text>`,
  );
  if (sub.length)
    out.push(
      `<text class="subtitle" x="${W / 2}" y="40" text-anchor="middle" fill="#555">${esc(sub.join(' · '))}</text>`,
    );
  // grid and axes
  const xt = x.ticks(8);
  const fs = x.tickFormat(8, '~s');
  const fx = (t: number) => (t === 0 ? '0' : fs(t));
  out.push('<g class="axis x-axis">');
  out.push(`<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="#333"/>`);
  for (const t of xt) {
    const px = num(x(t));
    out.push(
      `<line x1="${px}" y1="${m.top}" x2="${px}" y2="${H - m.bottom}" stroke="#eee"/>` +
        `<line x1="${px}" y1="${H - m.bottom}" x2="${px}" y2="${H - m.bottom + 5}" stroke="#333"/>` +
        `<text x="${px}" y="${H - m.bottom + 18}" text-anchor="middle">${fx(t)}</text>`,
    );
  }
  out.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - m.bottom + 38}" text-anchor="middle">iteration</text></g>`,
  );
  for (const [y, side, name] of [
    [yl, 'left', 'learning rate'],
    [ym, 'right', 'momentum'],
  ] as const) {
    if (!y) continue;
    const x0 = side === 'left' ? m.left : W - m.right;
    const d = side === 'left' ? -1 : 1;
    const f = y.tickFormat(6);
    out.push(
      `<g class="axis y-axis ${side}"><line x1="${x0}" y1="${m.top}" x2="${x0}" y2="${H - m.bottom}" stroke="#333"/>`,
    );
    for (const t of y.ticks(6)) {
      const py = num(y(t));
      if (side === 'left') out.push(`<line x1="${m.left}" y1="${py}" x2="${W - m.right}" y2="${py}" stroke="#eee"/>`);
      out.push(
        `<line x1="${x0}" y1="${py}" x2="${x0 + 5 * d}" y2="${py}" stroke="#333"/>` +
          `<text x="${x0 + 8 * d}" y="${py}" dy="0.32em" text-anchor="${side === 'left' ? 'end' : 'start'}">` +
          `${f(t)}</text>`,
      );
    }
    const lx = side === 'left' ? 18 : W - 18;
    out.push(
      `<text transform="translate(${lx},${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">` +
        `${name}</text></g>`,
    );
  }
  // one band per series: upper edge forward, lower edge back
  series.forEach((s, k) => {
    const y = s.axis === 'lr' ? yl! : ym!;
    const per = length / s.env.columns;
    const pts: string[] = [];
    const low: string[] = [];
    for (let c = 0; c < s.env.columns; c++) {
      if (!(s.env.max[c] >= s.env.min[c])) continue;
      const px = num(x(start + Math.min(length - 1, (c + 0.5) * per)));
      pts.push(`${px},${num(y(s.env.max[c]))}`);
      low.push(`${px},${num(y(s.env.min[c]))}`);
    }
    const color = COLORS[k % COLORS.length];
    const dash = s.axis === 'momentum' ? ' stroke-dasharray="4 3" fill-opacity="0.15"' : ' fill-opacity="0.35"';
    out.push(
      `<path class="series" data-series="${esc(s.label)}" d="M${pts.join('L')}L${low.reverse().join('L')}Z" ` +
        `fill="${color}" stroke="${color}" stroke-width="1.2"${dash}/>`,
    );
  });
  // legend: three columns under the plot
  out.push('<g class="legend">');
  const colW = (W - m.left - m.right) / 3;
  series.slice(0, shown).forEach((s, k) => {
    const lx = m.left + (k % 3) * colW;
    const ly = H - m.bottom + 62 + Math.floor(k / 3) * 18;
    const color = COLORS[k % COLORS.length];
    const text = s.label.length > 44 ? `${s.label.slice(0, 43)}…` : s.label;
    const dash = s.axis === 'momentum' ? ' stroke-dasharray="4 3"' : '';
    out.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="3"${dash}/>` +
        `<text x="${lx + 24}" y="${ly}">${esc(text)}</text>`,
    );
  });
  if (series.length > shown)
    out.push(`<text x="${W - m.right}" y="${H - 8}" text-anchor="end">+${series.length - shown} more series</text>`);
  out.push('</g></svg>\n');
  return out.join('\n');
}

/** A Unicode chart of one envelope (its columns are the chart's), with the value range and iteration labels. */
export function renderTerminal(env: Envelope, rows = 12, label = 'lr'): string {
  const [lo, hi] = env.extent();
  const span = hi - lo || 1;
  const grid = Array.from({ length: rows }, () => new Array<string>(env.columns).fill(' '));
  const row = (v: number) => rows - 1 - Math.round(((v - lo) / span) * (rows - 1));
  for (let c = 0; c < env.columns; c++) {
    if (!(env.max[c] >= env.min[c])) continue;
    for (let r = row(env.max[c]); r <= row(env.min[c]); r++) grid[r][c] = '█';
  }
  const fmt = (v: number) => v.toPrecision(3);
  const w = Math.max(fmt(hi).length, fmt(lo).length, label.length);
  const lines = grid.map(
    (g, r) =>
      `${(r === 0 ? fmt(hi) : r === rows - 1 ? fmt(lo) : r === Math.floor(rows / 2) ? label : '').padStart(w)} ` +
      `│${g.join('')}`,
  );
  lines.push(`${''.padStart(w)} └${'─'.repeat(env.columns)}`);
  const a = String(env.start);
  const b = String(env.start + env.length - 1);
  lines.push(`${''.padStart(w + 2)}${a}${b.padStart(env.columns - a.length)}  iteration`);
  return `${lines.join('\n')}\n`;
}
