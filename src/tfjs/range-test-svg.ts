// The LR range test drawn as SVG: loss against lr on a log axis, the suggested lrs marked (src/plot.ts's style).
import { scaleLinear, scaleLog } from 'd3-scale';
import type { LrRangeTestResult } from './lr-range-test.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const px = (v: number) => (Math.round(v * 10) / 10).toString();
const FONT = { 'font-family': 'Helvetica, Arial, sans-serif', 'font-size': 12 };
/** an element: `<tag a="v"/>`, `<tag a="v">text</tag>`, or only its opening tag when text is null */
function el(tag: string, attrs: Record<string, string | number>, text?: string | null): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return text === undefined ? `<${tag}${a}/>` : text === null ? `<${tag}${a}>` : `<${tag}${a}>${esc(text)}</${tag}>`;
}
const MARKS = [
  ['baseLr', '#2ca02c'],
  ['steepest', '#ff7f0e'],
  ['maxLr', '#d62728'],
] as const;

/**
 * An SVG chart of an {@link lrRangeTest} result: each batch's loss (dots) and the smoothed loss (line) against
 * lr on a log axis, with `baseLr`, `steepest` and `maxLr` marked by labelled vertical lines.
 * @throws never (an empty result draws empty axes)
 * @example
 * writeFileSync('range-test.svg', lrRangeTestSvg(await lrRangeTest(model, xs, ys), 'my model'));
 */
export function lrRangeTestSvg(result: LrRangeTestResult, title = 'LR range test'): string {
  const { lrs, losses, smoothed, suggestion } = result;
  const W = 960;
  const H = 540;
  const m = { top: 56, right: 40, bottom: 90, left: 84 };
  const finite = [...losses, ...smoothed].filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0;
  // the smoothed curve sets the top: a diverged batch's loss would flatten everything else
  const top = smoothed.filter(Number.isFinite);
  let hi = top.length ? Math.max(...top) : 1;
  if (!(hi > lo)) hi = lo + (Math.abs(lo) || 1);
  const x = scaleLog()
    .domain(lrs.length > 1 ? [lrs[0], lrs[lrs.length - 1]] : [1e-4, 1])
    .range([m.left, W - m.right]);
  const y = scaleLinear()
    .domain([lo, hi])
    .nice()
    .range([H - m.bottom, m.top]);
  const [y0, y1] = y.domain();
  const cy = (v: number) => px(y(Math.min(Math.max(v, y0), y1)));
  const bottom = H - m.bottom;
  const out: string[] = [
    el('svg', { xmlns: 'http://www.w3.org/2000/svg', width: W, height: H, viewBox: `0 0 ${W} ${H}`, ...FONT }, null),
    el('rect', { width: W, height: H, fill: '#ffffff' }),
    el(
      'text',
      { class: 'title', x: W / 2, y: 22, 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' },
      title,
    ),
    el(
      'text',
      { class: 'subtitle', x: W / 2, y: 40, 'text-anchor': 'middle', fill: '#555' },
      `${lrs.length} batches${result.stoppedEarly ? ', stopped early: the loss diverged' : ''}`,
    ),
    '<g class="axis x-axis">',
    el('line', { x1: m.left, y1: bottom, x2: W - m.right, y2: bottom, stroke: '#333' }),
  ];
  const fx = x.tickFormat(8, '.0e');
  for (const t of x.ticks(8)) {
    const label = fx(t);
    const p = px(x(t));
    out.push(
      el('line', { x1: p, y1: m.top, x2: p, y2: bottom, stroke: '#eee' }) +
        el('line', { x1: p, y1: bottom, x2: p, y2: bottom + 5, stroke: '#333' }) +
        (label ? el('text', { x: p, y: bottom + 18, 'text-anchor': 'middle' }, label) : ''),
    );
  }
  out.push(
    `${el('text', { x: (m.left + W - m.right) / 2, y: bottom + 38, 'text-anchor': 'middle' }, 'lr (log scale)')}</g>`,
    `<g class="axis y-axis left">${el('line', { x1: m.left, y1: m.top, x2: m.left, y2: bottom, stroke: '#333' })}`,
  );
  const fy = y.tickFormat(6);
  for (const t of y.ticks(6)) {
    const p = px(y(t));
    out.push(
      el('line', { x1: m.left, y1: p, x2: W - m.right, y2: p, stroke: '#eee' }) +
        el('line', { x1: m.left, y1: p, x2: m.left - 5, y2: p, stroke: '#333' }) +
        el('text', { x: m.left - 8, y: p, dy: '0.32em', 'text-anchor': 'end' }, fy(t)),
    );
  }
  const middle = (m.top + bottom) / 2;
  out.push(`${el('text', { transform: `translate(18,${middle}) rotate(-90)`, 'text-anchor': 'middle' }, 'loss')}</g>`);
  const dots = lrs
    .map((lr, i) => (Number.isFinite(losses[i]) ? el('circle', { cx: px(x(lr)), cy: cy(losses[i]), r: 1.8 }) : ''))
    .join('');
  out.push(`<g class="losses" fill="#1f77b4" fill-opacity="0.35">${dots}</g>`);
  const line = lrs
    .map((lr, i) => (Number.isFinite(smoothed[i]) ? `${px(x(lr))},${cy(smoothed[i])}` : ''))
    .filter(Boolean);
  if (line.length)
    out.push(
      el('path', { class: 'smoothed', d: `M${line.join('L')}`, fill: 'none', stroke: '#1f77b4', 'stroke-width': 2 }),
    );
  out.push('<g class="suggestions">');
  MARKS.forEach(([key, color], k) => {
    const lr = suggestion[key];
    if (!(lr > 0) || !lrs.length) return;
    const p = px(x(lr));
    const dash = { stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '5 3' };
    out.push(
      el('line', { 'data-suggestion': key, x1: p, y1: m.top, x2: p, y2: bottom, ...dash }),
      el('text', { x: m.left + k * 200, y: H - 20, fill: color }, `${key} = ${lr.toPrecision(3)}`),
    );
  });
  const legend = 'dots: loss per batch · line: smoothed';
  out.push(el('text', { x: W - m.right, y: H - 20, 'text-anchor': 'end', fill: '#1f77b4' }, legend), '</g></svg>\n');
  return out.join('\n');
}
