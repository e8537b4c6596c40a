// The CSV layout of a schedule, shared by the CLI and the web page: pure text, no I/O.
import type { Row } from './wasm.js';

/** The header line: `iteration,lr_0,…,lr_{G-1}[,momentum_0,…]`, with its newline. */
export function csvHeader(groups: number, momentum: boolean): string {
  const names = ['iteration'];
  for (let g = 0; g < groups; g++) names.push(`lr_${g}`);
  if (momentum) for (let g = 0; g < groups; g++) names.push(`momentum_${g}`);
  return `${names.join(',')}\n`;
}

/**
 * The data lines of one chunk, in pieces of about `piece` characters: line i holds iteration `start + i`, then
 * every lr row's value, then every momentum row's, each as its shortest round-trip decimal.
 */
export function* csvLines(
  start: number,
  lr: readonly Row[],
  momentum: readonly Row[] | null,
  piece = 1 << 20,
): Generator<string> {
  const rows = momentum ? [...lr, ...momentum] : [...lr];
  const L = lr.length ? lr[0].length : 0;
  let text = '';
  for (let i = 0; i < L; i++) {
    text += String(start + i);
    for (const row of rows) text += `,${String(row[i])}`;
    text += '\n';
    if (text.length > piece) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}
