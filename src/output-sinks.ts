// The CLI's formats as small sinks on the one writer (src/output-file.ts): each takes the chunks of a run, in
// order, and writes its layout. Rows are numbered r = config × groups + group.
import { crc32 } from 'node:zlib';
import { csvHeader, csvLines, shortest } from './csv.js';
import { type Descr, layoutNpz, type NpzEntry, npyHeader, npzDirectory, npzLocalHeader } from './npy.js';
import type { OutputFile, StdoutWriter } from './output-file.js';
import { Envelope, renderSvg, type Series, svgColumns } from './plot.js';
import type { Row } from './wasm.js';

/** The window every sink of a run shares. */
export interface Shape {
  /** configs (1 for a single schedule) */
  readonly configs: number;
  readonly groups: number;
  /** iterations */
  readonly n: number;
  readonly start: number;
  readonly dtype: 'float64' | 'float32';
  readonly momentum: boolean;
}

/** One output of a run. */
export interface Sink {
  /** iterations [off, off + len) of config c: lr[g] (and momentum[g]) rows of that length */
  add(c: number, off: number, lr: readonly Row[], momentum: readonly Row[] | null): void;
  /** after the last chunk: writes what is left (headers, directory, the whole text) */
  finish(): void;
}

type Writer = OutputFile | StdoutWriter;
const elem = (s: Shape) => (s.dtype === 'float32' ? 4 : 8);
const descrOf = (s: Shape): Descr => (s.dtype === 'float32' ? '<f4' : '<f8');
const rows = (s: Shape) => (s.configs > 1 ? [s.configs, s.groups, s.n] : [s.groups, s.n]);

/** bytes of a .npy of the shape's lr (or momentum) */
export const npyBytes = (s: Shape): number =>
  npyHeader(descrOf(s), rows(s)).length + s.configs * s.groups * s.n * elem(s);

/** .npy of lr (or momentum) [groups, iterations] in C order, each row written where it goes. */
export class NpySink implements Sink {
  private readonly header: Uint8Array;
  /** @throws {OutputError} from the writer */
  constructor(
    private readonly file: OutputFile,
    private readonly s: Shape,
    private readonly which: 'lr' | 'momentum',
  ) {
    this.header = npyHeader(descrOf(s), rows(s));
    file.writeAt(this.header, 0);
  }
  add(c: number, off: number, lr: readonly Row[], momentum: readonly Row[] | null): void {
    const src = this.which === 'lr' ? lr : momentum!;
    const { groups: G, n } = this.s;
    for (let g = 0; g < G; g++) this.file.writeAt(src[g], this.header.length + ((c * G + g) * n + off) * elem(this.s));
  }
  finish(): void {}
}

/**
 * .npy on a pipe (`--out -`): sequential, so [groups, iterations] is written in Fortran order (iteration-major,
 * what the chunks give); NumPy reads it as the same array.
 */
export class NpyStreamSink implements Sink {
  /** @throws {OutputError} from the writer */
  constructor(
    private readonly out: Writer,
    private readonly s: Shape,
  ) {
    out.append(npyHeader(descrOf(s), [s.groups, s.n], s.groups > 1));
  }
  add(_c: number, _off: number, lr: readonly Row[]): void {
    const G = lr.length;
    if (G === 1) {
      this.out.append(lr[0]);
      return;
    }
    const L = lr[0].length;
    const buf = this.s.dtype === 'float32' ? new Float32Array(L * G) : new Float64Array(L * G);
    for (let g = 0; g < G; g++) {
      const row = lr[g];
      for (let i = 0; i < L; i++) buf[i * G + g] = row[i];
    }
    this.out.append(buf);
  }
  finish(): void {}
}

/** .npz: lr and momentum [configs, groups, iterations] (or [groups, iterations]) and extra arrays (labels, options). */
export class NpzSink implements Sink {
  private readonly entries: NpzEntry[];
  private readonly end: number;
  /** @throws {OutputError} from the writer */
  constructor(
    private readonly file: OutputFile,
    private readonly s: Shape,
    private readonly extras: readonly { name: string; descr: Descr; shape: number[]; bytes: Uint8Array }[],
  ) {
    const data = s.configs * s.groups * s.n * elem(s);
    const arrays = [
      { name: 'lr', header: npyHeader(descrOf(s), rows(s)), dataBytes: data },
      ...(s.momentum ? [{ name: 'momentum', header: npyHeader(descrOf(s), rows(s)), dataBytes: data }] : []),
      ...extras.map((x) => ({ name: x.name, header: npyHeader(x.descr, x.shape), dataBytes: x.bytes.length })),
    ];
    ({ entries: this.entries, end: this.end } = layoutNpz(arrays));
  }
  /** the file's size once finished */
  bytes(): number {
    return (
      this.end +
      npzDirectory(
        this.entries,
        this.entries.map(() => 0),
        this.end,
      ).length
    );
  }
  add(c: number, off: number, lr: readonly Row[], momentum: readonly Row[] | null): void {
    const { groups: G, n } = this.s;
    const E = elem(this.s);
    for (let g = 0; g < G; g++) {
      this.file.writeAt(lr[g], this.entries[0].dataAt + ((c * G + g) * n + off) * E);
      if (momentum) this.file.writeAt(momentum[g], this.entries[1].dataAt + ((c * G + g) * n + off) * E);
    }
  }
  finish(): void {
    const first = this.entries.length - this.extras.length;
    this.extras.forEach((x, k) => this.file.writeAt(x.bytes, this.entries[first + k].dataAt));
    const crcs = this.entries.map((e) => {
      this.file.writeAt(e.header, e.dataAt - e.header.length);
      const crc = this.crcOf(e.dataAt - e.header.length, e.dataAt + e.dataBytes);
      this.file.writeAt(npzLocalHeader(e, crc), e.headerAt);
      return crc;
    });
    this.file.writeAt(npzDirectory(this.entries, crcs, this.end), this.end);
  }
  /** CRC-32 of bytes [from, to), read back in pieces (the rows were written out of order) */
  private crcOf(from: number, to: number): number {
    const buf = new Uint8Array(Math.min(1 << 22, Math.max(1, to - from)));
    let crc = 0;
    for (let at = from; at < to; ) {
      const k = this.file.readAt(buf.subarray(0, Math.min(buf.length, to - at)), at);
      if (k <= 0) throw new Error('short read computing a CRC');
      crc = crc32(buf.subarray(0, k), crc);
      at += k;
    }
    return crc;
  }
}

/** CSV iteration,lr_0,…,momentum_0,…: shortest round-trip decimals (as float32 for float32), −0.0 as -0. */
export class CsvSink implements Sink {
  /** @throws {OutputError} from the writer */
  constructor(
    private readonly out: Writer,
    private readonly s: Shape,
  ) {
    out.append(csvHeader(s.groups, s.momentum));
  }
  add(_c: number, off: number, lr: readonly Row[], momentum: readonly Row[] | null): void {
    for (const text of csvLines(this.s.start + off, lr, momentum, 1 << 20, this.s.dtype)) this.out.append(text);
  }
  finish(): void {}
}

/** the fewest bytes a CSV of the shape takes (each value at least one digit): the free-space check's bound */
export function csvMinBytes(s: Shape): number {
  const header = csvHeader(s.groups, s.momentum).length;
  const perLine = s.groups * (s.momentum ? 2 : 1) * 2 + 1; // ",0" per value, "\n"
  let digits = 0;
  for (let d = 1, lo = 1; lo <= s.start + s.n; d++, lo *= 10) {
    const a = Math.max(s.start, lo === 1 ? 0 : lo);
    const b = Math.min(s.start + s.n, lo * 10);
    if (b > a) digits += (b - a) * d;
  }
  return header + s.n * perLine + digits;
}

/**
 * .json: `head` (options, window…), then `lr` (and `momentum`) as nested lists — [groups][iterations], or
 * [configs][groups][iterations] for a grid — written in pieces (no string of the whole file), −0.0 as -0.0.
 */
export class JsonSink implements Sink {
  private readonly lr: Float64Array;
  private readonly mom: Float64Array | null;
  /** @throws {OutputError} from the writer */
  constructor(
    private readonly out: Writer,
    private readonly s: Shape,
    private readonly head: Record<string, unknown>,
    private readonly grid = false,
  ) {
    const size = s.configs * s.groups * s.n;
    this.lr = new Float64Array(size);
    this.mom = s.momentum ? new Float64Array(size) : null;
  }
  add(c: number, off: number, lr: readonly Row[], momentum: readonly Row[] | null): void {
    const { groups: G, n } = this.s;
    for (let g = 0; g < G; g++) {
      this.lr.set(lr[g], (c * G + g) * n + off);
      if (this.mom && momentum) this.mom.set(momentum[g], (c * G + g) * n + off);
    }
  }
  finish(): void {
    const head = jsonText(this.head);
    this.out.append(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"lr":`);
    this.rowsOf(this.lr);
    if (this.mom) {
      this.out.append(',"momentum":');
      this.rowsOf(this.mom);
    } else this.out.append(',"momentum":null');
    this.out.append('}\n');
  }
  private rowsOf(data: Float64Array): void {
    const { configs: C, groups: G, n } = this.s;
    const f32 = this.s.dtype === 'float32';
    const grid = this.grid;
    let text = grid ? '[' : '';
    for (let c = 0; c < C; c++) {
      text += `${c ? ',' : ''}[`;
      for (let g = 0; g < G; g++) {
        text += `${g ? ',' : ''}[`;
        const at = (c * G + g) * n;
        for (let i = 0; i < n; i++) {
          const x = data[at + i];
          text += `${i ? ',' : ''}${Object.is(x, -0) ? '-0.0' : shortest(x, f32)}`;
          if (text.length > 1 << 20) {
            this.out.append(text);
            text = '';
          }
        }
        text += ']';
      }
      text += ']';
    }
    this.out.append(grid ? `${text}]` : text);
  }
}

/** JSON of plain data with −0.0 kept as `-0.0` (JSON.stringify writes `0`; Python's json reads `-0` as int 0). */
export function jsonText(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0.0' : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** The SVG chart: lr bands (and momentum bands on a second axis) per series, accumulated as chunks stream. */
export class SvgSink implements Sink {
  private readonly lr: Envelope[];
  private readonly mom: Envelope[] | null;
  /**
   * @param perConfig a grid's chart: lr of group 0 of each config, one band per config (momentum not drawn)
   * @throws never
   */
  constructor(
    private readonly file: OutputFile,
    private readonly s: Shape,
    private readonly title: string,
    private readonly labels: readonly string[] | null,
  ) {
    const bands = labels ? s.configs : s.groups;
    const cols = svgColumns(labels ? bands : bands * (s.momentum ? 2 : 1));
    this.lr = Array.from({ length: bands }, () => new Envelope(cols, s.start, s.n));
    this.mom = labels || !s.momentum ? null : Array.from({ length: bands }, () => new Envelope(cols, s.start, s.n));
  }
  add(c: number, off: number, lr: readonly Row[], momentum: readonly Row[] | null): void {
    const at = this.s.start + off;
    if (this.labels) {
      this.lr[c].add(at, lr[0]);
      return;
    }
    lr.forEach((row, g) => this.lr[g].add(at, row));
    if (this.mom && momentum) momentum.forEach((row, g) => this.mom![g].add(at, row));
  }
  finish(): void {
    const G = this.s.groups;
    const series: Series[] = this.labels
      ? this.lr.map((env, c) => ({ label: this.labels![c], axis: 'lr' as const, env }))
      : this.lr.map((env, g) => ({ label: G > 1 ? `lr, group ${g}` : 'lr', axis: 'lr' as const, env }));
    if (this.mom)
      this.mom.forEach((env, g) =>
        series.push({ label: G > 1 ? `momentum, group ${g}` : 'momentum', axis: 'momentum', env }),
      );
    this.file.append(renderSvg(this.title, series, this.s.start, this.s.n));
  }
}

/** The terminal chart's envelope (lr of group 0) */
export class ChartSink implements Sink {
  readonly env: Envelope;
  /** @throws never */
  constructor(s: Shape) {
    this.env = new Envelope(72, s.start, s.n);
  }
  add(c: number, off: number, lr: readonly Row[]): void {
    if (c === 0) this.env.add(this.env.start + off, lr[0]);
  }
  finish(): void {}
}
