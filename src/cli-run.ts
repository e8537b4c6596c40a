// The CLI's one streaming loop: computes the window chunk by chunk and hands every chunk to every sink, with a
// progress bar on a terminal; a signal stops it between chunks (its temporary files are already gone).
import { CHUNK_VALUES } from './cli-options.js';
import { Interrupted, interruption } from './output-file.js';
import type { Shape, Sink } from './output-sinks.js';
import type { Row } from './wasm.js';

/** the rows of one config for one chunk */
export interface ChunkResult {
  readonly lr: readonly Row[];
  readonly momentum: readonly Row[] | null;
}
/** computes iterations [start, start + length) of every config */
export type Compute = (start: number, length: number) => Promise<readonly ChunkResult[]> | readonly ChunkResult[];

function progress(quiet: boolean) {
  const tty = !quiet && process.stderr.isTTY;
  const t0 = Date.now();
  let last = 0;
  return {
    update(done: number, total: number) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const s = (now - t0) / 1000;
      const rate = done / Math.max(s, 1e-3);
      const eta = rate > 0 ? (total - done) / rate : 0;
      const w = 30;
      const k = Math.round((w * done) / total);
      const pct = ((100 * done) / total).toFixed(0).padStart(3);
      process.stderr.write(
        `\r[${'#'.repeat(k)}${' '.repeat(w - k)}] ${pct}%  ${rate.toExponential(2)} values/s  ETA ${eta.toFixed(0)}s `,
      );
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

const yieldToSignals = () => new Promise<void>((resolve) => setImmediate(resolve));
const stopIfSignalled = () => {
  const sig = interruption();
  if (sig) throw new Interrupted(sig);
};

/**
 * Streams the window of `s` in chunks of `chunk` iterations through `sinks`, then finishes each sink.
 * @throws {Interrupted} on a signal; what a sink's writer throws (OutputError, ReaderGone)
 */
export async function stream(
  s: Shape,
  chunkFlag: number | undefined,
  compute: Compute,
  sinks: readonly Sink[],
  quiet: boolean,
) {
  const bar = progress(quiet);
  const perIteration = s.configs * s.groups * (s.momentum ? 2 : 1);
  // default: about CHUNK_VALUES values a chunk, from 1,024 up to 2^20 iterations
  const chunk = chunkFlag ?? Math.min(1 << 20, Math.max(1024, Math.floor(CHUNK_VALUES / perIteration)));
  for (let off = 0; off < s.n; off += chunk) {
    const len = Math.min(chunk, s.n - off);
    const results = await compute(s.start + off, len);
    stopIfSignalled();
    results.forEach((res, c) => {
      for (const sink of sinks) sink.add(c, off, res.lr, res.momentum);
    });
    bar.update((off + len) * perIteration, s.n * perIteration); // values, not iterations
    await yieldToSignals();
    stopIfSignalled();
  }
  bar.end();
  for (const sink of sinks) sink.finish();
}
