#!/usr/bin/env node
// npm run bench [-- --quick] [-- --filter exp_range] [-- --huge] [-- --markdown]
// ns per output value (median, min–max over the samples) of cyclic-lr's paths against baselines measured in
// the same run: a plain JS loop of PyTorch's formula (written here, not the project's code) and
// Float64Array.fill of the same bytes (the write-bandwidth ceiling), warm (touched memory) and cold (fresh).
// Rows past 4e7 values measure the cold paths only; past 1.6e8 values (G = 16 with momentum at T = 1e7,
// 2.6 GB a result) they run with --huge. Then scheduleMany (1,000 configs), a child process under
// ulimit -v 16G holding 1,000 results, and the CLI writing .npy to a tmpfs against dd. The last lines are
// every target with the worst row it covers. Speed is never asserted: machines are noisy. --quick is a
// smoke run for CI (tiny sizes). --markdown also prints the rows as the table of docs/speed.md.
import { Bench } from 'tinybench';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CyclicLR, schedule, scheduleMany, scheduleParallel } from 'cyclic-lr';
import { KERNEL_WASM_BASE64 } from '../dist/kernel-wasm.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const huge = args.includes('--huge');
const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : null;
const Ts = quick ? [1e4] : [1e5, 1e6, 1e7];
const Gs = quick ? [1, 4] : [1, 4, 16];
const MODES = ['triangular', 'triangular2', 'exp_range'];
const MAX_VALUES = quick ? 1e6 : 4e7; // larger results: cold paths only
const MAX_COLD_VALUES = quick ? 1e6 : huge ? 4e8 : 1.6e8; // larger results are skipped (memory and time)
const ITER = quick ? 2 : 7;
const THREADS = os.availableParallelism ? os.availableParallelism() : os.cpus().length;

const median = (task) => task.result.latency.p50;
async function measure(tasks, iterations = ITER) {
  const bench = new Bench({ time: 0, iterations, warmupIterations: 1, warmupTime: 0 });
  // a cold sample starts from a collected heap: the results earlier samples dropped are freed (not left to a GC
  // that would land inside a later sample, of this task or of its baseline). A major GC, not gc() without
  // options: that one also leaves the next call of the library's JS path 70–280 µs slower (measured on a
  // 1-iteration schedule(): 85–299 µs after gc(), 25–35 µs after gc({ type: 'major' }), 14 µs without a GC),
  // which no call of a running program pays and which swamped the T = 1e5 rows
  const collect = globalThis.gc ? { beforeEach: () => globalThis.gc({ type: 'major', execution: 'sync' }) } : {};
  for (const [name, fn] of tasks) bench.add(name, fn, name.includes('cold') ? collect : {});
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
  `cyclic-lr benchmark — Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${THREADS} cores, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB${quick ? ' (quick)' : ''}`,
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
    `kernel: ${bytes.length} bytes, ` +
      `compile + instantiate ${(r['compile+instantiate'].p50 * 1000).toFixed(0)} µs (median)\n`,
  );
}

for (const T of Ts)
  for (const G of Gs)
    for (const mode of MODES)
      for (const withMom of [false, true]) {
        if (filter && !`${mode} G=${G} T=${T}`.includes(filter)) continue;
        const n = T * G * (withMom ? 2 : 1);
        const label = `T=${T.toExponential(0)} G=${G} ${mode} ${withMom ? 'lr+momentum' : 'lr only'}`;
        if (n > MAX_COLD_VALUES) {
          console.log(`${label}: skipped (${n.toExponential(1)} values; --huge runs it)\n`);
          continue;
        }
        const coldOnly = n > MAX_VALUES;
        const o = {
          baseLr: 0.001,
          maxLr: 0.006,
          stepSizeUp: 2000,
          mode,
          gamma: 0.99994,
          groups: G,
          cycleMomentum: withMom,
        };
        let out = coldOnly ? null : schedule(o, { length: T });
        const arrays = () => Array.from({ length: G }, () => new Float64Array(T));
        const wl = coldOnly ? null : arrays();
        const wm = withMom && !coldOnly ? arrays() : null;
        const touched = coldOnly ? null : new Float64Array(n).fill(1);
        const loop = (lr, mom) => plainLoop(lr, mom, T, G, 0.001, 0.005, 0.9, 0.1, 4000, 0.5, mode, 0.99994);
        const all = [
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
        const COLD = ['kernel cold', 'plain JS loop cold', 'fill cold'];
        const tasks = coldOnly ? all.filter(([name]) => COLD.includes(name)) : all;
        globalThis.gc?.();
        const r = await measure(tasks, coldOnly ? 3 : T * G >= 1e7 ? Math.min(ITER, 5) : ITER);
        out = null;
        console.log(label);
        for (const [name] of tasks) console.log(`  ${line(name, r[name], n)}`);
        const ratio = (a, b) => (r[a] && r[b] ? r[a].p50 / r[b].p50 : Number.NaN);
        const row = {
          label,
          T,
          G,
          mode,
          withMom,
          n,
          coldOnly,
          warmVsFill: ratio('kernel warm (out)', 'fill warm'),
          coldVsFill: ratio('kernel cold', 'fill cold'),
          threadsVsFill: ratio(`kernel ${THREADS} threads cold`, 'fill cold'),
          loopWarmVsWarm: ratio('plain JS loop warm', 'kernel warm (out)'),
          loopColdVsCold: ratio('plain JS loop cold', 'kernel cold'),
          loopColdVsThreads: ratio('plain JS loop cold', `kernel ${THREADS} threads cold`),
          ns: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (v.p50 * 1e6) / n])),
        };
        rows.push(row);
        console.log(
          `  ratios: warm/fill ${row.warmVsFill.toFixed(2)}×, cold/fill-cold ${row.coldVsFill.toFixed(2)}×, ` +
            `threads/fill-cold ${row.threadsVsFill.toFixed(2)}×;` +
            ` JS loop is ${row.loopWarmVsWarm.toFixed(1)}× the warm kernel, ` +
            `${row.loopColdVsCold.toFixed(1)}× the cold kernel, ${row.loopColdVsThreads.toFixed(1)}× the threads\n`,
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
    `CyclicLR.step(), 16 groups, SGD-like groups: triangular ${r.triangular.toFixed(0)} ns/step, ` +
      `exp_range ${r.exp_range.toFixed(0)} ns/step`,
  );
  console.log(
    torch
      ? `  PyTorch ${torch.toFixed(0)} ns/step (Debian python3-torch, same run): ` +
          `${(torch / r.triangular).toFixed(0)}× (triangular)\n`
      : '  PyTorch: not measured here (needs Debian python3-torch); the issue measured ~13 µs/step\n',
  );
  rows.push({ step: r, torch });
}

// scheduleMany: 1,000 configs (every mode, varied bounds and step sizes) × 1e5 iterations, lr + momentum
{
  const C = quick ? 50 : 1000;
  const T = quick ? 1e3 : 1e5;
  const configs = Array.from({ length: C }, (_, c) => ({
    baseLr: 0.001 * (1 + (c % 10)),
    maxLr: 0.1 + c * 1e-4,
    stepSizeUp: 500 + c,
    mode: MODES[c % 3],
    gamma: 0.99994,
  }));
  const n = C * T * 2;
  globalThis.gc?.();
  const r = await measure(
    [
      ['scheduleMany cold', () => scheduleMany(configs, { length: T })],
      ['fill cold', () => new Float64Array(n).fill(0.5)],
    ],
    quick ? 2 : 5,
  );
  console.log(`scheduleMany, ${C} configs × T=${T}, lr+momentum (${((n * 8) / 2 ** 30).toFixed(2)} GiB)`);
  for (const k of Object.keys(r)) console.log(`  ${line(k, r[k], n)}`);
  const many = r['scheduleMany cold'].p50 / r['fill cold'].p50;
  console.log(`  ratio scheduleMany / fill cold: ${many.toFixed(2)}×\n`);
  rows.push({ many, manyLabel: `scheduleMany ${C}×${T}` });
}

// results cost their bytes: a child process under ulimit -v 16G holds 1,000 results of 2 MiB at once
{
  const count = quick ? 50 : 1000;
  const src =
    `const { schedule } = await import('cyclic-lr');
const keep = [];
const t0 = performance.now();
try {
  for (let k = 0; k < ${count}; k++) ` +
    `keep.push(schedule({ baseLr: 0.001, maxLr: 0.1, cycleMomentum: false }, { start: k, length: 262144 }));
} catch (e) { console.log(JSON.stringify({ held: keep.length, error: e.code + ': ' + e.message })); process.exit(0); }
console.log(JSON.stringify({ held: keep.length, ms: performance.now() - t0, rss: process.memoryUsage().rss }));`;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const p = spawnSync('bash', ['-c', 'ulimit -v 16777216 && exec node --input-type=module -e "$0"', src], {
    cwd: root,
    encoding: 'utf8',
  });
  let res;
  try {
    res = JSON.parse(p.stdout.trim().split('\n').pop());
  } catch {
    res = { held: 0, error: (p.stderr || p.stdout).trim().split('\n').slice(-1)[0] };
  }
  console.log(`ulimit -v 16G: a child process holds ${res.held} of ${count} results of 2 MiB at once`);
  console.log(
    res.error
      ? `  failed: ${res.error}\n`
      : `  in ${res.ms.toFixed(0)} ms (${((res.ms * 1e6) / (count * 262144)).toFixed(2)} ns per value), ` +
          `RSS ${(res.rss / 2 ** 20).toFixed(0)} MiB\n`,
  );
  rows.push({ ulimit: { held: res.held, count, error: res.error ?? null } });
}

// the CLI writing .npy to a tmpfs against dd bs=1M of the same bytes to the same tmpfs
if (existsSync('/dev/shm') && existsSync('/usr/bin/dd')) {
  const iterations = quick ? 1e5 : 1e8;
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const npy = `/dev/shm/cyclic-lr-bench-${process.pid}.npy`;
  const raw = `/dev/shm/cyclic-lr-bench-${process.pid}.dd`;
  const time = (cmd, argv) => {
    const t0 = performance.now();
    const p = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${p.stderr}`);
    return performance.now() - t0;
  };
  const flags = ['--base-lr', '0.001', '--max-lr', '0.1', '--no-cycle-momentum', '--quiet'];
  const cliArgs = [cli, ...flags, '--iterations', String(iterations), '--out', npy];
  time('node', cliArgs); // warm the page cache of node and the package
  const bytes = statSync(npy).size;
  const mib = Math.ceil(bytes / 2 ** 20);
  const cliMs = [];
  const ddMs = [];
  // information only (not the target): the same command for 1 iteration (process start, loading, checks,
  // rename), and a bare `node -e 0`, so the line below can tell the start from the streaming
  const oneArgs = [cli, ...flags, '--iterations', '1', '--out', npy];
  const oneMs = [];
  const nodeMs = [];
  for (let k = 0; k < (quick ? 1 : 5); k++) {
    rmSync(npy, { force: true });
    cliMs.push(time('node', cliArgs));
    rmSync(raw, { force: true });
    ddMs.push(time('dd', ['if=/dev/zero', `of=${raw}`, 'bs=1M', `count=${mib}`]));
    rmSync(npy, { force: true });
    oneMs.push(time('node', oneArgs));
    nodeMs.push(time('node', ['-e', '0']));
  }
  rmSync(npy, { force: true });
  rmSync(raw, { force: true });
  const c = medianOf(cliMs);
  const d = (medianOf(ddMs) * bytes) / (mib * 2 ** 20);
  const gbs = (ms) => (bytes / ms / 1e6).toFixed(2);
  console.log(
    `CLI .npy to /dev/shm, ${iterations} iterations (${(bytes / 2 ** 20).toFixed(0)} MiB), median of ${cliMs.length}`,
  );
  console.log(`  node dist/cli.js … --out /dev/shm/x.npy  ${c.toFixed(0)} ms (${gbs(c)} GB/s, process start included)`);
  console.log(`  dd if=/dev/zero bs=1M (same bytes)       ${d.toFixed(0)} ms (${gbs(d)} GB/s)`);
  const one = medianOf(oneMs);
  console.log(
    `  the same for 1 iteration ${one.toFixed(0)} ms (bare node -e 0: ${medianOf(nodeMs).toFixed(0)} ms); ` +
      `without it ${(c - one).toFixed(0)} ms (${gbs(c - one)} GB/s, ${(d / (c - one)).toFixed(2)}× dd; ` +
      'information, not the target)',
  );
  const cliVsDd = d / c;
  console.log(`  CLI throughput / dd: ${cliVsDd.toFixed(2)}×\n`);
  rows.push({ cliVsDd });
}

// targets of issues 4 and 13: each with the worst row it covers (re-run on a quiet machine to judge)
{
  const m = rows.filter((x) => x.mode);
  /** the row with the worst value of k (rows without it skipped): the largest when `high` is bad */
  const worstRow = (xs, k, high) =>
    xs
      .filter((x) => Number.isFinite(x[k]))
      .reduce((a, x) => (a === null || (high ? x[k] > a[k] : x[k] < a[k]) ? x : a), null);
  const t = (ok, text) => console.log(`  ${ok ? 'met ' : 'MISS'} ${text}`);
  /** one target: `k` of every row in xs ≤ limit (high) or ≥ limit, naming the worst row */
  const target = (xs, k, high, limit, text, digits = 2) => {
    const w = worstRow(xs, k, high);
    if (!w) return t(false, `${text}: no rows measured`);
    t(high ? w[k] <= limit : w[k] >= limit, `${text} — worst ${w[k].toFixed(digits)}× (${w.label})`);
  };
  console.log(`targets (worst row of each${quick ? '; --quick sizes are too small to judge' : ''}):`);
  const warmSet = m.filter((x) => x.mode !== 'exp_range' && x.G >= 4 && x.T >= 1e6 && x.withMom);
  target(
    warmSet,
    'warmVsFill',
    true,
    1.25,
    'warm (out) triangular/triangular2, G ≥ 4, T ≥ 1e6, lr+momentum: ≤ 1.25× fill',
  );
  target(warmSet, 'loopWarmVsWarm', false, 8, 'same rows: ≥ 8× faster than the plain JS loop (warm)', 1);
  target(m, 'coldVsFill', true, 1.25, 'cold schedule(), every row: ≤ 1.25× new Float64Array(n).fill of the same bytes');
  target(m, 'loopColdVsCold', false, 1, 'cold schedule(), every row: never slower than the plain JS loop (cold)', 1);
  const tri1 = m.filter((x) => x.mode === 'triangular' && x.G === 1 && !x.withMom);
  target(tri1, 'loopColdVsCold', false, 2, 'cold triangular, G = 1, lr only: ≥ 2× faster than the plain JS loop', 1);
  const expSet = m.filter((x) => x.mode === 'exp_range' && x.G === 1 && !x.withMom);
  target(expSet, 'loopColdVsCold', false, 8, 'cold exp_range, G = 1, lr only: ≥ 8× the plain JS loop with Math.pow', 1);
  target(m, 'threadsVsFill', true, Infinity, `scheduleParallel (${THREADS} threads) cold vs fill cold (no target)`);
  const many = rows.find((x) => x.many);
  if (many) target([{ ...many, label: many.manyLabel }], 'many', true, 1.25, 'scheduleMany cold: ≤ 1.25× fill cold');
  const ul = rows.find((x) => x.ulimit)?.ulimit;
  if (ul) {
    t(
      ul.held === ul.count && !ul.error,
      `ulimit -v 16G: a process holds ${ul.count} results of 2 MiB at once — ` +
        `held ${ul.held}${ul.error ? ` (${ul.error})` : ''}`,
    );
  }
  const dd = rows.find((x) => x.cliVsDd)?.cliVsDd;
  if (dd !== undefined) t(dd >= 0.9, `CLI .npy to a tmpfs: ≥ 0.9× dd bs=1M — ${dd.toFixed(2)}×`);
  const custom = rows.find((x) => x.custom)?.custom;
  t(custom <= 1.5, `custom scaleFn, cycle mode: ≤ 1.5× the built-in mode — ${custom.toFixed(2)}×`);
  const step = rows.find((x) => x.step);
  const torchStep = step.torch ?? 13000;
  t(
    torchStep / step.step.triangular >= 20,
    `CyclicLR.step(), 16 groups: ≥ 20× faster than PyTorch (${(torchStep / 1000).toFixed(1)} µs` +
      `${step.torch ? '' : ', not measured: the issue figure'}) — ${(torchStep / step.step.triangular).toFixed(0)}×`,
  );
}
if (args.includes('--markdown')) {
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  const ns = (x, k) => f(x.ns[k], 2);
  console.log(
    '\n| row | kernel cold | fill cold | cold / fill | JS loop cold | loop / kernel | ' +
      'warm (out) | fill warm | warm / fill | threads |',
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |');
  for (const x of rows.filter((y) => y.mode)) {
    const th = `kernel ${THREADS} threads cold`;
    console.log(
      `| ${x.label} | ${ns(x, 'kernel cold')} | ${ns(x, 'fill cold')} | ${f(x.coldVsFill)}× | ` +
        `${ns(x, 'plain JS loop cold')} | ${f(x.loopColdVsCold, 1)}× | ${ns(x, 'kernel warm (out)')} | ` +
        `${ns(x, 'fill warm')} | ${f(x.warmVsFill)}× | ${ns(x, th)} |`,
    );
  }
}
// glibc's FMA pow against the no-FMA one (exp_range), same arguments
spawnSync(process.execPath, [fileURLToPath(new URL('./libm.mjs', import.meta.url)), ...args], { stdio: 'inherit' });
process.exit(0);
