// scheduleParallel(): schedule() split across worker threads, each with its own kernel.
import { CyclicLRError, show } from './errors.js';
import { readKey, resolveOptions, type CyclicLROptions } from './options.js';
import { planWindow, type Plan } from './plan.js';
import { checkChunk, resolveWindow, schedule, type ScheduleResult, type Window } from './schedule.js';
import {
  MAX_MEMORY_BYTES,
  allocate,
  blockJob,
  elemBytes,
  fillBlocks,
  kernel,
  kernelModule,
  prepareJob,
  touchPages,
  rowsOf,
  type Dtype,
  type Row,
} from './wasm.js';

/** below this many values a window runs on the calling thread: messages would cost more than they save */
const MIN_PARALLEL_VALUES = 1 << 17;
/** the node modules, resolved at run time so that bundlers for the browser never see them */
const WORKER_THREADS = 'node:worker_threads';
const NODE_OS = 'node:os';

// The worker: one kernel instance for its life; each job fills a range of iterations, block by block, into
// its slice of the workspace (rows of n values: lr rows, then momentum rows), with the calling thread's
// own functions (sent as source).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const prepareJob = ${prepareJob.toString()};
const touchPages = ${touchPages.toString()};
const fillBlocks = ${fillBlocks.toString()};
let k = null;
parentPort.on('message', ({ id, module, job, sab, at, from, n }) => {
  try {
    if (k === null) {
      const memory = new WebAssembly.Memory({ initial: 1 });
      k = { memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports };
    }
    prepareJob(k, job);
    const Arr = job.f32 ? Float32Array : Float64Array;
    const row = (r) => new Arr(sab, at + r * n * (job.f32 ? 4 : 8), n);
    const lr = Array.from({ length: job.groups }, (_, g) => row(g));
    const mom = job.momentum ? Array.from({ length: job.groups }, (_, g) => row(job.groups + g)) : null;
    fillBlocks(k, job, lr, mom, from, n, job.kind, 0, 0, 0, from);
    parentPort.postMessage({ id });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.stack) || e) });
  }
});`;

/**
 * Where workers put their output before the calling thread copies it into the result: SharedArrayBuffers of
 * two rounds × helpers × a slice, reused by every call (a fresh one per call would stay alive in idle isolates
 * that never collect it). A call takes one for its duration; concurrent calls each take their own.
 */
const workspaces: SharedArrayBuffer[] = [];

interface PoolWorker {
  post(msg: object): Promise<void>;
}

let pool: PoolWorker[] = [];
let nextId = 0;

interface WorkerLike {
  on(ev: string, f: (m: never) => void): void;
  postMessage(m: unknown): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (src: string, opts: { eval: boolean }) => WorkerLike;

/** node:worker_threads' Worker, or null where there is none (browsers, other runtimes) */
async function workerCtor(): Promise<WorkerCtor | null> {
  try {
    const spec = WORKER_THREADS;
    return ((await import(/* @vite-ignore */ spec)) as { Worker?: WorkerCtor }).Worker ?? null;
  } catch {
    return null;
  }
}

function spawn(Worker: WorkerCtor): void {
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
    post(msg) {
      const id = nextId++;
      w.ref(); // keep the process alive while a job is out
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ ...msg, id });
      });
    },
  };
  pool.push(entry);
}

async function workers(n: number): Promise<PoolWorker[] | null> {
  if (pool.length < n) {
    const Worker = await workerCtor();
    if (Worker === null) return null;
    while (pool.length < n) spawn(Worker);
  }
  return pool.slice(0, n);
}

/** Threads this machine offers (Node's availableParallelism, a browser's hardwareConcurrency), at least 1. */
async function defaultThreads(): Promise<number> {
  try {
    const spec = NODE_OS;
    const os = (await import(/* @vite-ignore */ spec)) as {
      availableParallelism?: () => number;
      cpus: () => unknown[];
    };
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
 * schedule() split across `threads` threads (the caller's and worker threads, each with its own kernel):
 * the same numbers, bit for bit, sooner for large windows. Falls back to one thread
 * (schedule()) where SharedArrayBuffer or worker threads are missing (browsers without cross-origin
 * isolation), for windows under 2^17 values, and with a custom `scaleFn` (a JS callback cannot cross
 * threads). Results are ordinary arrays, as schedule()'s; the workers' output reaches them through one reused
 * workspace, so repeated calls keep memory bounded.
 *
 * @param window schedule()'s window plus `threads` (default: the machine's parallelism); no `out`.
 * @throws {CyclicLRError} what schedule() throws; `ERR_INVALID_WINDOW` for a bad `threads`.
 * @example
 * const { lr } = await scheduleParallel(
 *   { baseLr: 0.001, maxLr: 0.1, mode: 'exp_range', gamma: 0.99999 },
 *   { length: 1e8 },
 * );
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
  const threadsIn =
    window && typeof window === 'object' ? readKey(window, 'threads', 'threads', 'ERR_INVALID_WINDOW') : undefined;
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
      `${r.groups} groups × ${w.length} iterations need ${bytes} bytes of results, ` +
        'more than the 4 GiB one call may return: use shorter windows',
      'length',
    );
  }
  const use = Math.min(threads, Math.ceil(w.length / 4096));
  if (use < 2) return schedule(options, rest);
  return runShared(planWindow(r, w.start, w.length), w.dtype, use, options, rest);
}

/** one thread's part of a round: iterations [from, from + n), and the worker doing it (-1: this thread) */
interface Part {
  from: number;
  n: number;
  helper: number;
}

async function runShared(
  plan: Plan,
  dtype: Dtype,
  threads: number,
  options: CyclicLROptions,
  window: Window,
): Promise<ScheduleResult<Row>> {
  const G = plan.groups;
  const L = plan.length;
  const E = elemBytes(dtype);
  const H = threads - 1;
  const slice = Math.floor(Math.max(1 << 20, (1 << 24) / H) / 16) * 16;
  const perIteration = G * E * (plan.momentum ? 2 : 1);
  // iterations per part: a slice, split evenly when the window is shorter than a round
  const per = Math.min(Math.floor(slice / perIteration), Math.ceil(L / threads / 1024) * 1024);
  if (per < 1024) return schedule(options, window);
  const helpers = await workers(H);
  if (helpers === null) return schedule(options, window);
  const free = workspaces.findIndex((b) => b.byteLength >= 2 * H * slice);
  const sab = free >= 0 ? workspaces.splice(free, 1)[0] : new SharedArrayBuffer(2 * H * slice);
  try {
    return await runRounds(plan, dtype, H, slice, per, helpers, sab);
  } finally {
    workspaces.push(sab);
  }
}

async function runRounds(
  plan: Plan,
  dtype: Dtype,
  H: number,
  slice: number,
  per: number,
  helpers: PoolWorker[],
  sab: SharedArrayBuffer,
): Promise<ScheduleResult<Row>> {
  const G = plan.groups;
  const L = plan.length;
  const E = elemBytes(dtype);
  const flat = allocate(dtype, G * L * (plan.momentum ? 2 : 1));
  const lr = rowsOf(flat, 0, G, L);
  const mom = plan.momentum ? rowsOf(flat, G * L, G, L) : null;
  const k = kernel();
  const job = { ...blockJob(k.exports, plan, dtype), kind: plan.kind };
  const rounds: Part[][] = [];
  for (let a = 0; a < L; ) {
    const parts: Part[] = [];
    for (let h = -1; h < H && a < L; h++, a += per) parts.push({ from: a, n: Math.min(per, L - a), helper: h });
    rounds.push(parts);
  }
  const at = (r: number, p: Part) => ((r % 2) * H + p.helper) * slice;
  // a worker that fails (e.g. cannot reserve its memory under ulimit -v): this thread does its part
  const post = (r: number) =>
    rounds[r]
      .filter((p) => p.helper >= 0)
      .map((p) =>
        helpers[p.helper].post({ module: kernelModule(), job, sab, at: at(r, p), from: p.from, n: p.n }).then(
          () => true,
          () => false,
        ),
      );
  const here = (p: Part) => {
    try {
      prepareJob(k, job); // again each time: other calls may have used this thread's kernel while it waited
    } catch (e) {
      throw new CyclicLRError(
        'ERR_OUT_OF_MEMORY',
        `the kernel's memory could not grow to ${job.end} bytes: ${(e as Error).message}`,
      );
    }
    fillBlocks(k, job, lr, mom, p.from, p.n, plan.kind, 0, 0, 0);
  };
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  let out = post(0);
  for (let r = 0; r < rounds.length; r++) {
    const done = out;
    out = r + 1 < rounds.length ? post(r + 1) : []; // the workers go on into the other half meanwhile
    here(rounds[r][0]);
    const ok = await Promise.all(done);
    rounds[r].slice(1).forEach((p, i) => {
      if (!ok[i]) return here(p);
      const row = (q: number) => new Arr(sab as unknown as ArrayBuffer, at(r, p) + q * p.n * E, p.n);
      for (let g = 0; g < G; g++) {
        touchPages(lr[g], p.from, p.n);
        lr[g].set(row(g), p.from);
        if (!mom) continue;
        touchPages(mom[g], p.from, p.n);
        mom[g].set(row(G + g), p.from);
      }
    });
  }
  for (const chunk of plan.chunks()) checkChunk(plan, chunk, lr, mom);
  return { lr, momentum: mom };
}
