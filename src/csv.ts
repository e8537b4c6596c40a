// The CSV layout of a schedule, shared by the CLI and the web page: pure text, no I/O.
import type { Row } from './wasm.js';

/**
 * The shortest decimal that reads back as `x`: as a float64 (`String(x)`), or, with `float32`, as a float32
 * (`Math.fround(Number(text)) === x`, e.g. `0.001` where the float64 digits are `0.0010000000474974513`).
 * Keeps the sign of zero: −0.0 is `-0` (`String(-0)` is `"0"`).
 * @throws never
 * @example
 * shortest(Math.fround(0.001), true); // '0.001'
 * shortest(-0); // '-0'
 */
export function shortest(x: number, float32 = false): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!float32 || !Number.isFinite(x)) return String(x);
  for (let p = 1; p < 9; p++) {
    const t = Number(x.toPrecision(p));
    if (Math.fround(t) === x) return String(t);
  }
  return String(Number(x.toPrecision(9))); // 9 significant digits always round-trip a float32
}

/** The header line: `iteration,lr_0,…,lr_{G-1}[,momentum_0,…]`, with its newline. */
export function csvHeader(groups: number, momentum: boolean): string {
  const names = ['iteration'];
  for (let g = 0; g < groups; g++) names.push(`lr_${g}`);
  if (momentum) for (let g = 0; g < groups; g++) names.push(`momentum_${g}`);
  return `${names.join(',')}\n`;
}

/**
 * The data lines of one chunk, in pieces of about `piece` characters: line i holds iteration `start + i`, then
 * every lr row's value, then every momentum row's, each as its shortest round-trip decimal (of a float32 with
 * `dtype: 'float32'`), −0.0 as `-0`.
 */
export function* csvLines(
  start: number,
  lr: readonly Row[],
  momentum: readonly Row[] | null,
  piece = 1 << 20,
  dtype: 'float64' | 'float32' = 'float64',
): Generator<string> {
  const rows = momentum ? [...lr, ...momentum] : [...lr];
  const L = lr.length ? lr[0].length : 0;
  const f32 = dtype === 'float32';
  let text = '';
  for (let i = 0; i < L; i++) {
    text += String(start + i);
    for (const row of rows) text += `,${shortest(row[i], f32)}`;
    text += '\n';
    if (text.length > piece) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}
