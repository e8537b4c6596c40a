// Loading the kernel and running plans on it, in one place. The module is compiled once, synchronously, from
// bytes embedded in the package (no fs, no fetch). Small results are computed in one reusable scratch
// instance and copied out; large ones get a memory of their own, sized once and never grown, and are
// returned as views of it: no copy, and no later call can touch them -- unless the caller hands them back
// as `out`, and then the kernel writes straight into them again (warm memory).
import { KERNEL_SHARED_WASM_BASE64, KERNEL_WASM_BASE64 } from './kernel-wasm.js';
import { CyclicLRError } from './errors.js';
import { CHUNK, TABLE_CYCLE, type Chunk, type Plan } from './plan.js';

interface KernelExports {
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

interface Kernel {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
}

/** Where a plan's pieces go in a kernel's memory: results first, so a reused memory keeps their offsets. */
interface Layout {
  lr: number;
  mom: number;
  params: number;
  table: number;
  shape: number;
  end: number;
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
/** wasm32 memory ends at 4 GiB */
export const MAX_MEMORY_BYTES = 65536 * PAGE;
/** results at least this large get a memory of their own instead of a copy out of the scratch instance */
export const OWN_MEMORY_BYTES = 1 << 20;
/** largest whole total_size that gets a cycle-shape table */
const MAX_SHAPE_TOTAL = 1 << 16;
/** a memory of its own keeps room for the largest tables, so it never has to grow when reused */
const TABLES_RESERVE = CHUNK * 8 + 16 * (MAX_SHAPE_TOTAL + 4096);

let compiled: WebAssembly.Module | null = null;
let compiledShared: WebAssembly.Module | null = null;
let scratchKernel: Kernel | null = null;
let base = 0;
/** memories of results handed out: their kernel and where the rows are */
const owned = new WeakMap<
  ArrayBufferLike,
  { kernel: Kernel; layout: Layout; groups: number; length: number; momentum: boolean; dtype: Dtype }
>();

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

function module(): WebAssembly.Module {
  if (compiled === null) compiled = new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64));
  return compiled;
}

/** The kernel built for a shared memory (worker threads), compiled on first use. */
export function sharedModule(): WebAssembly.Module {
  if (compiledShared === null) compiledShared = new WebAssembly.Module(decodeBase64(KERNEL_SHARED_WASM_BASE64));
  return compiledShared;
}

/** What a thread of the shared kernel needs to know of the layout: the first free byte, scratch bytes per thread. */
export function kernelLayoutBase(): { base: number; scratchBytes: number } {
  const e = scratch().exports;
  return { base, scratchBytes: align(e.scratch_bytes()) };
}

function instantiate(bytes: number): Kernel {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages });
  } catch (e) {
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `the kernel could not allocate ${bytes} bytes: ${(e as Error).message}`,
    );
  }
  const instance = new WebAssembly.Instance(module(), { env: { memory } });
  return { memory, exports: instance.exports as unknown as KernelExports };
}

function scratch(): Kernel {
  if (scratchKernel === null) {
    scratchKernel = instantiate(PAGE);
    const e = scratchKernel.exports;
    base = align(e.heap_base()) + align(e.scratch_bytes());
  }
  return scratchKernel;
}

export const align = (n: number): number => Math.ceil(n / 16) * 16;

export const elemBytes = (dtype: Dtype): number => (dtype === 'float32' ? 4 : 8);
export const resultBytes = (plan: Plan, dtype: Dtype = 'float64'): number =>
  plan.groups * plan.length * elemBytes(dtype) * (plan.momentum ? 2 : 1);

/** iterations in the plan's cycle-shape table, or 0 when the plan has none (see the kernel's fill) */
export function shapeSpan(plan: Plan): number {
  const total = plan.totalSize;
  if (!Number.isInteger(total) || total > MAX_SHAPE_TOTAL || !Number.isSafeInteger(plan.start)) return 0;
  const span = scratch().exports.shape_span(total);
  return plan.length >= 4 * span ? span : 0;
}

function layout(plan: Plan, dtype: Dtype, reserve: boolean): Layout {
  scratch();
  const rows = plan.groups * plan.length * elemBytes(dtype);
  const lr = base;
  const mom = lr + rows;
  const params = align(mom + (plan.momentum ? rows : 0));
  const table = params + align(plan.params.byteLength);
  const shape = table + (reserve ? CHUNK * 8 : align(plan.kind >= TABLE_CYCLE ? Math.min(plan.length, CHUNK) * 8 : 0));
  const end = shape + (reserve ? TABLES_RESERVE - CHUNK * 8 : 16 * shapeSpan(plan));
  return { lr, mom, params, table, shape, end };
}

/** where one plan's pieces go in a kernel's memory */
type Place = Pick<Layout, 'lr' | 'mom' | 'params' | 'table' | 'shape'>;

/** Fills one plan into a kernel's memory at `at`; `lr`/`mom` are the rows there, for the overflow check. */
function fillPlan(
  k: Kernel,
  plan: Plan,
  dtype: Dtype,
  at: Place,
  lr: Row[],
  mom: Row[] | null,
  checkChunk: Check,
): void {
  const E = elemBytes(dtype);
  const buf = k.memory.buffer;
  new Float64Array(buf, at.params, plan.params.length).set(plan.params);
  const shape = shapeSpan(plan) ? at.shape : 0;
  const scratchPtr = align(k.exports.heap_base());
  for (const c of plan.chunks()) {
    if (c.table) new Float64Array(buf, at.table, c.table.length).set(c.table);
    k.exports.fill(
      plan.start + c.offset,
      c.length,
      plan.totalSize,
      plan.stepRatio,
      c.kind,
      plan.gamma,
      at.table,
      c.c0,
      plan.groups,
      at.params,
      at.lr + c.offset * E,
      mom ? at.mom + c.offset * E : 0,
      plan.length,
      scratchPtr,
      shape,
      E === 4 ? 1 : 0,
    );
    checkChunk(c, lr, mom);
  }
}

type Check = (chunk: Chunk, lr: Row[], mom: Row[] | null) => void;

const arrayOf = (dtype: Dtype) => (dtype === 'float32' ? Float32Array : Float64Array);

/** rows of `length` values, `groups` of them, from `ptr` in buf */
export function rowsAt(buf: ArrayBufferLike, ptr: number, groups: number, length: number, dtype: Dtype): Row[] {
  const Arr = arrayOf(dtype);
  const E = elemBytes(dtype);
  return Array.from({ length: groups }, (_, g) => new Arr(buf as ArrayBuffer, ptr + g * length * E, length));
}

/** the kernel for `bytes`: a memory of its own, or the scratch instance grown to fit */
function kernelFor(bytes: number, own: boolean): Kernel {
  if (bytes > MAX_MEMORY_BYTES) {
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `the window needs ${bytes} bytes of kernel memory, more than wasm32's 4 GiB: use shorter windows`,
      'length',
    );
  }
  if (own) return instantiate(bytes);
  const k = scratch();
  if (k.memory.buffer.byteLength < bytes) k.memory.grow(Math.ceil((bytes - k.memory.buffer.byteLength) / PAGE));
  return k;
}

/**
 * Runs a plan on the kernel: rows of plan.length values per group (momentum null when not cycled).
 * `out`: rows from an earlier result of this shape, written again in place (the kernel's own memory when they
 * are views of it, else a copy into them).
 */
export function runWasm(plan: Plan, dtype: Dtype, checkChunk: Check, out?: Rows): Rows {
  const G = plan.groups;
  const L = plan.length;
  const reuse = out && out.lr.length > 0 ? owned.get(out.lr[0].buffer) : undefined;
  const fits =
    !!reuse && reuse.groups === G && reuse.length === L && reuse.momentum === plan.momentum && reuse.dtype === dtype;
  const own = fits || resultBytes(plan, dtype) >= OWN_MEMORY_BYTES;
  const lay = fits ? reuse!.layout : layout(plan, dtype, own);
  const k = fits ? reuse!.kernel : kernelFor(lay.end, own);
  const buf = k.memory.buffer;
  const lr = fits ? out!.lr : rowsAt(buf, lay.lr, G, L, dtype);
  const mom = !plan.momentum ? null : fits ? out!.momentum : rowsAt(buf, lay.mom, G, L, dtype);
  fillPlan(k, plan, dtype, lay, lr, mom, checkChunk);
  if (own) {
    if (!fits) owned.set(buf, { kernel: k, layout: lay, groups: G, length: L, momentum: plan.momentum, dtype });
    if (out && !fits) return copyInto(out, { lr, momentum: mom });
    return fits ? out! : { lr, momentum: mom };
  }
  if (out) return copyInto(out, { lr, momentum: mom });
  return { lr: lr.map((a) => a.slice()), momentum: mom && mom.map((a) => a.slice()) };
}

/** Results of many plans over one window in one contiguous block: lr rows of every plan, then momentum rows. */
export interface ManyRows {
  lr: Row;
  momentum: Row | null;
  rows: Rows[];
}

/** Runs many plans (same length) into one contiguous block of the kernel's memory. */
export function runManyWasm(plans: Plan[], dtype: Dtype, checkChunk: (i: number) => Check): ManyRows {
  scratch();
  const E = elemBytes(dtype);
  const L = plans.length ? plans[0].length : 0;
  const lrElems = plans.reduce((n, p) => n + p.groups * L, 0);
  const momElems = plans.reduce((n, p) => n + (p.momentum ? p.groups * L : 0), 0);
  const maxGroups = plans.reduce((n, p) => Math.max(n, p.groups), 0);
  const lrBase = base;
  const momBase = lrBase + lrElems * E;
  const params = align(momBase + momElems * E);
  const table = params + align(maxGroups * 32);
  const shape = table + CHUNK * 8;
  const end = table + TABLES_RESERVE;
  const own = (lrElems + momElems) * E >= OWN_MEMORY_BYTES;
  const k = kernelFor(end, own);
  const buf = k.memory.buffer;
  let lrAt = lrBase;
  let momAt = momBase;
  const rows = plans.map((plan, i) => {
    const lr = rowsAt(buf, lrAt, plan.groups, L, dtype);
    const mom = plan.momentum ? rowsAt(buf, momAt, plan.groups, L, dtype) : null;
    fillPlan(k, plan, dtype, { lr: lrAt, mom: momAt, params, table, shape }, lr, mom, checkChunk(i));
    lrAt += plan.groups * L * E;
    if (plan.momentum) momAt += plan.groups * L * E;
    return { lr, momentum: mom };
  });
  const Arr = arrayOf(dtype);
  const flatLr = new Arr(buf as ArrayBuffer, lrBase, lrElems);
  const flatMom = plans.some((p) => p.momentum) ? new Arr(buf as ArrayBuffer, momBase, momElems) : null;
  if (own) return { lr: flatLr, momentum: flatMom, rows };
  return splitFlat(flatLr.slice(), flatMom && flatMom.slice(), plans, L);
}

/** per-plan rows as views of flat lr / momentum blocks laid out as runManyWasm lays them */
export function splitFlat(lr: Row, momentum: Row | null, plans: Plan[], L: number): ManyRows {
  let a = 0;
  let m = 0;
  const view = (flat: Row, at: number, G: number): Row[] =>
    Array.from({ length: G }, (_, g) => flat.subarray(at + g * L, at + (g + 1) * L));
  const rows = plans.map((p) => {
    const r = { lr: view(lr, a, p.groups), momentum: p.momentum && momentum ? view(momentum, m, p.groups) : null };
    a += p.groups * L;
    if (p.momentum) m += p.groups * L;
    return r;
  });
  return { lr, momentum, rows };
}

/** copies rows into a caller's rows of the same shape and returns the caller's */
function copyInto(out: Rows, from: Rows): Rows {
  out.lr.forEach((row, g) => row.set(from.lr[g]));
  if (out.momentum && from.momentum) out.momentum.forEach((row, g) => row.set(from.momentum![g]));
  return out;
}

/** The kernel's pow(gamma, t) (CPython float ** int with glibc's no-FMA pow): for tests of the JS twin. */
export function kernelPow(gamma: number, t: number): number {
  return scratch().exports.pow_int(gamma, t);
}
