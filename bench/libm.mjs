#!/usr/bin/env node
// node bench/libm.mjs [--quick]
// exp_range with glibc's FMA pow (libm 'fma', the default) against its no-FMA pow (libm 'nofma'): ns per value
// (median over the samples) of schedule() on the kernel and on the JS twin, and the ratio fma / nofma.
// The FMA pow takes plain operations plus a proven filter (docs/exactness.md); about 2.5 % of values are deferred
// to the end of their block and computed by the exact emulation of every fused operation; the JS twin the
// same, one value at a time. Never asserted.
import { Bench } from 'tinybench';
import { schedule } from 'cyclic-lr';

const quick = process.argv.includes('--quick');
const T = quick ? 1e4 : 1e6;
// ROUNDS tinybench runs of ITER samples each, fma and nofma alternating, so both see the same machine state
const ROUNDS = quick ? 1 : 9;
const ITER = quick ? 2 : 5;

const rows = [];
for (const [backend, groups, momentum, out] of [
  ['wasm', 1, false, false],
  ['wasm', 1, false, true],
  ['wasm', 1, true, false],
  ['wasm', 16, true, false],
  ['js', 1, false, false],
]) {
  const n = backend === 'js' ? T / 10 : T;
  const samples = { fma: [], nofma: [] };
  const last = {};
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: 0, iterations: ITER, warmupIterations: 1, warmupTime: 0, retainSamples: true });
    for (const libm of round % 2 ? ['nofma', 'fma'] : ['fma', 'nofma']) {
      const options = {
        baseLr: Array(groups).fill(0.001),
        maxLr: Array(groups).fill(0.1),
        stepSizeUp: 2000,
        mode: 'exp_range',
        gamma: 0.99994,
        cycleMomentum: momentum,
        libm,
      };
      bench.add(libm, () => {
        last[libm] = schedule(options, { length: n, backend, out: out ? last[libm] : undefined });
      });
    }
    await bench.run();
    for (const t of bench.tasks) samples[t.name].push(...t.result.latency.samples);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const p50 = { fma: (median(samples.fma) * 1e6) / (n * groups), nofma: (median(samples.nofma) * 1e6) / (n * groups) };
  rows.push({
    backend,
    groups,
    momentum,
    call: out ? 'warm (out)' : 'cold',
    iterations: n,
    'fma ns/value': p50.fma.toFixed(3),
    'nofma ns/value': p50.nofma.toFixed(3),
    'fma / nofma': (p50.fma / p50.nofma).toFixed(2),
  });
}
console.log(`exp_range, libm 'fma' against 'nofma': medians of ${ROUNDS * ITER} samples each, interleaved`);
console.table(rows);
