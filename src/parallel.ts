// scheduleParallel(): schedule() split across worker threads writing into one shared WebAssembly memory.
import { CyclicLRError, show } from './errors.js';
import { readKey, resolveOptions, type CyclicLROptions } from './options.js';
import { planWindow, type Plan } from './plan.js';
import { checkChunk, resolveWindow, schedule, type ScheduleResult, type Window } from './schedule.js';
import {
  MAX_MEMORY_BYTES,
  align,
  elemBytes,
  kernelLayoutBase,
  rowsAt,
  shapeSpan,
  sharedModule,
  type Dtype,
  type Row,
} from './wasm.js';

/** below this many values a window runs on the calling thread: messages would cost more than they save */
const MIN_PARALLEL_VALUES = 1 << 17;
const PAGE = 65536;

// The worker: instantiates the shared kernel on the memory it is sent and runs the fill calls it is given.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, module, memory, calls }) => {
  try {
    const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
    for (const args of calls) k.fill(...args);
    parentPort.postMessage({ id });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.stack) || e) });
  }
});`;

interface PoolWorker {
  post(msg: unknown): Promise<void>;
}

let pool: PoolWorker[] = [];
let nextId = 0;

type WorkerCtor = new (
  src: string,
  opts: { eval: boolean },
) => {
  on(ev: string, f: (m: never) => void): void;
  postMessage(m: unknown): void;
  ref(): void;
  unref(): void;
};

async function workers(n: number): Promise<PoolWorker[]> {
  if (pool.length >= n) return pool.slice(0, n);
  const { Worker } = (await import('node:worker_threads')) as unknown as { Worker: WorkerCtor };
  while (pool.length < n) {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
    w.on('message', (m: { id: number; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      if (p) m.error ? p.reject(new Error(m.error)) : p.resolve();
    });
    w.on('error', (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      pool = pool.filter((x) => x !== entry);
    });
    const entry: PoolWorker = {
      post(msg: unknown) {
        const id = nextId++;
        w.ref(); // keep the process alive while a job is out
        return new Promise<void>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          w.postMessage({ ...(msg as object), id });
        });
      },
    };
    pool.push(entry);
  }
  return pool.slice(0, n);
}

/** Threads this machine offers (Node's availableParallelism, a browser's hardwareConcurrency), at least 1. */
async function defaultThreads(): Promise<number> {
  try {
    const os = (await import('node:os')) as { availableParallelism?: () => number; cpus: () => unknown[] };
    return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  } catch {
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    return Math.max(1, nav?.hardwareConcurrency ?? 1);
  }
}

const canThread = (): boolean =>
  typeof SharedArrayBuffer === 'function' &&
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/**
 * schedule() split across `threads` threads (the caller's and worker threads) writing into one shared
 * WebAssembly memory: the same numbers, bit for bit, sooner for large windows. Falls back to one thread
 * (schedule()) where SharedArrayBuffer or worker threads are missing (browsers without cross-origin
 * isolation), for windows under 2^17 values, and with a custom `scaleFn` (a JS callback cannot cross
 * threads). Results are views of a SharedArrayBuffer.
 *
 * @param window schedule()'s window plus `threads` (default: the machine's parallelism); no `out`.
 * @throws {CyclicLRError} what schedule() throws; `ERR_INVALID_WINDOW` for a bad `threads`.
 * @example
 * const { lr } = await scheduleParallel({ baseLr: 0.001, maxLr: 0.1, mode: 'exp_range', gamma: 0.99999 }, { length: 1e8 });
 */
export async function scheduleParallel(
  options: CyclicLROptions,
  window: Window & { threads?: number; dtype: 'float32' },
): Promise<ScheduleResult<Float32Array>>;
export async function scheduleParallel(
  options: CyclicLROptions,
  window: Window & { threads?: number; dtype?: 'float64' },
): Promise<ScheduleResult<Float64Array>>;
export async function scheduleParallel(
  options: CyclicLROptions,
  window: Window & { threads?: number },
): Promise<ScheduleResult<Row>>;
export async function scheduleParallel(
  options: CyclicLROptions,
  window: Window & { threads?: number },
): Promise<ScheduleResult<Row>> {
  const threadsIn = window && typeof window === 'object' ? readKey(window, 'threads') : undefined;
  if (threadsIn !== undefined && (typeof threadsIn !== 'number' || !Number.isSafeInteger(threadsIn) || threadsIn < 1)) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `threads must be a whole number ≥ 1, got ${show(threadsIn)}`,
      'threads',
    );
  }
  const { threads: _t, ...rest } = window;
  const r = resolveOptions(options);
  const w = resolveWindow(rest);
  if (w.out !== undefined)
    throw new CyclicLRError('ERR_INVALID_WINDOW', 'out is not supported by scheduleParallel', 'out');
  const threads = threadsIn ?? (await defaultThreads());
  const values = r.groups * w.length * (r.cycleMomentum ? 2 : 1);
  if (threads === 1 || r.scaleFn !== null || w.backend === 'js' || values < MIN_PARALLEL_VALUES || !canThread())
    return schedule(options, rest);
  const bytes = values * elemBytes(w.dtype);
  if (bytes > MAX_MEMORY_BYTES) {
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `${r.groups} groups × ${w.length} iterations need ${bytes} bytes of results, more than the 4 GiB one call may return: use shorter windows`,
      'length',
    );
  }
  return runShared(planWindow(r, w.start, w.length), w.dtype, Math.min(threads, Math.ceil(w.length / 4096)));
}

async function runShared(plan: Plan, dtype: Dtype, threads: number): Promise<ScheduleResult<Row>> {
  const E = elemBytes(dtype);
  const G = plan.groups;
  const L = plan.length;
  const { base, scratchBytes } = kernelLayoutBase();
  const span = shapeSpan(plan);
  const lr = base;
  const mom = lr + G * L * E;
  const params = align(mom + (plan.momentum ? G * L * E : 0));
  const perThread = scratchBytes + align(16 * span);
  const threadBase = params + align(plan.params.byteLength);
  const end = threadBase + threads * perThread;
  if (end > MAX_MEMORY_BYTES)
    throw new CyclicLRError(
      'ERR_WINDOW_TOO_LARGE',
      `the window needs ${end} bytes of kernel memory, more than wasm32's 4 GiB`,
      'length',
    );
  const pages = Math.ceil(end / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const module = sharedModule();
  const main = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
    fill(...a: number[]): void;
  };
  new Float64Array(memory.buffer, params, plan.params.length).set(plan.params);
  // contiguous ranges of iterations, whole blocks of 1024
  const per = Math.ceil(L / threads / 1024) * 1024;
  const calls: number[][] = [];
  for (let k = 0; k < threads && k * per < L; k++) {
    const a = k * per;
    const n = Math.min(per, L - a);
    const at = threadBase + k * perThread;
    calls.push([
      plan.start + a,
      n,
      plan.totalSize,
      plan.stepRatio,
      plan.kind,
      plan.gamma,
      0,
      0,
      G,
      params,
      lr + a * E,
      plan.momentum ? mom + a * E : 0,
      L,
      at,
      span ? at + scratchBytes : 0,
      E === 4 ? 1 : 0,
    ]);
  }
  const helpers = await workers(calls.length - 1);
  const jobs = calls.slice(1).map((args, k) => helpers[k].post({ module, memory, calls: [args] }));
  main.fill(...calls[0]);
  await Promise.all(jobs);
  const lrRows = rowsAt(memory.buffer, lr, G, L, dtype);
  const momRows = plan.momentum ? rowsAt(memory.buffer, mom, G, L, dtype) : null;
  for (const chunk of plan.chunks()) checkChunk(plan, chunk, lrRows, momRows);
  return { lr: lrRows, momentum: momRows };
}
