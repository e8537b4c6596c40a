// The cyclic-lr command: a schedule (or a grid of schedules) to .npy / .npz / .csv / .json / stdout, with a plot.
// main(argv) runs it and returns the exit code; src/cli.ts is the executable. Flags and --config:
// src/cli-options.ts; the loop: src/cli-run.ts; formats: src/output-sinks.ts on the writer src/output-file.ts.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  addCommon,
  type Flags,
  formatOption,
  MAX_GRID_CONFIGS,
  maxThreads,
  type Origin,
  OPTIONS,
  readRequest,
  type Request,
  speak,
  UsageError,
} from './cli-options.js';
import { type ChunkResult, type Compute, stream } from './cli-run.js';
import { CyclicLRError } from './errors.js';
import { expandGrid, scheduleMany } from './many.js';
import { unicodeArray } from './npy.js';
import { type CyclicLROptions, type Resolved, resolveOptions } from './options.js';
import {
  abortAll,
  checkSpace,
  checkTarget,
  commitAll,
  guardSignals,
  Interrupted,
  type Io,
  OutputError,
  OutputFile,
  ReaderGone,
  SIGNALS,
  sameFile,
  StdoutWriter,
  type Target,
} from './output-file.js';
import {
  ChartSink,
  CsvSink,
  csvMinBytes,
  JsonSink,
  jsonText,
  NpySink,
  NpyStreamSink,
  NpzSink,
  npyBytes,
  type Shape,
  type Sink,
  SvgSink,
} from './output-sinks.js';
import { scheduleParallel } from './parallel.js';
import { renderTerminal } from './plot.js';
import { planWindow } from './plan.js';
import { runPlan, type ScheduleResult, schedule } from './schedule.js';
import type { Row } from './wasm.js';

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** the most values a .json output holds (lr and momentum together) */
export const MAX_JSON_VALUES = 5e7;

const plural = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;

/** PyTorch's names of the resolved options (what --config reads back): the run is reproducible from them. */
function resolvedOptions(r: Resolved): Record<string, unknown> {
  const pg = (v: readonly number[]) => (r.groups === 1 ? v[0] : [...v]);
  return {
    base_lr: pg(r.baseLrs),
    max_lr: pg(r.maxLrs),
    step_size_up: r.stepSizeUp,
    step_size_down: r.stepSizeDown,
    mode: r.mode,
    gamma: r.gamma,
    scale_mode: r.scaleMode,
    cycle_momentum: r.cycleMomentum,
    base_momentum: pg(r.baseMomentums),
    max_momentum: pg(r.maxMomentums),
    groups: r.groups,
    libm: r.libm,
  };
}

function describe(r: Resolved, start: number, n: number): string {
  const v = (x: readonly number[]) => (x.every((y) => y === x[0]) ? String(x[0]) : x.join('/'));
  const parts = [
    `mode=${r.mode}`,
    `base_lr=${v(r.baseLrs)}`,
    `max_lr=${v(r.maxLrs)}`,
    `step_size_up=${r.stepSizeUp}`,
    `step_size_down=${r.stepSizeDown}`,
    ...(r.mode === 'exp_range' ? [`gamma=${r.gamma}`] : []),
  ];
  return `CyclicLR ${parts.join(' ')} · iterations ${start}–${start + n - 1}`;
}

/** A file the run writes: the flag that named it, its checked target and format. */
interface Planned {
  flag: string;
  target: Target;
  ext: string;
}

const extOf = (p: string) => path.extname(p).toLowerCase();

/** Checks every output file before computing: writable, not named twice, enough free space. */
function planFiles(named: readonly { flag: string; file: string | undefined }[]): Planned[] {
  const out: Planned[] = [];
  for (const { flag, file } of named) {
    if (file === undefined || file === '-') continue;
    const target = checkTarget(file);
    const twin = out.find((p) => sameFile(p.target, target));
    if (twin) throw new UsageError(`${flag} ${file} names the same file as ${twin.flag} ${twin.target.requested}`);
    out.push({ flag, target, ext: extOf(file) });
  }
  return out;
}

function threadsOf(f: Flags): number | undefined {
  if (f.threads === undefined || f.threads === 1) return undefined;
  if (f.threads > maxThreads())
    throw new UsageError(
      `--threads must be 0 (one per core) or a whole number from 1 to ${maxThreads()} (cores × 4), got ${f.threads}`,
    );
  return f.threads === 0 ? availableParallelism() : f.threads;
}

/** Opens the planned files, runs the loop through their sinks, commits them together. */
async function runSinks(
  s: Shape,
  f: Flags,
  compute: Compute,
  make: (open: (p: Planned) => OutputFile) => Sink[],
  quiet = !!f.quiet,
): Promise<void> {
  const files: OutputFile[] = [];
  try {
    const sinks = make((p) => {
      const file = new OutputFile(p.target);
      files.push(file);
      return file;
    });
    await stream(s, f.chunk, compute, sinks, quiet);
    commitAll(files);
  } catch (e) {
    for (const file of files) file.abort();
    throw e;
  }
}

/** what main() needs to word an error: where each option came from */
interface Context {
  origin: Origin;
}

async function runSchedule(f: Flags, noArgs: boolean, ctx: Context, stdout: StdoutWriter): Promise<number> {
  const req = readRequest(f, false);
  ctx.origin = req.origin;
  if (noArgs) Object.assign(req.base, { baseLr: 0.01, maxLr: 0.1 }); // PyTorch's documentation example
  const options = req.base as unknown as CyclicLROptions;
  const r = resolveOptions(options);
  const n = req.iterations ?? 3 * Math.ceil(r.totalSize);
  const { start, dtype } = req;
  const s: Shape = { configs: 1, groups: r.groups, n, start, dtype, momentum: r.cycleMomentum };

  // what goes where: --out FILE, --out - (stdout), or no --out (CSV on stdout; nothing with --plot)
  const toStdout = f.out === '-' || (f.out === undefined && !noArgs && (f.plot === undefined || !!f.format));
  if (f.format && f.out !== undefined && f.out !== '-')
    throw new UsageError(
      `--format goes with stdout (--out - or no --out); --out ${f.out}: its extension is the format`,
    );
  const format = toStdout ? `.${f.format ?? (f.out === '-' ? 'npy' : 'csv')}` : f.out ? extOf(f.out) : '';
  if (f.out && f.out !== '-' && !['.npy', '.npz', '.csv', '.json'].includes(format))
    throw new UsageError(`--out ${f.out}: the extension must be .npy, .npz, .csv or .json (or - for stdout)`);
  if (f.momentumOut !== undefined) {
    if (format !== '.npy') throw new UsageError('--momentum-out goes with an .npy --out (a file, or - for stdout)');
    if (extOf(f.momentumOut) !== '.npy') throw new UsageError(`--momentum-out ${f.momentumOut}: must be a .npy file`);
    if (!r.cycleMomentum) throw new UsageError('--momentum-out needs cycled momentum (not --no-cycle-momentum)');
  }
  if (f.plot !== undefined && extOf(f.plot) !== '.svg')
    throw new UsageError(`--plot ${f.plot}: the extension must be .svg`);
  if (format === '.json' && r.groups * n * (r.cycleMomentum ? 2 : 1) > MAX_JSON_VALUES)
    throw new UsageError(`--out .json holds at most ${MAX_JSON_VALUES} values (lr and momentum): use .npy or .npz`);
  if (start + n - 1 > Number.MAX_SAFE_INTEGER) throw new UsageError('--start + --iterations must stay ≤ 2^53');
  // the whole window is valid (exp_range overflow, sizes) before any file is opened: a zero-length dry plan
  schedule(options, { start, length: 0, dtype });
  const threads = threadsOf(f);
  const planned = planFiles([
    { flag: '--out', file: f.out },
    { flag: '--momentum-out', file: f.momentumOut },
    { flag: '--plot', file: f.plot },
  ]);
  const resolved = { ...resolvedOptions(r), start, iterations: n, dtype };
  const json = jsonText(resolved);
  const optionsText = unicodeArray([json]);
  const npzExtras = [{ name: 'options', descr: optionsText.descr, shape: [], bytes: optionsText.bytes }];
  checkSpace(
    planned.flatMap((p) => {
      if (p.ext === '.npy') return [{ target: p.target, bytes: npyBytes(s) }];
      if (p.ext === '.csv') return [{ target: p.target, bytes: csvMinBytes(s) }];
      if (p.ext === '.npz') return [{ target: p.target, bytes: new NpzSink(null!, s, npzExtras).bytes() }];
      return [];
    }),
  );

  let out: ScheduleResult<Row> | undefined;
  // schedule() of each chunk without resolving the options again (r is theirs): what scheduleChunks does
  const compute: Compute = async (at, len) => {
    if (threads !== undefined) return [await scheduleParallel(options, { start: at, length: len, dtype, threads })];
    out = runPlan(planWindow(r, at, len), 'wasm', dtype, out && out.lr[0].length === len ? out : undefined);
    return [out as ChunkResult];
  };
  // the terminal chart scans every value: only when it is drawn
  const drawn = noArgs || (!f.plot && !f.quiet && !toStdout && !!process.stderr.isTTY);
  const chart = drawn ? new ChartSink(s) : null;
  await runSinks(
    s,
    f,
    compute,
    (open) => {
      const sinks: Sink[] = chart ? [chart] : [];
      if (toStdout) sinks.push(format === '.npy' ? new NpyStreamSink(stdout, s) : new CsvSink(stdout, s));
      for (const p of planned) {
        if (p.flag === '--plot') sinks.push(new SvgSink(open(p), s, describe(r, start, n), null));
        else if (p.flag === '--momentum-out') sinks.push(new NpySink(open(p), s, 'momentum'));
        else if (p.ext === '.npy') sinks.push(new NpySink(open(p), s, 'lr'));
        else if (p.ext === '.npz') sinks.push(new NpzSink(open(p), s, npzExtras));
        else if (p.ext === '.csv') sinks.push(new CsvSink(open(p), s));
        else {
          const head = { options: resolved, start, iterations: n, groups: r.groups, dtype };
          sinks.push(new JsonSink(open(p), s, head));
        }
      }
      return sinks;
    },
    !!f.quiet || toStdout,
  ); // no progress bar over data on the terminal
  const picture = chart ? renderTerminal(chart.env, 12, 'lr') : '';
  if (noArgs)
    stdout.append(`${describe(r, start, n)} (PyTorch's documentation example; cyclic-lr --help for more)\n${picture}`);
  else if (chart) process.stderr.write(picture);
  if (planned.length && !f.quiet)
    process.stderr.write(
      `wrote ${planned.map((p) => p.target.requested).join(' and ')}${toStdout ? ' and stdout' : ''}: ` +
        `${plural(r.groups, 'group')} × ${plural(n, 'iteration')} (${dtype})\n`,
    );
  return 0;
}

/** The grid's configs: each listed config (or the flags' options) × every combination of the axes. */
function gridConfigs(req: Request): { labels: string[]; configs: Record<string, unknown>[] } {
  const bases = req.listed ?? [{ options: {}, label: undefined }];
  const axisKeys = Object.keys(req.axes);
  if (!req.listed && !axisKeys.length)
    throw new UsageError('grid needs at least one comma list (a grid axis), or --config with a list of configs');
  let per = 1;
  for (const k of axisKeys) per *= req.axes[k].length;
  if (bases.length * per > MAX_GRID_CONFIGS)
    throw new UsageError(
      `the grid has ${bases.length * per} configs (` +
        [
          bases.length > 1 ? `${bases.length} listed` : '',
          ...axisKeys.map((k) => `${req.axes[k].length} ${OPTIONS.get(k)!.flag}`),
        ]
          .filter(Boolean)
          .join(' × ') +
        `); at most ${MAX_GRID_CONFIGS}: split it`,
    );
  const labels: string[] = [];
  const configs: Record<string, unknown>[] = [];
  bases.forEach((b, k) => {
    const merged = { ...b.options, ...req.base };
    const name = req.listed ? (b.label ?? `config ${k}`) : '';
    if (!axisKeys.length) {
      labels.push(name);
      configs.push(merged);
      return;
    }
    const g = expandGrid(merged, req.axes);
    for (let j = 0; j < g.configs.length; j++) {
      labels.push(name ? `${name},${g.labels[j]}` : g.labels[j]);
      configs.push(g.configs[j] as unknown as Record<string, unknown>);
    }
  });
  return { labels, configs };
}

async function runGrid(f: Flags, ctx: Context): Promise<number> {
  const req = readRequest(f, true);
  ctx.origin = req.origin;
  const { labels, configs } = gridConfigs(req);
  const resolved = configs.map((o, k) => {
    try {
      return resolveOptions(o);
    } catch (e) {
      throw relabel(e, k);
    }
  });
  const G = resolved[0].groups;
  if (resolved.some((x) => x.groups !== G))
    throw new UsageError('every config of a grid must have the same number of groups');
  const mom = resolved[0].cycleMomentum;
  if (resolved.some((x) => x.cycleMomentum !== mom))
    throw new UsageError('every config of a grid must cycle momentum, or none');
  let longest = 0;
  for (const x of resolved) if (x.totalSize > longest) longest = x.totalSize; // a loop: no spread into Math.max
  const n = req.iterations ?? 3 * Math.ceil(longest);
  const C = configs.length;
  const { start, dtype } = req;
  if (!f.out) throw new UsageError('grid needs --out FILE.npz (or .json)');
  const ext = extOf(f.out);
  if (ext !== '.npz' && ext !== '.json') throw new UsageError(`--out ${f.out}: a grid goes to .npz or .json`);
  if (f.plot !== undefined && extOf(f.plot) !== '.svg')
    throw new UsageError(`--plot ${f.plot}: the extension must be .svg`);
  if (ext === '.json' && C * G * n * (mom ? 2 : 1) > MAX_JSON_VALUES)
    throw new UsageError(`--out .json holds at most ${MAX_JSON_VALUES} values (lr and momentum): use .npz for more`);
  if (start + n - 1 > Number.MAX_SAFE_INTEGER) throw new UsageError('--start + --iterations must stay ≤ 2^53');
  const opts = configs as unknown as CyclicLROptions[];
  scheduleMany(opts, { start, length: 0, dtype });
  const planned = planFiles([
    { flag: '--out', file: f.out },
    { flag: '--plot', file: f.plot },
  ]);
  const s: Shape = { configs: C, groups: G, n, start, dtype, momentum: mom };
  const lab = unicodeArray(labels);
  const extras = [{ name: 'labels', descr: lab.descr, shape: [C], bytes: lab.bytes }];
  if (ext === '.npz') checkSpace([{ target: planned[0].target, bytes: new NpzSink(null!, s, extras).bytes() }]);
  const compute: Compute = (at, len) => scheduleMany(opts, { start: at, length: len, dtype }).results;
  await runSinks(s, f, compute, (open) =>
    planned.map((p) => {
      if (p.flag === '--plot')
        return new SvgSink(
          open(p),
          s,
          `CyclicLR grid of ${C} configs · lr of group 0 · iterations ${start}–${start + n - 1}`,
          labels,
        );
      if (ext === '.npz') return new NpzSink(open(p), s, extras);
      const head = { labels, configs: resolved.map(resolvedOptions), start, iterations: n, groups: G, dtype };
      return new JsonSink(open(p), s, head, true);
    }),
  );
  if (!f.quiet)
    process.stderr.write(
      `wrote ${planned.map((p) => p.target.requested).join(' and ')}: ${plural(C, 'config')} × ` +
        `${plural(G, 'group')} × ${plural(n, 'iteration')} (${dtype})\n`,
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

const EXAMPLES = `
Examples:
  cyclic-lr                                            PyTorch's documentation example, a chart in the terminal
  cyclic-lr --base-lr 0.001 --max-lr 0.1 --step-size-up 2000 --mode triangular2 \\
            --iterations 1e6 --out schedule.npy --momentum-out momentum.npy --plot schedule.svg
  cyclic-lr --base-lr 0.001,0.01 --max-lr 0.006,0.1 --iterations 1e4 --out two-groups.csv
  cyclic-lr --base-lr 0.001 --max-lr 0.1 --iterations 1e4 --out - | python3 -c 'import numpy, sys, io; …'
  cyclic-lr grid --base-lr 0.001,0.01 --max-lr 0.1,1 --mode triangular,exp_range --gamma 0.9999 \\
            --iterations 1e6 --out grid.npz --plot grid.svg

Outputs (by extension): .npy lr [groups, iterations] (NumPy format 1.0, <f8 or <f4); .npz lr, momentum and
options (a JSON string); .csv iteration,lr_0,…,momentum_0,… (shortest round-trip decimals); .json (options
resolved, lr, momentum); --out -: .npy on stdout (--format csv: CSV); no --out: CSV on stdout (none with --plot).
Files are written to a temporary name beside the target, fsync'ed and renamed when complete: never partial.
Exit: 0 done, 1 file system (full disk, permissions), 2 usage, 128 + n on signal n. Reference: docs/cli.md`;

const GRID_HELP = `
Every combination of the comma lists is one config (the last flag varies fastest). With --config LIST, every
listed config is combined with the axes (a list of 3 and --max-lr 0.1,1 is 6 configs). At most
${MAX_GRID_CONFIGS} configs per grid. The plot draws lr of group 0 of each config (no momentum).`;

/**
 * Runs the command line; returns the exit code (0 done, 1 runtime error, 2 usage error, 128 + n on signal n).
 * `io.stdout` replaces the writes to fd 1 (tests).
 */
export async function main(argv: string[], io: { stdout?: Pick<Io, 'writeSync'> } = {}): Promise<number> {
  const stdout = new StdoutWriter(io.stdout);
  const program = new Command('cyclic-lr');
  let hint = 'cyclic-lr --help';
  program
    .description("PyTorch's CyclicLR learning-rate (and momentum) schedule, bit for bit, as a file you can load")
    .version(VERSION, '--version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (t) => stdout.append(t), writeErr: () => {} })
    .showSuggestionAfterError(true);
  addCommon(program, false)
    .addOption(formatOption())
    .option('--momentum-out <file.npy>', 'momentum [groups, iterations] beside an .npy lr');
  program.addHelpText('after', EXAMPLES);
  let action: Promise<number> | null = null;
  const noArgs = argv.length === 0;
  const ctx: Context = { origin: new Map() };
  program.action((opts: Flags) => {
    action = runSchedule(opts, noArgs, ctx, stdout);
  });
  const gridCmd = addCommon(new Command('grid'), true)
    .description('a grid of schedules (every combination of the comma lists) to .npz or .json')
    .exitOverride()
    .configureOutput({ writeOut: (t) => stdout.append(t), writeErr: () => {} })
    .addHelpText('after', GRID_HELP)
    .hook('preAction', () => {
      hint = 'cyclic-lr grid --help';
    });
  gridCmd.action((opts: Flags) => {
    action = runGrid(opts, ctx);
  });
  program.addCommand(gridCmd);
  if (argv[0] === 'grid') hint = 'cyclic-lr grid --help';
  const unguard = guardSignals();
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (action) return await action;
    return 0;
  } catch (e) {
    abortAll();
    if (e instanceof Interrupted) {
      process.stderr.write(`cyclic-lr: interrupted by ${e.signal}; nothing written\n`);
      return 128 + SIGNALS[e.signal];
    }
    if (e instanceof ReaderGone) return 0; // stdout closed by the reader (`| head`): done, quietly
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      process.stderr.write(`cyclic-lr: ${e.message.replace(/^error: /, '')}\nhint: ${hint}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`cyclic-lr: ${e.message}\nhint: ${hint}\n`);
      return 2;
    }
    if (e instanceof CyclicLRError) {
      process.stderr.write(`cyclic-lr: ${speak(e.message, ctx.origin)}\nhint: ${hint} (${e.code})\n`);
      return 2;
    }
    if (e instanceof OutputError) {
      process.stderr.write(`cyclic-lr: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`cyclic-lr: ${err.message.split('\n')[0]}\n`);
    return 1;
  } finally {
    unguard();
  }
}
