#!/usr/bin/env node
// node bench/libm.mjs [--quick]
// exp_range with glibc's FMA pow (libm 'fma', the default) against its no-FMA pow (libm 'nofma'): ns per value
// (median over the samples) of schedule() on the kernel and on the JS twin, and the ratio fma / nofma.
// The FMA pow takes plain operations plus a proven filter (docs/exactness.md); 5 % of pairs fall back to the exact
// emulation of every fused operation, and the JS twin the same, one value at a time. Never asserted.
import { Bench } from 'tinybench';
import { schedule } from 'cyclic-lr';

const quick = process.argv.includes('--quick');
const T = quick ? 1e4 : 1e6;
const ITER = quick ? 2 : 15;

const rows = [];
for (const [backend, groups, momentum] of [
  ['wasm', 1, false],
  ['wasm', 1, true],
  ['wasm', 16, true],
  ['js', 1, false],
]) {
  const bench = new Bench({ time: 0, iterations: ITER, warmupIterations: 2, warmupTime: 0 });
  const n = backend === 'js' ? T / 10 : T;
  for (const libm of ['fma', 'nofma']) {
    const options = {
      baseLr: Array(groups).fill(0.001),
      maxLr: Array(groups).fill(0.1),
      stepSizeUp: 2000,
      mode: 'exp_range',
      gamma: 0.99994,
      cycleMomentum: momentum,
      libm,
    };
    bench.add(libm, () => schedule(options, { length: n, backend }));
  }
  await bench.run();
  const p50 = Object.fromEntries(bench.tasks.map((t) => [t.name, (t.result.latency.p50 * 1e6) / (n * groups)]));
  rows.push({
    backend,
    groups,
    momentum,
    iterations: n,
    'fma ns/value': p50.fma.toFixed(3),
    'nofma ns/value': p50.nofma.toFixed(3),
    'fma / nofma': (p50.fma / p50.nofma).toFixed(2),
  });
}
console.table(rows);
