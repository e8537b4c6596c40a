// scheduleChunks(): a window larger than memory, as consecutive chunks that reuse one buffer.
import { CyclicLRError, show } from './errors.js';
import { readKey, resolveOptions, type CyclicLROptions } from './options.js';
import { planWindow } from './plan.js';
import { resolveWindow, runPlan, type ScheduleResult, type Window } from './schedule.js';
import type { Row } from './wasm.js';

/** One chunk: iterations [start, start + length) of the window, as schedule() returns them. */
export interface ScheduleChunk<A extends Row = Float64Array> extends ScheduleResult<A> {
  start: number;
  length: number;
}

/**
 * The window `[start, start + length)` in consecutive chunks of `chunkLength` iterations (the last may be
 * shorter), so 1e9 values stream in bounded memory. The chunks reuse one buffer: a chunk's arrays are
 * overwritten by the next one, so copy what you keep. Values are exactly schedule()'s.
 *
 * @param window `{ start = 0, length, chunkLength = 2^20, backend, dtype }`.
 * @throws {CyclicLRError} what schedule() throws, from the chunk where it happens (ERR_OVERFLOW, ERR_SCALE_FN),
 *   or before the first chunk for bad options and windows.
 * @example
 * for (const c of scheduleChunks(options, { length: 1e9, chunkLength: 1 << 22 })) write(c.start, c.lr);
 */
export function scheduleChunks(
  options: CyclicLROptions,
  window: Window & { chunkLength?: number; dtype: 'float32' },
): Generator<ScheduleChunk<Float32Array>>;
export function scheduleChunks(
  options: CyclicLROptions,
  window: Window & { chunkLength?: number; dtype?: 'float64' },
): Generator<ScheduleChunk<Float64Array>>;
export function scheduleChunks(
  options: CyclicLROptions,
  window: Window & { chunkLength?: number },
): Generator<ScheduleChunk<Row>>;
export function scheduleChunks(
  options: CyclicLROptions,
  window: Window & { chunkLength?: number },
): Generator<ScheduleChunk<Row>> {
  const r = resolveOptions(options);
  const chunkLength =
    window && typeof window === 'object'
      ? (readKey(window, 'chunkLength', 'chunkLength', 'ERR_INVALID_WINDOW') ?? 1 << 20)
      : undefined;
  if (typeof chunkLength !== 'number' || !Number.isSafeInteger(chunkLength) || chunkLength < 1) {
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      `chunkLength must be a whole number ≥ 1, got ${show(chunkLength)}`,
      'chunkLength',
    );
  }
  const { chunkLength: _c, ...rest } = window;
  const w = resolveWindow(rest);
  if (w.out !== undefined)
    throw new CyclicLRError(
      'ERR_INVALID_WINDOW',
      'out is not supported by scheduleChunks (the chunks reuse their own buffer)',
      'out',
    );
  return (function* chunks() {
    let out: ScheduleResult<Row> | undefined;
    for (let off = 0; off < w.length; off += chunkLength) {
      const n = Math.min(chunkLength, w.length - off);
      if (out && out.lr[0].length !== n) out = undefined;
      out = runPlan<Row>(planWindow(r, w.start + off, n), w.backend, w.dtype, out);
      yield { start: w.start + off, length: n, lr: out.lr, momentum: out.momentum };
    }
  })();
}
