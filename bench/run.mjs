#!/usr/bin/env node
// npm run bench [-- --quick] [-- --filter exp_range]
// ns per output value (median, min–max over the samples) of cyclic-lr's paths against baselines measured in
// the same run: a plain JS loop of PyTorch's formula (written here, not the project's code) and
// Float64Array.fill of the same bytes (the write-bandwidth ceiling), warm (touched memory) and cold (fresh).
// Speed is never asserted: machines are noisy. --quick is a smoke run for CI (tiny sizes).
import { Bench } from 'tinybench';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { CyclicLR, schedule, scheduleParallel } from 'cyclic-lr';
import { KERNEL_WASM_BASE64 } from '../dist/kernel-wasm.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : null;
const Ts = quick ? [1e4] : [1e5, 1e6, 1e7];
const Gs = quick ? [1, 4] : [1, 4, 16];
const MODES = ['triangular', 'triangular2', 'exp_range'];
const MAX_VALUES = quick ? 1e6 : 4e7; // larger results are skipped (memory and time)
const ITER = quick ? 2 : 7;
const THREADS = os.availableParallelism ? os.availableParallelism() : os.cpus().length;

const median = (task) => task.result.latency.p50;
async function measure(tasks, iterations = ITER) {
  const bench = new Bench({ time: 0, iterations, warmupIterations: 1, warmupTime: 0 });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  return Object.fromEntries(
    bench.tasks.map((t) => {
      if (t.result.state !== 'completed') throw new Error(`${t.name}: ${t.result.state} ${t.result.error ?? ''}`);
      return [t.name, { p50: median(t), min: t.result.latency.min, max: t.result.latency.max }];
    }),
  );
}

/** PyTorch's CyclicLR.get_lr as a plain JS loop: the shape once per iteration, then every group */
function plainLoop(lr, mom, T, G, base, amp, mbase, mamp, total, ratio, mode, gamma) {
  for (let t = 0; t < T; t++) {
    const cycle = Math.floor(1 + t / total);
    const x = 1 + t / total - cycle;
    const sf = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
    const s = mode === 'triangular' ? 1 : mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : gamma ** t;
    for (let g = 0; g < G; g++) {
      lr[g][t] = base + amp * sf * s;
      if (mom) mom[g][t] = mbase - mamp * sf * s;
    }
  }
}

const medianOf = (xs) => {
  const a = [...xs].sort((p, q) => p - q);
  return a[Math.floor(a.length / 2)];
};
const fmt = (ms, n) => ((ms * 1e6) / n).toFixed(3);
const line = (name, r, n) => `${name.padEnd(22)} ${fmt(r.p50, n).padStart(8)} ns  (${fmt(r.min, n)}–${fmt(r.max, n)})`;
const rows = [];

console.log(
  `cyclic-lr benchmark — Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${THREADS} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB${quick ? ' (quick)' : ''}`,
);
console.log('ns per output value: median (min–max); ratios of medians from the same run\n');

// kernel load: decode + compile + instantiate the embedded module
{
  const bytes = Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
  const r = await measure(
    [
      [
        'compile+instantiate',
        () => {
          const m = new WebAssembly.Module(bytes);
          new WebAssembly.Instance(m, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
        },
      ],
    ],
    quick ? 3 : 20,
  );
  console.log(
    `kernel: ${bytes.length} bytes, compile + instantiate ${(r['compile+instantiate'].p50 * 1000).toFixed(0)} µs (median)\n`,
  );
}

for (const T of Ts)
  for (const G of Gs)
    for (const mode of MODES)
      for (const withMom of [false, true]) {
        if (filter && !`${mode} G=${G} T=${T}`.includes(filter)) continue;
        const n = T * G * (withMom ? 2 : 1);
        const label = `T=${T.toExponential(0)} G=${G} ${mode} ${withMom ? 'lr+momentum' : 'lr only'}`;
        if (n > MAX_VALUES) {
          console.log(`${label}: skipped (${n.toExponential(1)} values)\n`);
          continue;
        }
        const o = {
          baseLr: 0.001,
          maxLr: 0.006,
          stepSizeUp: 2000,
          mode,
          gamma: 0.99994,
          groups: G,
          cycleMomentum: withMom,
        };
        let out = schedule(o, { length: T });
        const arrays = () => Array.from({ length: G }, () => new Float64Array(T));
        const wl = arrays();
        const wm = withMom ? arrays() : null;
        const touched = new Float64Array(n).fill(1);
        const loop = (lr, mom) => plainLoop(lr, mom, T, G, 0.001, 0.005, 0.9, 0.1, 4000, 0.5, mode, 0.99994);
        const tasks = [
          ['kernel cold', () => schedule(o, { length: T })],
          [
            'kernel warm (out)',
            () => {
              out = schedule(o, { length: T, out });
            },
          ],
          [
            `kernel ${THREADS} threads cold`,
            async () => {
              await scheduleParallel(o, { length: T });
            },
          ],
          ['js backend cold', () => schedule(o, { length: T, backend: 'js' })],
          ['plain JS loop warm', () => loop(wl, wm)],
          ['plain JS loop cold', () => loop(arrays(), withMom ? arrays() : null)],
          ['fill warm', () => touched.fill(0.5)],
          ['fill cold', () => new Float64Array(n).fill(0.5)],
        ];
        const r = await measure(tasks, T * G >= 1e7 ? Math.min(ITER, 5) : ITER);
        console.log(label);
        for (const [name] of tasks) console.log(`  ${line(name, r[name], n)}`);
        const ratio = (a, b) => r[a].p50 / r[b].p50;
        const row = {
          T,
          G,
          mode,
          withMom,
          n,
          warmVsFill: ratio('kernel warm (out)', 'fill warm'),
          coldVsFill: ratio('kernel cold', 'fill cold'),
          threadsVsFill: ratio(`kernel ${THREADS} threads cold`, 'fill cold'),
          loopWarmVsWarm: ratio('plain JS loop warm', 'kernel warm (out)'),
          loopColdVsCold: ratio('plain JS loop cold', 'kernel cold'),
          loopColdVsThreads: ratio('plain JS loop cold', `kernel ${THREADS} threads cold`),
        };
        rows.push(row);
        console.log(
          `  ratios: warm/fill ${row.warmVsFill.toFixed(2)}×, cold/fill-cold ${row.coldVsFill.toFixed(2)}×, threads/fill-cold ${row.threadsVsFill.toFixed(2)}×;` +
            ` JS loop is ${row.loopWarmVsWarm.toFixed(1)}× the warm kernel, ${row.loopColdVsCold.toFixed(1)}× the cold kernel, ${row.loopColdVsThreads.toFixed(1)}× the threads\n`,
        );
      }

// custom scaleFn in 'cycle' mode (called once per cycle) against the built-in mode it mimics
{
  const T = quick ? 1e4 : 1e6;
  const base = { baseLr: 0.001, maxLr: 0.006, stepSizeUp: 2000, groups: 4 };
  const custom = { ...base, scaleFn: (x) => 1 / 2 ** (x - 1), scaleMode: 'cycle' };
  const r = await measure([
    ['built-in triangular2', () => schedule({ ...base, mode: 'triangular2' }, { length: T })],
    ['custom scaleFn cycle', () => schedule(custom, { length: T })],
    ['custom scaleFn iterations', () => schedule({ ...custom, scaleMode: 'iterations' }, { length: T })],
  ]);
  const n = T * 4 * 2;
  console.log(`custom scaleFn, T=${T}, G=4, lr+momentum`);
  for (const k of Object.keys(r)) console.log(`  ${line(k, r[k], n)}`);
  const c = r['custom scaleFn cycle'].p50 / r['built-in triangular2'].p50;
  console.log(`  ratio custom (cycle) / built-in: ${c.toFixed(2)}×\n`);
  rows.push({ custom: c });
}

// CyclicLR.step(), 16 groups, per step (the kernel computes 256 steps ahead for built-in modes)
{
  const steps = quick ? 2000 : 200_000;
  const r = {};
  for (const mode of ['triangular', 'exp_range']) {
    const opt = { paramGroups: Array.from({ length: 16 }, () => ({ lr: 0.1, momentum: 0.9 })) };
    const s = new CyclicLR(opt, { baseLr: 0.001, maxLr: 0.006, stepSizeUp: 2000, mode, gamma: 0.99994 });
    const m = await measure(
      [
        [
          `step ${mode}`,
          () => {
            for (let k = 0; k < steps; k++) s.step();
          },
        ],
      ],
      quick ? 2 : 5,
    );
    r[mode] = (m[`step ${mode}`].p50 * 1e6) / steps;
  }
  let torch = null;
  if (!quick && existsSync('/usr/bin/python3')) {
    try {
      const py = `
import time, torch
ps = [torch.nn.Parameter(torch.zeros(1)) for _ in range(16)]
opt = torch.optim.SGD([{'params': [p]} for p in ps], lr=0.1, momentum=0.9)
s = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.001, max_lr=0.006, step_size_up=2000)
for _ in range(200): s.step()
ts = []
for _ in range(5):
    t0 = time.perf_counter()
    for _ in range(2000): s.step()
    ts.append((time.perf_counter() - t0) / 2000)
ts.sort(); print(ts[2] * 1e9)`;
      torch = Number(
        execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', py], { encoding: 'utf8', timeout: 120_000 }).trim(),
      );
    } catch {
      torch = null;
    }
  }
  console.log(
    `CyclicLR.step(), 16 groups, SGD-like groups: triangular ${r.triangular.toFixed(0)} ns/step, exp_range ${r.exp_range.toFixed(0)} ns/step`,
  );
  console.log(
    torch
      ? `  PyTorch ${torch.toFixed(0)} ns/step (Debian python3-torch, same run): ${(torch / r.triangular).toFixed(0)}× (triangular)\n`
      : '  PyTorch: not measured here (needs Debian python3-torch); the issue measured ~13 µs/step\n',
  );
  rows.push({ step: r, torch });
}

// targets of issue 4
if (!quick) {
  const m = rows.filter((x) => x.mode);
  const worst = (xs, k, better = 'min') =>
    xs.reduce(
      (a, x) => (better === 'min' ? Math.min(a, x[k]) : Math.max(a, x[k])),
      better === 'min' ? Infinity : -Infinity,
    );
  const warmSet = m.filter((x) => x.mode !== 'exp_range' && x.G >= 4 && x.T >= 1e6 && x.withMom);
  const expSet = m.filter((x) => x.mode === 'exp_range' && x.G === 1 && !x.withMom);
  const custom = rows.find((x) => x.custom)?.custom;
  const step = rows.find((x) => x.step);
  const torchStep = step.torch ?? 13000;
  console.log('targets (worst case over the rows each covers):');
  const t = (ok, text) => console.log(`  ${ok ? 'met ' : 'MISS'} ${text}`);
  t(
    worst(warmSet, 'warmVsFill', 'max') <= 1.25,
    `warm triangular/triangular2, G ≥ 4, T ≥ 1e6, lr+momentum: ≤ 1.25× fill — worst ${worst(warmSet, 'warmVsFill', 'max').toFixed(2)}×`,
  );
  t(
    worst(warmSet, 'loopWarmVsWarm') >= 8,
    `same rows: ≥ 8× faster than the plain JS loop (warm) — worst ${worst(warmSet, 'loopWarmVsWarm').toFixed(1)}×`,
  );
  t(
    worst(warmSet, 'coldVsFill', 'max') <= 1.25,
    `cold, the same rows: ≤ 1.25× new Float64Array(n).fill — worst ${worst(warmSet, 'coldVsFill', 'max').toFixed(2)}×, median ${medianOf(warmSet.map((x) => x.coldVsFill)).toFixed(2)}× (every row: median ${medianOf(m.map((x) => x.coldVsFill)).toFixed(2)}×; the baseline itself swings between recycled and fresh pages)`,
  );
  t(
    worst(expSet, 'loopColdVsThreads') >= 8 || worst(expSet, 'loopColdVsCold') >= 8,
    `exp_range, G = 1, lr only: ≥ 8× the plain JS loop with Math.pow — cold: 1 thread ${worst(expSet, 'loopColdVsCold').toFixed(1)}×, ${THREADS} threads ${worst(expSet, 'loopColdVsThreads').toFixed(1)}×; warm ${worst(expSet, 'loopWarmVsWarm').toFixed(1)}×`,
  );
  t(custom <= 1.5, `custom scaleFn, cycle mode: ≤ 1.5× the built-in mode — ${custom.toFixed(2)}×`);
  t(
    torchStep / step.step.triangular >= 20,
    `CyclicLR.step(), 16 groups: ≥ 20× faster than PyTorch (${(torchStep / 1000).toFixed(1)} µs) — ${(torchStep / step.step.triangular).toFixed(0)}×`,
  );
}
process.exit(0);
