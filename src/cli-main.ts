// The cyclic-lr command: a schedule (or a grid of schedules) to .npy / .npz / .csv / .json, with a plot.
// main(argv) runs it and returns the exit code; src/cli.ts is the executable.
import { csvHeader, csvLines } from './csv.js';
import { Command, CommanderError, Option } from 'commander';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CyclicLRError } from './errors.js';
import { expandGrid, scheduleMany } from './many.js';
import { resolveOptions, type CyclicLROptions } from './options.js';
import { layoutNpz, finishNpz, npyHeader, unicodeArray, writeAt, type Descr } from './npy.js';
import { scheduleParallel } from './parallel.js';
import { Envelope, renderSvg, renderTerminal, svgColumns, type Series } from './plot.js';
import { schedule, type ScheduleResult } from './schedule.js';
import type { Row } from './wasm.js';

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** a usage error: exit 2 with one line and a hint */
class UsageError extends Error {}

const FLAG_OF: Record<string, string> = {
  baseLr: '--base-lr',
  maxLr: '--max-lr',
  stepSizeUp: '--step-size-up',
  stepSizeDown: '--step-size-down',
  mode: '--mode',
  gamma: '--gamma',
  scaleMode: '--scale-mode',
  cycleMomentum: '--cycle-momentum',
  baseMomentum: '--base-momentum',
  maxMomentum: '--max-momentum',
  groups: '--groups',
  length: '--iterations',
  start: '--start',
  dtype: '--dtype',
  threads: '--threads',
};
const flagOf = (key: string | undefined): string => {
  const k = (key ?? '')
    .replace(/^configs\[\d+\]\./, '')
    .replace(/\[\d+\]$/, '')
    .split(' ')[0];
  return FLAG_OF[k] ?? (key ? key : 'input');
};

const num =
  (flag: string) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x))
      throw new UsageError(`${flag} must be a number, got ${JSON.stringify(v)}`);
    return x;
  };
const whole =
  (flag: string) =>
  (v: string): number => {
    const x = num(flag)(v);
    if (!Number.isSafeInteger(x)) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(v)}`);
    return x;
  };
const list =
  (flag: string) =>
  (v: string): number | number[] => {
    const parts = v.split(',').map((p) => num(flag)(p));
    return parts.length === 1 ? parts[0] : parts;
  };

interface Flags {
  baseLr?: number | number[];
  maxLr?: number | number[];
  stepSizeUp?: number | number[];
  stepSizeDown?: number | number[];
  mode?: string;
  gamma?: number | number[];
  scaleMode?: string;
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  groups?: number;
  start: number;
  iterations?: number;
  dtype: 'float64' | 'float32';
  threads?: number;
  config?: string;
  out?: string;
  momentumOut?: string;
  plot?: string;
  quiet?: boolean;
  chunk: number;
}

function addCommon(cmd: Command, grid: boolean): Command {
  const L = grid ? 'a comma list is a grid axis' : 'one value, or one per group (comma list)';
  return cmd
    .option('--base-lr <values>', `lower lr bound (${L})`, list('--base-lr'))
    .option('--max-lr <values>', `upper lr bound (${L})`, list('--max-lr'))
    .option(
      '--step-size-up <n>',
      `iterations up, default 2000${grid ? ' (comma list: grid axis)' : ''}`,
      grid ? list('--step-size-up') : num('--step-size-up'),
    )
    .option(
      '--step-size-down <n>',
      `iterations down, default = up${grid ? ' (comma list: grid axis)' : ''}`,
      grid ? list('--step-size-down') : num('--step-size-down'),
    )
    .option('--mode <mode>', `triangular | triangular2 | exp_range${grid ? ' (comma list: grid axis)' : ''}`)
    .option(
      '--gamma <x>',
      `exp_range base, default 1.0${grid ? ' (comma list: grid axis)' : ''}`,
      grid ? list('--gamma') : num('--gamma'),
    )
    .addOption(new Option('--scale-mode <m>', 'cycle | iterations (built-in modes force theirs)'))
    .option('--cycle-momentum', 'cycle momentum inversely to lr (default)')
    .option('--no-cycle-momentum', 'do not cycle momentum')
    .option('--base-momentum <values>', `lower momentum bound, default 0.8 (${L})`, list('--base-momentum'))
    .option('--max-momentum <values>', `upper momentum bound, default 0.9 (${L})`, list('--max-momentum'))
    .option('--groups <n>', 'param groups when every per-group value is a scalar', whole('--groups'))
    .option('--start <n>', 'first iteration (last_epoch)', whole('--start'), 0)
    .option('--iterations <n>', 'iterations (1e6 accepted); default: 3 cycles', whole('--iterations'))
    .addOption(
      new Option('--dtype <type>', 'element type of the output').choices(['float64', 'float32']).default('float64'),
    )
    .option('--threads <n>', 'threads for the kernel (default: one; 0: all cores)', whole('--threads'))
    .option(
      '--config <file.json>',
      grid
        ? 'a list of configs (camelCase options), or options to extend'
        : 'options (camelCase, as the library takes them); flags override',
    )
    .option(
      '--out <file>',
      grid
        ? '.npz (lr, momentum [configs, groups, iterations], labels) or .json'
        : '.npy (lr [groups, iterations]), .csv or .json; default: CSV to stdout',
    )
    .option('--plot <file.svg>', 'an SVG chart (lr, momentum on a second axis)')
    .option('--quiet', 'no progress bar and no terminal chart')
    .addOption(
      new Option('--chunk <n>', 'iterations per chunk when streaming')
        .argParser(whole('--chunk'))
        .default(1 << 20)
        .hideHelp(),
    );
}

/** options from --config and the flags (flags win); `axes` collects comma lists for grids */
function optionsFrom(
  f: Flags,
  grid: boolean,
): { base: Record<string, unknown>; axes: Record<string, unknown[]>; configs: Record<string, unknown>[] | null } {
  let base: Record<string, unknown> = {};
  let configs: Record<string, unknown>[] | null = null;
  if (f.config) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(f.config, 'utf8'));
    } catch (e) {
      throw new UsageError(`--config ${f.config}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (Array.isArray(parsed)) {
      if (!grid) throw new UsageError('--config holds a list of configs: use `cyclic-lr grid --config …`');
      configs = parsed as Record<string, unknown>[];
    } else if (parsed && typeof parsed === 'object') base = { ...(parsed as Record<string, unknown>) };
    else throw new UsageError(`--config ${f.config} must hold an options object or a list of them`);
  }
  const axes: Record<string, unknown[]> = {};
  const set = (key: string, v: unknown) => {
    if (v === undefined) return;
    if (grid && Array.isArray(v)) axes[key] = v;
    else if (grid && key === 'mode' && typeof v === 'string' && v.includes(',')) axes[key] = v.split(',');
    else base[key] = v;
  };
  for (const key of [
    'baseLr',
    'maxLr',
    'stepSizeUp',
    'stepSizeDown',
    'mode',
    'gamma',
    'scaleMode',
    'cycleMomentum',
    'baseMomentum',
    'maxMomentum',
    'groups',
  ] as const) {
    set(key, f[key]);
  }
  return { base, axes, configs };
}

/** writes to a temporary name beside the target; commit() renames it, abort() removes it */
class AtomicFile {
  readonly tmp: string;
  fd: number;
  constructor(readonly target: string) {
    const dir = path.dirname(path.resolve(target));
    this.tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
    this.fd = openSync(this.tmp, 'wx+');
    open.add(this);
  }
  commit(): void {
    closeSync(this.fd);
    renameSync(this.tmp, this.target);
    open.delete(this);
  }
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* gone */
    }
    open.delete(this);
  }
}
const open = new Set<AtomicFile>();
const abortAll = () => {
  for (const f of [...open]) f.abort();
};

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
      process.stderr.write(
        `\r[${'#'.repeat(k)}${' '.repeat(w - k)}] ${((100 * done) / total).toFixed(0).padStart(3)}%  ${rate.toExponential(2)} values/s  ETA ${eta.toFixed(0)}s `,
      );
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

let interrupted = false;

const yieldToSignals = () => new Promise<void>((resolve) => setImmediate(resolve));

function describe(o: Record<string, unknown>, start: number, n: number): string {
  const parts = ['mode', 'baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'gamma']
    .filter((k) => o[k] !== undefined)
    .map(
      (k) =>
        `${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}=${Array.isArray(o[k]) ? (o[k] as unknown[]).join('/') : o[k]}`,
    );
  return `CyclicLR ${parts.join(' ')} · iterations ${start}–${start + n - 1}`;
}

async function runSchedule(f: Flags, noArgs: boolean): Promise<number> {
  const { base } = optionsFrom(f, false);
  if (noArgs) Object.assign(base, { baseLr: 0.01, maxLr: 0.1 }); // PyTorch's documentation example
  const options = base as unknown as CyclicLROptions;
  const r = resolveOptions(options);
  const n = f.iterations ?? 3 * Math.ceil(r.totalSize);
  const G = r.groups;
  const mom = r.cycleMomentum;
  const E = f.dtype === 'float32' ? 4 : 8;
  const descr: Descr = f.dtype === 'float32' ? '<f4' : '<f8';
  const ext = f.out ? path.extname(f.out).toLowerCase() : '';
  if (f.out && !['.npy', '.csv', '.json'].includes(ext))
    throw new UsageError(`--out ${f.out}: the extension must be .npy, .csv or .json`);
  if (f.momentumOut && ext !== '.npy') throw new UsageError('--momentum-out goes with --out FILE.npy');
  if (f.momentumOut && !mom) throw new UsageError('--momentum-out needs cycled momentum (not --no-cycle-momentum)');
  if (f.plot && path.extname(f.plot).toLowerCase() !== '.svg')
    throw new UsageError(`--plot ${f.plot}: the extension must be .svg`);
  if (ext === '.json' && G * n * (mom ? 2 : 1) > 5e7)
    throw new UsageError('--out .json holds at most 5e7 values: use .npy for more');
  // validate the whole window before opening any file (exp_range overflow, sizes): a zero-length dry plan
  schedule(options, { start: f.start, length: 0 });
  if (f.start + n - 1 > Number.MAX_SAFE_INTEGER) throw new UsageError('--start + --iterations must stay ≤ 2^53');

  const chartEnvs = Array.from({ length: G }, () => new Envelope(72, f.start, n));
  const svgCols = svgColumns(G * (mom ? 2 : 1));
  const svgEnvs = f.plot
    ? {
        lr: Array.from({ length: G }, () => new Envelope(svgCols, f.start, n)),
        mom: Array.from({ length: G }, () => new Envelope(svgCols, f.start, n)),
      }
    : null;
  const files: AtomicFile[] = [];
  try {
    const outFile = f.out ? new AtomicFile(f.out) : null;
    if (outFile) files.push(outFile);
    const momFile = f.momentumOut ? new AtomicFile(f.momentumOut) : null;
    if (momFile) files.push(momFile);
    const header = npyHeader(descr, [G, n]);
    if (ext === '.npy') writeAt(outFile!.fd, header, 0);
    if (momFile) writeAt(momFile.fd, header, 0);
    const csvFd = ext === '.csv' ? outFile!.fd : !f.out && !noArgs ? 1 : null;
    if (csvFd !== null) writeSync(csvFd, csvHeader(G, !!mom));
    const json: { lr: number[][]; momentum: number[][] | null } = {
      lr: Array.from({ length: G }, () => []),
      momentum: mom ? Array.from({ length: G }, () => []) : null,
    };
    const bar = progress(!!f.quiet || csvFd === 1);
    const threads = f.threads === 0 ? undefined : f.threads;
    let out: ScheduleResult<Row> | undefined;
    for (let off = 0; off < n; off += f.chunk) {
      if (interrupted) throw new Error('interrupted');
      const len = Math.min(f.chunk, n - off);
      const s = f.start + off;
      let res: ScheduleResult<Row>;
      if (f.threads !== undefined && f.threads !== 1)
        res = await scheduleParallel(options, { start: s, length: len, dtype: f.dtype, threads });
      else
        res = out = schedule(options, {
          start: s,
          length: len,
          dtype: f.dtype,
          out: out && out.lr[0].length === len ? out : undefined,
        });
      for (let g = 0; g < G; g++) {
        chartEnvs[g].add(s, res.lr[g]);
        if (svgEnvs) {
          svgEnvs.lr[g].add(s, res.lr[g]);
          if (res.momentum) svgEnvs.mom[g].add(s, res.momentum[g]);
        }
        if (ext === '.npy') writeAt(outFile!.fd, res.lr[g], header.length + (g * n + off) * E);
        if (momFile) writeAt(momFile.fd, res.momentum![g], header.length + (g * n + off) * E);
        if (ext === '.json') {
          append(json.lr[g], res.lr[g]);
          if (json.momentum) append(json.momentum[g], res.momentum![g]);
        }
      }
      if (csvFd !== null) writeCsv(csvFd, s, res);
      bar.update((off + len) * G * (mom ? 2 : 1), n * G * (mom ? 2 : 1)); // values, not iterations
      await yieldToSignals();
    }
    bar.end();
    if (ext === '.json')
      writeSync(
        outFile!.fd,
        `${JSON.stringify({ options: base, start: f.start, iterations: n, groups: G, dtype: f.dtype, ...json })}\n`,
      );
    if (f.plot) {
      const plotFile = new AtomicFile(f.plot);
      files.push(plotFile);
      const series: Series[] = [];
      svgEnvs!.lr.forEach((env, g) => series.push({ label: G > 1 ? `lr, group ${g}` : 'lr', axis: 'lr', env }));
      if (mom)
        svgEnvs!.mom.forEach((env, g) =>
          series.push({ label: G > 1 ? `momentum, group ${g}` : 'momentum', axis: 'momentum', env }),
        );
      writeSync(plotFile.fd, renderSvg(describe(base, f.start, n), series, f.start, n));
    }
    for (const file of files) file.commit();
  } catch (e) {
    for (const file of files) file.abort();
    throw e;
  }
  const chart = renderTerminal(chartEnvs[0], 12, 'lr');
  if (noArgs) {
    process.stdout.write(
      `${describe(base, f.start, n)} (PyTorch's documentation example; cyclic-lr --help for more)\n${chart}`,
    );
  } else if (!f.plot && !f.quiet && process.stderr.isTTY) process.stderr.write(chart);
  if (f.out && !f.quiet)
    process.stderr.write(
      `wrote ${f.out}${f.momentumOut ? ` and ${f.momentumOut}` : ''}${f.plot ? ` and ${f.plot}` : ''}: ${G} groups × ${n} iterations (${f.dtype})\n`,
    );
  return 0;
}

/** appends a chunk's row to a JSON row (a loop: spreading a million values into push() overflows the stack) */
function append(dst: number[], src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}

function writeCsv(fd: number, start: number, res: ScheduleResult<Row>): void {
  for (const text of csvLines(start, res.lr, res.momentum)) writeSync(fd, text);
}

async function runGrid(f: Flags): Promise<number> {
  const { base, axes, configs: listed } = optionsFrom(f, true);
  let labels: string[];
  let configs: CyclicLROptions[];
  if (listed) {
    labels = listed.map((c, k) => (typeof c.label === 'string' ? c.label : `config ${k}`));
    configs = listed.map((c) => {
      const { label: _l, ...o } = c;
      return { ...o, ...base } as unknown as CyclicLROptions;
    });
  } else {
    if (!Object.keys(axes).length)
      throw new UsageError('grid needs at least one comma list (a grid axis), or --config with a list of configs');
    ({ labels, configs } = expandGrid(base, axes));
  }
  const resolved = configs.map((o, k) => {
    try {
      return resolveOptions(o);
    } catch (e) {
      throw relabel(e, k);
    }
  });
  const G = resolved[0].groups;
  if (resolved.some((r) => r.groups !== G))
    throw new UsageError('every config of a grid must have the same number of groups');
  const mom = resolved[0].cycleMomentum;
  if (resolved.some((r) => r.cycleMomentum !== mom))
    throw new UsageError('every config of a grid must cycle momentum, or none');
  const n = f.iterations ?? 3 * Math.ceil(Math.max(...resolved.map((r) => r.totalSize)));
  const C = configs.length;
  const E = f.dtype === 'float32' ? 4 : 8;
  const descr: Descr = f.dtype === 'float32' ? '<f4' : '<f8';
  if (!f.out) throw new UsageError('grid needs --out FILE.npz (or .json)');
  const ext = path.extname(f.out).toLowerCase();
  if (ext !== '.npz' && ext !== '.json') throw new UsageError(`--out ${f.out}: a grid goes to .npz or .json`);
  if (ext === '.json' && C * G * n * (mom ? 2 : 1) > 5e7)
    throw new UsageError('--out .json holds at most 5e7 values: use .npz for more');
  scheduleMany(configs, { start: f.start, length: 0 });
  const cols = svgColumns(C);
  const envs = f.plot
    ? configs.map(() => ({ lr: new Envelope(cols, f.start, n), mom: new Envelope(cols, f.start, n) }))
    : null;
  const files: AtomicFile[] = [];
  try {
    const outFile = new AtomicFile(f.out);
    files.push(outFile);
    const lab = unicodeArray(labels);
    const arrays = [
      { name: 'lr', header: npyHeader(descr, [C, G, n]), dataBytes: C * G * n * E },
      ...(mom ? [{ name: 'momentum', header: npyHeader(descr, [C, G, n]), dataBytes: C * G * n * E }] : []),
      { name: 'labels', header: npyHeader(lab.descr, [C]), dataBytes: lab.bytes.length },
    ];
    const { entries, end } = layoutNpz(arrays);
    const json = {
      lr: configs.map(() => Array.from({ length: G }, () => [] as number[])),
      momentum: mom ? configs.map(() => Array.from({ length: G }, () => [] as number[])) : null,
    };
    const bar = progress(!!f.quiet);
    for (let off = 0; off < n; off += f.chunk) {
      if (interrupted) throw new Error('interrupted');
      const len = Math.min(f.chunk, n - off);
      const many = scheduleMany(configs, { start: f.start + off, length: len, dtype: f.dtype });
      many.results.forEach((res, c) => {
        for (let g = 0; g < G; g++) {
          if (ext === '.npz') {
            writeAt(outFile.fd, res.lr[g], entries[0].dataAt + ((c * G + g) * n + off) * E);
            if (mom) writeAt(outFile.fd, res.momentum![g], entries[1].dataAt + ((c * G + g) * n + off) * E);
          } else {
            append(json.lr[c][g], res.lr[g]);
            if (json.momentum) append(json.momentum[c][g], res.momentum![g]);
          }
        }
        if (envs) {
          envs[c].lr.add(f.start + off, res.lr[0]);
          if (res.momentum) envs[c].mom.add(f.start + off, res.momentum[0]);
        }
      });
      bar.update((off + len) * C * G * (mom ? 2 : 1), n * C * G * (mom ? 2 : 1));
      await yieldToSignals();
    }
    bar.end();
    if (ext === '.npz') {
      writeAt(outFile.fd, lab.bytes, entries[entries.length - 1].dataAt);
      finishNpz(outFile.fd, entries, end);
    } else
      writeSync(
        outFile.fd,
        `${JSON.stringify({
          labels,
          configs: configs.map((o) => ({ ...o, scaleFn: undefined })),
          start: f.start,
          iterations: n,
          groups: G,
          dtype: f.dtype,
          ...json,
        })}\n`,
      );
    if (envs) {
      const plotFile = new AtomicFile(f.plot!);
      files.push(plotFile);
      const series: Series[] = envs.map((e, c) => ({ label: labels[c], axis: 'lr' as const, env: e.lr }));
      writeSync(
        plotFile.fd,
        renderSvg(
          `CyclicLR grid of ${C} configs · group 0 · iterations ${f.start}–${f.start + n - 1}`,
          series,
          f.start,
          n,
        ),
      );
    }
    for (const file of files) file.commit();
  } catch (e) {
    for (const file of files) file.abort();
    throw e;
  }
  if (!f.quiet)
    process.stderr.write(
      `wrote ${f.out}${f.plot ? ` and ${f.plot}` : ''}: ${C} configs × ${G} groups × ${n} iterations (${f.dtype})\n`,
    );
  return 0;
}

function relabel(e: unknown, k: number): unknown {
  if (!(e instanceof CyclicLRError)) return e;
  return new CyclicLRError(
    e.code,
    `configs[${k}]: ${e.message}`,
    e.key === undefined ? undefined : `configs[${k}].${e.key}`,
  );
}

/** Runs the command line; returns the exit code (0 done, 1 runtime error, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('cyclic-lr');
  program
    .description("PyTorch's CyclicLR learning-rate (and momentum) schedule, bit for bit, as a file you can load")
    .version(VERSION, '--version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .showSuggestionAfterError(true);
  addCommon(program, false).option('--momentum-out <file.npy>', 'momentum [groups, iterations] beside a .npy lr');
  program.addHelpText(
    'after',
    `
Examples:
  cyclic-lr                                            PyTorch's documentation example, a chart in the terminal
  cyclic-lr --base-lr 0.001 --max-lr 0.1 --step-size-up 2000 --mode triangular2 \\
            --iterations 1e6 --out schedule.npy --momentum-out momentum.npy --plot schedule.svg
  cyclic-lr --base-lr 0.001,0.01 --max-lr 0.006,0.1 --iterations 1e4 --out two-groups.csv
  cyclic-lr grid --base-lr 0.001,0.01 --max-lr 0.1,1 --mode triangular,exp_range --gamma 0.9999 \\
            --iterations 1e6 --out grid.npz --plot grid.svg

Outputs (by extension): .npy lr [groups, iterations] (NumPy format 1.0, <f8 or <f4); .csv
iteration,lr_0,…,momentum_0,… (shortest round-trip decimals); .json; no --out: CSV on stdout.
Files are written to a temporary name beside the target and renamed when complete.`,
  );
  let action: Promise<number> | null = null;
  const noArgs = argv.length === 0;
  program.action((opts: Flags) => {
    action = runSchedule(opts, noArgs);
  });
  const gridCmd = addCommon(new Command('grid'), true)
    .description('a grid of schedules (every combination of the comma lists) to .npz or .json')
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  gridCmd.action((opts: Flags) => {
    action = runGrid(opts);
  });
  program.addCommand(gridCmd);
  interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (action) {
      const code = await action;
      if (interrupted) {
        abortAll();
        process.stderr.write('cyclic-lr: interrupted; nothing written\n');
        return 130;
      }
      return code;
    }
    return 0;
  } catch (e) {
    abortAll();
    if (interrupted) {
      process.stderr.write('cyclic-lr: interrupted; nothing written\n');
      return 130;
    }
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      process.stderr.write(`cyclic-lr: ${e.message.replace(/^error: /, '')}\nhint: cyclic-lr --help\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`cyclic-lr: ${e.message}\nhint: cyclic-lr --help\n`);
      return 2;
    }
    if (e instanceof CyclicLRError) {
      process.stderr.write(`cyclic-lr: ${flagOf(e.key)}: ${e.message}\nhint: cyclic-lr --help (${e.code})\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EPIPE') return 0; // stdout closed by the reader (`| head`): done, quietly
    process.stderr.write(`cyclic-lr: ${err.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
