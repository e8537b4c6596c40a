// The CLI's flags and --config: commander's definitions, the config file's keys (camelCase or PyTorch's
// snake_case), caps on what a file may hold, and messages in the user's words (flags, or the file's own keys).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type Command, Option } from 'commander';
import { DEFAULT_LIBM, MAX_GROUPS } from './options.js';
import { failure } from './output-file.js';

/** a usage error: exit 2 with one line and a hint */
export class UsageError extends Error {}

/** the largest --config file read (bytes): a bigger one is refused before parsing */
export const MAX_CONFIG_BYTES = 32 << 20;
/** the most configs one grid takes (listed configs × the axes' combinations) */
export const MAX_GRID_CONFIGS = 65_536;
/** the most iterations per chunk (the hidden --chunk) */
export const MAX_CHUNK = 1 << 24;
/** values per chunk by default: about 1 MiB of float64, so each chunk is written while still in cache */
export const CHUNK_VALUES = 1 << 17;
/** the most threads --threads takes: the machine's cores × 4 */
export const maxThreads = (): number => availableParallelism() * 4;

/** Every option the CLI passes to the library, its flag and PyTorch's keyword. */
export const OPTIONS: ReadonlyMap<string, { flag: string; snake: string }> = new Map(
  (
    [
      ['baseLr', '--base-lr', 'base_lr'],
      ['maxLr', '--max-lr', 'max_lr'],
      ['stepSizeUp', '--step-size-up', 'step_size_up'],
      ['stepSizeDown', '--step-size-down', 'step_size_down'],
      ['mode', '--mode', 'mode'],
      ['gamma', '--gamma', 'gamma'],
      ['scaleMode', '--scale-mode', 'scale_mode'],
      ['cycleMomentum', '--cycle-momentum', 'cycle_momentum'],
      ['baseMomentum', '--base-momentum', 'base_momentum'],
      ['maxMomentum', '--max-momentum', 'max_momentum'],
      ['groups', '--groups', 'groups'],
      ['libm', '--libm', 'libm'],
    ] as const
  ).map(([k, flag, snake]) => [k, { flag, snake }]),
);
/** keys of the run a --config may hold besides the options */
const RUN_KEYS: ReadonlyMap<string, { flag: string; snake: string }> = new Map([
  ['iterations', { flag: '--iterations', snake: 'iterations' }],
  ['start', { flag: '--start', snake: 'start' }],
  ['dtype', { flag: '--dtype', snake: 'dtype' }],
]);
const WINDOW_KEYS: Readonly<Record<string, string>> = { length: '--iterations', start: '--start', dtype: '--dtype' };

/** The config file's accepted spellings → the library's key (own-key lookups only: a Map). */
const SPELLINGS: ReadonlyMap<string, string> = new Map(
  [...OPTIONS, ...RUN_KEYS].flatMap(([k, { snake }]) => [
    [k, k],
    [snake, k],
  ]),
);

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
  libm?: string;
  start?: number;
  iterations?: number;
  dtype?: 'float64' | 'float32';
  threads?: number;
  config?: string;
  out?: string;
  format?: 'npy' | 'csv';
  momentumOut?: string;
  plot?: string;
  quiet?: boolean;
  /** iterations per chunk; default (stream): about CHUNK_VALUES values a chunk */
  chunk?: number;
}
export type { Flags };

const num =
  (flag: string) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x))
      throw new UsageError(`${flag} must be a number, got ${JSON.stringify(v)}`);
    return x;
  };
const whole =
  (flag: string, min = Number.MIN_SAFE_INTEGER, rule = '') =>
  (v: string): number => {
    const x = num(flag)(v);
    if (!Number.isSafeInteger(x)) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(v)}`);
    if (x < min) throw new UsageError(`${flag} must be ${rule || `≥ ${min}`}, got ${JSON.stringify(v)}`);
    return x;
  };
const list =
  (flag: string) =>
  (v: string): number | number[] => {
    const parts = v.split(',').map((p) => num(flag)(p));
    return parts.length === 1 ? parts[0] : parts;
  };

/** Defines the flags of the command (`grid`: comma lists are grid axes). */
export function addCommon(cmd: Command, grid: boolean): Command {
  const L = grid ? 'a comma list is a grid axis' : 'one value, or one per group (comma list)';
  const axis = grid ? ' (comma list: grid axis)' : '';
  const cores = availableParallelism();
  return cmd
    .option('--base-lr <values>', `lower lr bound (${L})`, list('--base-lr'))
    .option('--max-lr <values>', `upper lr bound (${L})`, list('--max-lr'))
    .option(
      '--step-size-up <n>',
      `iterations up, default 2000${axis}`,
      grid ? list('--step-size-up') : num('--step-size-up'),
    )
    .option(
      '--step-size-down <n>',
      `iterations down, default = up${axis}`,
      grid ? list('--step-size-down') : num('--step-size-down'),
    )
    .option('--mode <mode>', `triangular | triangular2 | exp_range${axis}`)
    .option('--gamma <x>', `exp_range base, default 1.0${axis}`, grid ? list('--gamma') : num('--gamma'))
    .addOption(new Option('--scale-mode <m>', 'cycle | iterations (built-in modes force theirs)'))
    .option('--cycle-momentum', 'cycle momentum inversely to lr (default)')
    .option('--no-cycle-momentum', 'do not cycle momentum')
    .option('--base-momentum <values>', `lower momentum bound, default 0.8 (${L})`, list('--base-momentum'))
    .option('--max-momentum <values>', `upper momentum bound, default 0.9 (${L})`, list('--max-momentum'))
    .option('--groups <n>', 'param groups when every per-group value is a scalar', whole('--groups'))
    .addOption(
      new Option('--libm <variant>', `glibc pow that exp_range reproduces (default ${DEFAULT_LIBM})`).choices([
        'fma',
        'nofma',
      ]),
    )
    .option('--start <n>', 'first iteration (last_epoch), default 0', whole('--start'))
    .option('--iterations <n>', 'iterations, ≥ 1 (1e6 accepted); default: 3 cycles', whole('--iterations', 1))
    .addOption(
      new Option('--dtype <type>', 'element type of the output, default float64').choices(['float64', 'float32']),
    )
    .option(
      '--threads <n>',
      `threads for the kernel: default 1; 0 = one per core (${cores} here); at most cores × 4 (${cores * 4})`,
      whole('--threads', 0, `0 (one per core) or a whole number from 1 to ${cores * 4} (cores × 4)`),
    )
    .option(
      '--config <file.json>',
      grid
        ? 'a list of configs (each × the axes of comma-list flags), or options to extend; snake_case or camelCase'
        : "options: PyTorch's snake_case keys (base_lr, max_lr, step_size_up…) or camelCase; flags override",
    )
    .option(
      '--out <file>',
      grid
        ? '.npz (lr, momentum [configs, groups, iterations], labels) or .json'
        : '.npy (lr [groups, iterations]), .npz (lr, momentum, options), .csv, .json, or - for stdout ' +
            '(.npy; --format csv for CSV); default: CSV on stdout, none with --plot',
    )
    .option(
      '--plot <file.svg>',
      grid
        ? 'an SVG chart: lr of group 0 of each config, one band per config'
        : 'an SVG chart (lr, momentum on a second axis)',
    )
    .option('--quiet', 'no progress bar, no terminal chart and no summary line')
    .addOption(
      new Option('--chunk <n>', 'iterations per chunk when streaming')
        .argParser((v) => {
          const x = whole('--chunk', 1)(v);
          if (x > MAX_CHUNK) throw new UsageError(`--chunk must be at most ${MAX_CHUNK}, got ${JSON.stringify(v)}`);
          return x;
        })
        .hideHelp(),
    );
}

/** `--format` (single schedules only) */
export const formatOption = (): Option =>
  new Option('--format <format>', 'format of stdout (--out - or no --out): npy or csv').choices(['npy', 'csv']);

/** Where each option came from: a flag, or the config file's spelling (`max_lr in c.json`). */
export type Origin = Map<string, string>;

/** What --config and the flags ask for. */
export interface Request {
  /** options on top of which a grid's axes (or nothing) go */
  base: Record<string, unknown>;
  /** a grid's comma lists */
  axes: Record<string, unknown[]>;
  /** a --config list (grid only), each with its label */
  listed: { options: Record<string, unknown>; label: string | undefined }[] | null;
  iterations: number | undefined;
  start: number;
  dtype: 'float64' | 'float32';
  origin: Origin;
}

/** Reads --config (size-capped), maps its keys, then lays the flags over it. */
export function readRequest(f: Flags, grid: boolean): Request {
  const origin: Origin = new Map();
  let base: Record<string, unknown> = {};
  let listed: Request['listed'] = null;
  let run: Record<string, unknown> = {};
  if (f.config !== undefined) {
    const parsed = parseConfigFile(f.config);
    const name = f.config;
    if (Array.isArray(parsed)) {
      if (!grid) throw new UsageError(`--config ${name} holds a list of configs: use \`cyclic-lr grid --config …\``);
      if (parsed.length === 0) throw new UsageError(`--config ${name} holds an empty list: give at least one config`);
      if (parsed.length > MAX_GRID_CONFIGS)
        throw new UsageError(
          `--config ${name} holds ${parsed.length} configs; a grid takes at most ${MAX_GRID_CONFIGS}: split it`,
        );
      listed = parsed.map((c, k) => {
        if (c === null || typeof c !== 'object' || Array.isArray(c))
          throw new UsageError(`--config ${name}: configs[${k}] must be an options object, got ${kind(c)}`);
        const { options, run: r, label } = mapKeys(c as Record<string, unknown>, `${name} configs[${k}]`, true, origin);
        if (Object.keys(r).length)
          throw new UsageError(
            `--config ${name}: configs[${k}].${Object.keys(r)[0]}: iterations, start and dtype go on the command line`,
          );
        return { options, label };
      });
    } else if (parsed !== null && typeof parsed === 'object') {
      ({ options: base, run } = mapKeys(parsed as Record<string, unknown>, name, false, origin));
    } else throw new UsageError(`--config ${name} must hold an options object${grid ? ' or a list of them' : ''}`);
  }
  const axes: Record<string, unknown[]> = {};
  for (const [key, { flag }] of OPTIONS) {
    const v = (f as unknown as Record<string, unknown>)[key];
    if (v === undefined) continue;
    origin.set(key, flag);
    if (grid && Array.isArray(v)) axes[key] = v;
    else if (grid && key === 'mode' && typeof v === 'string' && v.includes(',')) axes[key] = v.split(',');
    else base[key] = v;
  }
  const runValue = (key: string, flagValue: unknown, check: (v: unknown) => boolean, rule: string) => {
    if (flagValue !== undefined) return flagValue;
    const v = run[key];
    if (v !== undefined && !check(v))
      throw new UsageError(`--config ${f.config}: ${key} must be ${rule}, got ${kind(v)}`);
    return v;
  };
  const iterations = runValue(
    'iterations',
    f.iterations,
    (v) => Number.isSafeInteger(v) && (v as number) >= 1,
    'a whole number ≥ 1',
  ) as number | undefined;
  const start = (runValue('start', f.start, (v) => Number.isSafeInteger(v), 'a whole number') ?? 0) as number;
  const dtype = (runValue('dtype', f.dtype, (v) => v === 'float64' || v === 'float32', "'float64' or 'float32'") ??
    'float64') as Request['dtype'];
  return { base, axes, listed, iterations, start, dtype, origin };
}

const kind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : typeof v;

/** The file's JSON: missing or unreadable is exit 1 (OutputError), too big or not JSON is a usage error. */
function parseConfigFile(name: string): unknown {
  let text: string;
  let fd: number | undefined;
  try {
    fd = openSync(name, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    if (st.size > MAX_CONFIG_BYTES)
      throw new UsageError(
        `--config ${name} is ${st.size.toLocaleString('en-US')} bytes; a config may be at most ` +
          `${MAX_CONFIG_BYTES.toLocaleString('en-US')} bytes (${MAX_GROUPS} groups at most)`,
      );
    const buf = Buffer.allocUnsafe(st.isFile() ? st.size : MAX_CONFIG_BYTES + 1);
    let len = 0;
    for (let k: number; len < buf.length && (k = readSync(fd, buf, len, buf.length - len, null)) > 0; ) len += k;
    if (len > MAX_CONFIG_BYTES) throw new UsageError(`--config ${name} is more than ${MAX_CONFIG_BYTES} bytes`);
    text = buf.subarray(0, len).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw failure(`--config ${name}`, e, 'read');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${name} is not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Levenshtein distance (small strings) for "did you mean" */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** the known key nearest to `key` (case, `_` and `-` ignored first), if near enough */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const exact = known.find((k) => norm(k) === norm(key));
  if (exact) return exact;
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const dd = distance(norm(key), norm(k));
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return best;
}

/** Maps a config object's own keys to the library's; refuses unknown keys (with a suggestion) and oversized lists. */
function mapKeys(
  obj: Record<string, unknown>,
  where: string,
  allowLabel: boolean,
  origin: Origin,
): { options: Record<string, unknown>; run: Record<string, unknown>; label: string | undefined } {
  const options: Record<string, unknown> = {};
  const run: Record<string, unknown> = {};
  let label: string | undefined;
  const spelled = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (allowLabel && key === 'label') {
      if (typeof v !== 'string') throw new UsageError(`--config ${where}: label must be a string, got ${kind(v)}`);
      label = v;
      continue;
    }
    if (key === 'scale_fn' || key === 'scaleFn')
      throw new UsageError(`--config ${where}: ${key} is a function: it cannot come from JSON (use the library)`);
    const lib = SPELLINGS.get(key);
    if (lib === undefined) {
      const known = [...SPELLINGS.keys()].filter((k) => k.includes('_') || !/[A-Z]/.test(k));
      const hint = didYouMean(key, [...known, ...SPELLINGS.keys(), ...(allowLabel ? ['label'] : [])]);
      throw new UsageError(
        `--config ${where}: unknown key ${JSON.stringify(key)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}`,
      );
    }
    const twice = spelled.get(lib);
    if (twice !== undefined)
      throw new UsageError(
        `--config ${where}: ${JSON.stringify(twice)} and ${JSON.stringify(key)} are the same option`,
      );
    spelled.set(lib, key);
    if (Array.isArray(v) && v.length > MAX_GROUPS)
      throw new UsageError(
        `--config ${where}: ${key} has ${v.length} values; at most ${MAX_GROUPS} (one per param group)`,
      );
    if (OPTIONS.has(lib)) {
      options[lib] = v;
      if (!origin.has(lib)) origin.set(lib, key);
    } else run[lib] = v;
  }
  return { options, run, label };
}

/**
 * A library message in the user's words: option names become the flag or the config key they came from
 * (`maxLr is required: …, got undefined` → `--max-lr is required: …`).
 */
export function speak(message: string, origin: Origin): string {
  let m = message.replace(/, got undefined$/, '');
  m = m.replace(/\b([a-z]+(?:[A-Z][a-z]+)+)\b/g, (w) => {
    if (!OPTIONS.has(w)) return w;
    return origin.get(w) ?? OPTIONS.get(w)!.flag;
  });
  m = m.replace(/^(configs\[\d+\]: )?(mode|gamma|groups|libm)\b/, (_w, pre = '', k) => {
    return `${pre}${origin.get(k) ?? OPTIONS.get(k)!.flag}`;
  });
  m = m.replace(/^(length|start|dtype)\b/, (w) => WINDOW_KEYS[w]);
  return m;
}
