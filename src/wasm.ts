// Loading the kernel and running plans on it, in one place. The module is compiled once, synchronously, from
// bytes embedded in the package (no fs, no fetch), and instantiated once per thread on one memory that only
// ever holds working data: the parameters, a custom scale table, a cycle-shape table and one block of output
// sized to stay in L2. Results are ordinary JS typed arrays: the kernel fills a block, the block is copied
// into the result rows with TypedArray.prototype.set, and the next block reuses the same cache lines. So a
// result costs its bytes (not a WebAssembly memory's ~10 GiB of address space), and no later call can touch
// it -- unless the caller hands it back as `out`, and then it is written again in place.
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';
import { CyclicLRError } from './errors.js';
import { CHUNK, TABLE_ITER, TRIANGULAR, type Chunk, type Plan } from './plan.js';

/** the kernel's exports src/ uses */
export interface KernelExports {
  fill(
    start: number,
    length: number,
    totalSize: number,
    stepRatio: number,
    kind: number,
    gamma: number,
    table: number,
    c0: number,
    groups: number,
    params: number,
    lrPtr: number,
    momPtr: number,
    stride: number,
    scratch: number,
    shapeTable: number,
    f32: number,
  ): void;
  shape_span(totalSize: number): number;
  pow_int(gamma: number, t: number): number;
  heap_base(): number;
  scratch_bytes(): number;
}

/** one instance of the kernel on its memory (one per thread) */
export interface Kernel {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
}

/** the element type of result rows */
export type Dtype = 'float64' | 'float32';
export type Row = Float64Array | Float32Array;

/** rows a caller holds: lr, and momentum or null */
export interface Rows {
  lr: Row[];
  momentum: Row[] | null;
}

const PAGE = 65536;
/** one call returns at most 4 GiB of results (wasm32's limit once; kept as the documented cap) */
export const MAX_MEMORY_BYTES = 65536 * PAGE;
/** bytes of output one kernel call writes before they are copied out: about a core's L2 */
export const BLOCK_BYTES = 1 << 20;
/**
 * A call that uses a cycle-shape table computes it first (span iterations the slow way): its blocks hold at
 * least this many spans (up to MAX_TABLE_BLOCK_BYTES) so that the table costs a few percent.
 */
const TABLE_SPANS = 64;
/** fillPeriodic computes the fewest whole cycles of at least this many iterations, and copies them */
const COPY_ITERATIONS = 4096;
const MAX_TABLE_BLOCK_BYTES = 1 << 22;
/** largest whole total_size that gets a cycle-shape table */
const MAX_SHAPE_TOTAL = 1 << 16;
/** room for the largest cycle-shape table: 2 * shape_span f64 */
const SHAPE_BYTES = 16 * (MAX_SHAPE_TOTAL + 4096);

/**
 * One plan's run, as plain data (a worker thread gets a copy): its numbers and where its pieces sit in a
 * kernel's memory. Rows g of the block are `block` iterations apart.
 */
export interface BlockJob {
  start: number;
  totalSize: number;
  stepRatio: number;
  gamma: number;
  groups: number;
  momentum: boolean;
  f32: number;
  params: Float64Array;
  /** iterations per block, and 0 or the cycle-shape span (a block of ≥ 4 spans uses the table) */
  block: number;
  span: number;
  scratchAt: number;
  paramsAt: number;
  tableAt: number;
  shapeAt: number;
  lrAt: number;
  momAt: number;
  /** bytes of kernel memory the job needs */
  end: number;
  /** the plan's TABLE_ITER kind code (a per-iteration table, indexed from the call's first iteration) */
  tableIter: number;
}

let compiled: WebAssembly.Module | null = null;
let mainKernel: Kernel | null = null;
/** counts runs on the main kernel: a run that finds it moved after user code ran writes its parameters again */
let epoch = 0;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

/** The compiled kernel (compiled on first use); worker threads get it by postMessage. */
export function kernelModule(): WebAssembly.Module {
  if (compiled === null) compiled = new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64));
  return compiled;
}

const outOfMemory = (what: string, e: unknown): CyclicLRError =>
  new CyclicLRError(
    'ERR_OUT_OF_MEMORY',
    `${what}: ${(e as Error)?.message ?? String(e)} ` +
      '(the process ran out of memory or of address space, e.g. under ulimit -v)',
  );

/** The kernel of this thread: one instance on one memory for the process, grown as blocks need, never per result. */
export function kernel(): Kernel {
  if (mainKernel === null) {
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: 1 });
    } catch (e) {
      // every wasm32 memory reserves ~10 GiB of virtual address space in V8 (guard regions), however small
      throw outOfMemory('the kernel could not reserve its one WebAssembly memory (~10 GiB of address space)', e);
    }
    const instance = new WebAssembly.Instance(kernelModule(), { env: { memory } });
    mainKernel = { memory, exports: instance.exports as unknown as KernelExports };
  }
  return mainKernel;
}

export const align = (n: number): number => Math.ceil(n / 16) * 16;

export const elemBytes = (dtype: Dtype): number => (dtype === 'float32' ? 4 : 8);
export const resultBytes = (plan: Plan, dtype: Dtype = 'float64'): number =>
  plan.groups * plan.length * elemBytes(dtype) * (plan.momentum ? 2 : 1);

/** Iterations in the plan's cycle-shape table, or 0 when the plan can have none (see the kernel's fill). */
function shapeSpanOf(e: KernelExports, plan: Plan): number {
  const total = plan.totalSize;
  if (!Number.isInteger(total) || total > MAX_SHAPE_TOTAL || !Number.isSafeInteger(plan.start)) return 0;
  return e.shape_span(total);
}

/**
 * Where a plan's pieces go in a kernel's memory (scratch, table, shape, params, then the block), and how
 * many iterations a block holds: BLOCK_BYTES of output, or one iteration of every group when that is more.
 */
export function blockJob(e: KernelExports, plan: Plan, dtype: Dtype): BlockJob {
  const E = elemBytes(dtype);
  const perIteration = Math.max(1, plan.groups * E * (plan.momentum ? 2 : 1));
  const span = shapeSpanOf(e, plan);
  let fit = Math.max(1, Math.floor(BLOCK_BYTES / perIteration));
  if (span && fit < TABLE_SPANS * span && fit >= 4 * span)
    fit = Math.max(fit, Math.min(TABLE_SPANS * span, Math.floor(MAX_TABLE_BLOCK_BYTES / perIteration)));
  const block = Math.max(1, Math.min(plan.length, fit >= 2048 ? fit - (fit % 1024) : fit));
  const scratchAt = align(e.heap_base());
  const tableAt = scratchAt + align(e.scratch_bytes());
  const shapeAt = tableAt + CHUNK * 8;
  const paramsAt = shapeAt + SHAPE_BYTES;
  const lrAt = paramsAt + align(plan.params.byteLength);
  const momAt = lrAt + align(plan.groups * block * E);
  const end = momAt + (plan.momentum ? align(plan.groups * block * E) : 0);
  return {
    start: plan.start,
    totalSize: plan.totalSize,
    stepRatio: plan.stepRatio,
    gamma: plan.gamma,
    groups: plan.groups,
    momentum: plan.momentum,
    f32: E === 4 ? 1 : 0,
    params: plan.params,
    block,
    span,
    scratchAt,
    paramsAt,
    tableAt,
    shapeAt,
    lrAt,
    momAt,
    end,
    tableIter: TABLE_ITER,
  };
}

/**
 * Makes a kernel's memory hold the job and writes its parameters. Self-contained (worker threads run its
 * source): throws the engine's RangeError when the memory cannot grow.
 */
export function prepareJob(k: Kernel, j: BlockJob): void {
  const have = k.memory.buffer.byteLength;
  if (have < j.end) k.memory.grow(Math.ceil((j.end - have) / 65536));
  new Float64Array(k.memory.buffer, j.paramsAt, j.params.length).set(j.params);
}

/**
 * Writes one value into every 4 KiB page of row[from, from + n), the last value included: a page a copy is about
 * to write is then already mapped. TypedArray.prototype.set and copyWithin (memcpy, memmove) into fresh pages take
 * a page fault inside the copy: measured 1.4× `fill` of the same fresh bytes here, and ≈ `fill` with the pages
 * touched first. The copy that follows overwrites every value written here. Self-contained: worker threads run
 * its source.
 */
export function touchPages(row: Row, from: number, n: number): void {
  if (n <= 0) return;
  const step = 4096 / row.BYTES_PER_ELEMENT;
  for (let p = from; p < from + n; p += step) row[p] = 0;
  row[from + n - 1] = 0;
}

/**
 * Fills rows lr[g] / mom[g] at iterations [from, from + n) of a prepared job, one block at a time: the
 * kernel writes the block into its memory, TypedArray.prototype.set copies each group's part out (its pages
 * touched first, touchPages). `kind`, `table` (its address, holding the scale of iteration `tableFrom` first for
 * a per-iteration table) and `c0` are the chunk's. Iteration t goes to index t - shift of the rows.
 * Self-contained: worker threads run its source.
 */
export function fillBlocks(
  k: Kernel,
  j: BlockJob,
  lr: Row[],
  mom: Row[] | null,
  from: number,
  n: number,
  kind: number,
  table: number,
  tableFrom: number,
  c0: number,
  shift = 0,
): void {
  const e = k.exports;
  const B = j.block;
  const G = j.groups;
  const E = j.f32 ? 4 : 8;
  const Arr = j.f32 ? Float32Array : Float64Array;
  const buf = k.memory.buffer;
  const lrBlock: Row[] = [];
  const momBlock: Row[] = [];
  for (let g = 0; g < G; g++) {
    lrBlock.push(new Arr(buf, j.lrAt + g * B * E, B));
    if (mom) momBlock.push(new Arr(buf, j.momAt + g * B * E, B));
  }
  for (let b = 0; b < n; b += B) {
    const m = Math.min(B, n - b);
    const t = from + b;
    e.fill(
      j.start + t,
      m,
      j.totalSize,
      j.stepRatio,
      kind,
      j.gamma,
      kind === j.tableIter ? table + (t - tableFrom) * 8 : table,
      c0,
      G,
      j.paramsAt,
      j.lrAt,
      mom ? j.momAt : 0,
      B,
      j.scratchAt,
      j.span && m >= 4 * j.span ? j.shapeAt : 0,
      j.f32,
    );
    for (let g = 0; g < G; g++) {
      touchPages(lr[g], t - shift, m);
      lr[g].set(m === B ? lrBlock[g] : lrBlock[g].subarray(0, m), t - shift);
      if (!mom) continue;
      touchPages(mom[g], t - shift, m);
      mom[g].set(m === B ? momBlock[g] : momBlock[g].subarray(0, m), t - shift);
    }
  }
}

/**
 * Runs a plan on this thread's kernel into `lr` / `mom` (rows of plan.length values), chunk by chunk, with the
 * overflow check after each. Re-entrant: a custom scaleFn runs between chunks and may call schedule() again;
 * the inner run uses the same memory, so afterwards this run grows nothing it relies on and writes its
 * parameters again before its next kernel call (the block and table are written just before they are read).
 */
function runInto(plan: Plan, dtype: Dtype, lr: Row[], mom: Row[] | null, checkChunk: Check): void {
  const k = kernel();
  const j = blockJob(k.exports, plan, dtype);
  let mine = -1;
  for (const c of plan.chunks()) {
    if (mine !== epoch) {
      try {
        prepareJob(k, j);
      } catch (e) {
        throw outOfMemory(`the kernel's memory could not grow to ${j.end} bytes`, e);
      }
      mine = ++epoch;
    }
    if (c.table) new Float64Array(k.memory.buffer, j.tableAt, c.table.length).set(c.table);
    if (c.kind === TRIANGULAR && j.span) fillPeriodic(k, j, lr, mom, c.offset, c.length);
    else fillBlocks(k, j, lr, mom, c.offset, c.length, c.kind, j.tableAt, c.offset, c.c0);
    checkChunk(c, lr, mom);
  }
}

/**
 * triangular with a whole total_size: the kernel's cycle-shape classes (cycles c in [2^E, 2^(E+1) - 2], see its
 * fill) give every t = c total + r of a class the same x and scale_factor, so the same lr and momentum bits:
 * the kernel computes whole cycles of a class once (up to a block) and the rest of the class is copies of them.
 */
function fillPeriodic(k: Kernel, j: BlockJob, lr: Row[], mom: Row[] | null, from: number, n: number): void {
  const total = j.totalSize;
  // the fewest whole cycles of at least COPY_ITERATIONS (or half a block, when less): computed once, they stay
  // in cache while they are copied
  const period = total * Math.ceil(Math.min(COPY_ITERATIONS, j.block / 2) / total);
  const rows = mom ? [...lr, ...mom] : lr;
  for (let i = from; i < from + n; ) {
    const t = j.start + i;
    let c = Math.floor(t / total);
    if (c * total > t)
      c--; // the quotient rounded up near 2^53
    else if ((c + 1) * total <= t) c++;
    let lo = 2 ** Math.floor(Math.log2(Math.max(1, c))); // 2^E ≤ c < 2^(E+1); Math.log2 may round: adjust
    if (lo > c) lo /= 2;
    else if (2 * lo <= c) lo *= 2;
    const last = 2 * lo - 2;
    const end = c < 2 || c >= 2 ** 51 || c > last ? (c + 1) * total : (last + 1) * total; // a lone cycle: computed
    const m = Math.min(from + n - i, end - t);
    const once = Math.min(m, period);
    fillBlocks(k, j, lr, mom, i, once, TRIANGULAR, 0, 0, 0);
    for (let q = once; q < m; q += once) {
      const len = Math.min(once, m - q);
      for (const row of rows) {
        touchPages(row, i + q, len);
        row.copyWithin(i + q, i, i + len);
      }
    }
    i += m;
  }
}

type Check = (chunk: Chunk, lr: Row[], mom: Row[] | null) => void;

const arrayOf = (dtype: Dtype) => (dtype === 'float32' ? Float32Array : Float64Array);

/** Node's Buffer (absent in browsers): its allocUnsafeSlow gives memory the allocator already has, not zeroed */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array<ArrayBuffer> } }).Buffer;

/**
 * A fresh array of `length` elements for a result the kernel overwrites entirely: where Node's Buffer is
 * there, memory the allocator recycles (already paged in, not zeroed: it is never returned half-written, as
 * an error discards it); else a zeroed ArrayBuffer. `shared`: a SharedArrayBuffer (zeroed).
 * @throws {CyclicLRError} ERR_OUT_OF_MEMORY when the process cannot allocate it.
 */
export function allocate(dtype: Dtype, length: number, shared = false): Row {
  const Arr = arrayOf(dtype);
  const bytes = length * elemBytes(dtype);
  try {
    if (shared) return new Arr(new SharedArrayBuffer(bytes) as unknown as ArrayBuffer);
    if (NodeBuffer && bytes >= 4096) {
      const b = NodeBuffer.allocUnsafeSlow(bytes);
      if (b.byteOffset === 0 && b.buffer.byteLength === bytes) return new Arr(b.buffer, 0, length);
    }
    return new Arr(length);
  } catch (e) {
    throw outOfMemory(`could not allocate ${bytes} bytes for the result`, e);
  }
}

/** rows of `length` values, `groups` of them, as views of `flat` from element `at` */
export function rowsOf(flat: Row, at: number, groups: number, length: number): Row[] {
  return Array.from({ length: groups }, (_, g) => flat.subarray(at + g * length, at + (g + 1) * length));
}

/**
 * Runs a plan on the kernel: rows of plan.length values per group (momentum null when not cycled), views of
 * one fresh ArrayBuffer (lr rows, then momentum rows). `out`: rows from an earlier result of this shape,
 * written again in place and returned.
 */
export function runWasm(plan: Plan, dtype: Dtype, checkChunk: Check, out?: Rows): Rows {
  const G = plan.groups;
  const L = plan.length;
  let rows: Rows;
  if (out) rows = out;
  else {
    const flat = allocate(dtype, G * L * (plan.momentum ? 2 : 1));
    rows = { lr: rowsOf(flat, 0, G, L), momentum: plan.momentum ? rowsOf(flat, G * L, G, L) : null };
  }
  runInto(plan, dtype, rows.lr, rows.momentum, checkChunk);
  return rows;
}

/** Results of many plans over one window in one contiguous block: lr rows of every plan, then momentum rows. */
export interface ManyRows {
  lr: Row;
  momentum: Row | null;
  rows: Rows[];
}

/** Runs many plans (same length) into one fresh lr block and one momentum block. */
export function runManyWasm(plans: Plan[], dtype: Dtype, checkChunk: (i: number) => Check): ManyRows {
  const L = plans.length ? plans[0].length : 0;
  const lrElems = plans.reduce((n, p) => n + p.groups * L, 0);
  const momElems = plans.reduce((n, p) => n + (p.momentum ? p.groups * L : 0), 0);
  const lr = allocate(dtype, lrElems);
  const momentum = plans.some((p) => p.momentum) ? allocate(dtype, momElems) : null;
  const many = splitFlat(lr, momentum, plans, L);
  plans.forEach((plan, i) => runInto(plan, dtype, many.rows[i].lr, many.rows[i].momentum, checkChunk(i)));
  return many;
}

/** per-plan rows as views of flat lr / momentum blocks laid out as runManyWasm lays them */
export function splitFlat(lr: Row, momentum: Row | null, plans: Plan[], L: number): ManyRows {
  let a = 0;
  let m = 0;
  const rows = plans.map((p) => {
    const r = {
      lr: rowsOf(lr, a, p.groups, L),
      momentum: p.momentum && momentum ? rowsOf(momentum, m, p.groups, L) : null,
    };
    a += p.groups * L;
    if (p.momentum) m += p.groups * L;
    return r;
  });
  return { lr, momentum, rows };
}

/** The kernel's pow(gamma, t) (CPython float ** int with glibc's no-FMA pow): for tests of the JS twin. */
export function kernelPow(gamma: number, t: number): number {
  return kernel().exports.pow_int(gamma, t);
}
