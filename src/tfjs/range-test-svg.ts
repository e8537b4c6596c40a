// The LR range test drawn as SVG: loss against lr on a log axis, the suggested lrs marked (src/plot.ts's style).
import { scaleLinear, scaleLog } from 'd3-scale';
import type { LrRangeTestResult } from './lr-range-test.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const px = (v: number) => (Math.round(v * 10) / 10).toString();
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
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text class="title" x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text class="subtitle" x="${W / 2}" y="40" text-anchor="middle" fill="#555">${lrs.length} batches${result.stoppedEarly ? ', stopped early: the loss diverged' : ''}</text>`,
    '<g class="axis x-axis">',
    `<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="#333"/>`,
  ];
  const fx = x.tickFormat(8, '.0e');
  for (const t of x.ticks(8)) {
    const label = fx(t);
    const p = px(x(t));
    out.push(
      `<line x1="${p}" y1="${m.top}" x2="${p}" y2="${H - m.bottom}" stroke="#eee"/><line x1="${p}" y1="${H - m.bottom}" x2="${p}" y2="${H - m.bottom + 5}" stroke="#333"/>${label ? `<text x="${p}" y="${H - m.bottom + 18}" text-anchor="middle">${label}</text>` : ''}`,
    );
  }
  out.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - m.bottom + 38}" text-anchor="middle">learning rate (log scale)</text></g>`,
    `<g class="axis y-axis left"><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${H - m.bottom}" stroke="#333"/>`,
  );
  const fy = y.tickFormat(6);
  for (const t of y.ticks(6)) {
    const p = px(y(t));
    out.push(
      `<line x1="${m.left}" y1="${p}" x2="${W - m.right}" y2="${p}" stroke="#eee"/><line x1="${m.left}" y1="${p}" x2="${m.left - 5}" y2="${p}" stroke="#333"/><text x="${m.left - 8}" y="${p}" dy="0.32em" text-anchor="end">${fy(t)}</text>`,
    );
  }
  out.push(
    `<text transform="translate(18,${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">loss</text></g>`,
  );
  const dots = lrs
    .map((lr, i) => (Number.isFinite(losses[i]) ? `<circle cx="${px(x(lr))}" cy="${cy(losses[i])}" r="1.8"/>` : ''))
    .join('');
  out.push(`<g class="losses" fill="#1f77b4" fill-opacity="0.35">${dots}</g>`);
  const line = lrs
    .map((lr, i) => (Number.isFinite(smoothed[i]) ? `${px(x(lr))},${cy(smoothed[i])}` : ''))
    .filter(Boolean);
  if (line.length)
    out.push(`<path class="smoothed" d="M${line.join('L')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  out.push('<g class="suggestions">');
  MARKS.forEach(([key, color], k) => {
    const lr = suggestion[key];
    if (!(lr > 0) || !lrs.length) return;
    const p = px(x(lr));
    out.push(
      `<line data-suggestion="${key}" x1="${p}" y1="${m.top}" x2="${p}" y2="${H - m.bottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      `<text x="${m.left + k * 200}" y="${H - 20}" fill="${color}">${key} = ${lr.toPrecision(3)}</text>`,
    );
  });
  out.push(
    `<text x="${W - m.right}" y="${H - 20}" text-anchor="end" fill="#1f77b4">dots: loss per batch · line: smoothed</text>`,
    '</g></svg>\n',
  );
  return out.join('\n');
}
