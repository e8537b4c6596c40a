// Loading the kernel and running plans on it, in one place. The module is compiled once, synchronously, from
// bytes embedded in the package (no fs, no fetch). Small results are computed in one reusable scratch
// instance and copied out; large ones get a memory of their own, sized once and never grown, and are
// returned as views of it: no copy, and no later call can touch them.
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';
import { CyclicLRError } from './errors.js';
import type { Chunk, Plan } from './plan.js';

interface KernelExports {
  fill(start: number, length: number, totalSize: number, stepRatio: number, kind: number, gamma: number,
    table: number, c0: number, groups: number, params: number, lrPtr: number, momPtr: number, stride: number,
    scratch: number): void;
  pow_int(gamma: number, t: number): number;
  heap_base(): number;
  scratch_bytes(): number;
}

interface Kernel {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
}

const PAGE = 65536;
/** wasm32 memory ends at 4 GiB */
export const MAX_MEMORY_BYTES = 65536 * PAGE;
/** results at least this large get a memory of their own instead of a copy out of the scratch instance */
export const OWN_MEMORY_BYTES = 1 << 20;

let compiled: WebAssembly.Module | null = null;
let scratchKernel: Kernel | null = null;
let layoutBase = 0;

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

function instantiate(bytes: number): Kernel {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages });
  } catch (e) {
    throw new CyclicLRError('ERR_WINDOW_TOO_LARGE', `the kernel could not allocate ${bytes} bytes: ${(e as Error).message}`);
  }
  const instance = new WebAssembly.Instance(module(), { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  return { memory, exports };
}

function scratch(): Kernel {
  if (scratchKernel === null) {
    scratchKernel = instantiate(PAGE);
    const e = scratchKernel.exports;
    layoutBase = align(e.heap_base()) + e.scratch_bytes();
  }
  return scratchKernel;
}

const align = (n: number): number => Math.ceil(n / 16) * 16;

/** Bytes a plan needs in the kernel's memory: static data, scratch, params, a chunk's table, the results. */
export function bytesNeeded(plan: Plan): number {
  scratch();
  const tableBytes = plan.kind >= 3 ? Math.min(plan.length, 1 << 16) * 8 : 0;
  return layoutBase + align(plan.params.byteLength) + align(tableBytes) + resultBytes(plan);
}

export const resultBytes = (plan: Plan): number => plan.groups * plan.length * 8 * (plan.momentum ? 2 : 1);

/** Runs a plan on the kernel: rows of plan.length values per group (momentum null when not cycled). */
export function runWasm(plan: Plan, checkChunk: (chunk: Chunk, lr: Float64Array[], mom: Float64Array[] | null) => void):
  { lr: Float64Array[]; momentum: Float64Array[] | null } {
  const need = bytesNeeded(plan);
  if (need > MAX_MEMORY_BYTES) {
    throw new CyclicLRError('ERR_WINDOW_TOO_LARGE', `the window needs ${need} bytes of kernel memory, more than wasm32's 4 GiB: use shorter windows`);
  }
  const own = resultBytes(plan) >= OWN_MEMORY_BYTES;
  const k = own ? instantiate(need) : scratch();
  if (!own && k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / PAGE));
  const { groups: G, length: L } = plan;
  const paramsPtr = layoutBase;
  const tablePtr = paramsPtr + align(plan.params.byteLength);
  const lrPtr = tablePtr + align(plan.kind >= 3 ? Math.min(L, 1 << 16) * 8 : 0);
  const momPtr = plan.momentum ? lrPtr + G * L * 8 : 0;
  const buf = k.memory.buffer;
  new Float64Array(buf, paramsPtr, plan.params.length).set(plan.params);
  const rows = (ptr: number): Float64Array[] => Array.from({ length: G }, (_, g) => new Float64Array(buf, ptr + g * L * 8, L));
  const lr = rows(lrPtr);
  const mom = plan.momentum ? rows(momPtr) : null;
  const scratchPtr = align(k.exports.heap_base());
  for (const c of plan.chunks()) {
    if (c.table) new Float64Array(buf, tablePtr, c.table.length).set(c.table);
    k.exports.fill(plan.start + c.offset, c.length, plan.totalSize, plan.stepRatio, c.kind, plan.gamma, tablePtr, c.c0,
      G, paramsPtr, lrPtr + c.offset * 8, momPtr ? momPtr + c.offset * 8 : 0, L, scratchPtr);
    checkChunk(c, lr, mom);
  }
  if (own) return { lr, momentum: mom };
  return { lr: lr.map((a) => a.slice()), momentum: mom && mom.map((a) => a.slice()) };
}

/** The kernel's pow(gamma, t) (CPython float ** int with glibc's no-FMA pow): for tests of the JS twin. */
export function kernelPow(gamma: number, t: number): number {
  return scratch().exports.pow_int(gamma, t);
}
