// The CLI's flags, --config and formats as a user meets them (issues 9, 11, 14): main(argv) in this process, and
// the executable for pipes and NumPy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as runMain } from '../src/cli-main.js';
import { MAX_CONFIG_BYTES, MAX_GRID_CONFIGS } from '../src/cli-options.js';
import { shortest } from '../src/csv.js';
import { schedule } from '../src/index.js';
import { readNpy, readNpz } from './helpers/npy.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

let out = '';
let err = '';
let raw: Buffer[] = [];
const stdout = {
  writeSync: (_fd: number, b: Uint8Array, off = 0, len = b.length - off): number => {
    raw.push(Buffer.from(b.subarray(off, off + len)));
    out += raw[raw.length - 1].toString();
    return len;
  },
};
const main = (argv: string[]) => runMain(argv, { stdout: stdout as never });
beforeEach(() => {
  out = '';
  err = '';
  raw = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: unknown) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});
const dir = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-opts-'));
const at = (f: string) => path.join(dir, f);
const json = (f: string, v: unknown) => {
  writeFileSync(at(f), typeof v === 'string' ? v : JSON.stringify(v));
  return at(f);
};
const S = ['--base-lr', '0.1', '--max-lr', '1', '--quiet'];
const sh = (cmd: string) => spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: dir });

describe('bad requests are usage errors (exit 2, one line, a hint), refused before anything is computed', () => {
  it.each([
    ['--iterations -5', [...S, '--iterations', '-5', '--out', at('neg.npy')], /--iterations must be ≥ 1/],
    ['--iterations -1e3', [...S, '--iterations', '-1e3', '--out', at('neg.npy')], /--iterations must be ≥ 1/],
    ['--chunk 0 (looped forever)', [...S, '--iterations', '10', '--chunk', '0'], /--chunk must be ≥ 1/],
    ['--chunk -5 (blamed on --iterations)', [...S, '--iterations', '10', '--chunk', '-5'], /^cyclic-lr: --chunk/],
    ['--chunk 1e12', [...S, '--iterations', '10', '--chunk', '1e12'], /^cyclic-lr: --chunk must be at most 16777216/],
    ['--threads 1000', [...S, '--iterations', '10', '--threads', '1000'], /at most|from 1 to \d+ \(cores × 4\)/],
    ['--threads -1', [...S, '--iterations', '10', '--threads', '-1'], /0 \(one per core\)/],
    ['--out = --momentum-out', [...S, '--out', at('a.npy'), '--momentum-out', at('a.npy')], /names the same file/],
    ['--plot = --out', [...S, '--out', at('a.svg'), '--plot', at('a.svg')], /--out .*extension/],
    ['--format with a file', [...S, '--format', 'csv', '--out', at('a.npy')], /--format goes with stdout/],
    ['--libm other', [...S, '--libm', 'glibc'], /--libm/],
  ])('%s', async (_what, argv, message) => {
    const before = readdirSync(dir).sort();
    expect(await main(argv)).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/\nhint: cyclic-lr --help/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it.each([
    ['[]', '[]', /holds an empty list/],
    ['[null]', '[null]', /configs\[0\] must be an options object, got null/],
    ['[3]', '[3]', /configs\[0\] must be an options object, got number/],
  ])('grid --config %s', async (_w, text, message) => {
    expect(await main(['grid', '--config', json('l.json', text), '--out', at('g.npz')])).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/TypeError/);
    expect(err).toMatch(/hint: cyclic-lr grid --help/);
  });

  it(`a grid of more than ${MAX_GRID_CONFIGS} configs: axes 1000 × 200, or a list of 130k configs`, async () => {
    const a = Array.from({ length: 1000 }, (_, k) => 0.001 + k * 1e-6).join(',');
    const b = Array.from({ length: 200 }, (_, k) => 1 + k).join(',');
    expect(await main(['grid', '--base-lr', a, '--max-lr', b, '--iterations', '10', '--out', at('g.npz')])).toBe(2);
    expect(err).toMatch(/the grid has 200000 configs .*at most 65536/);
    err = '';
    const list = json(
      'big.json',
      Array.from({ length: 130_000 }, () => ({ base_lr: 0.1, max_lr: 1 })),
    );
    expect(await main(['grid', '--config', list, '--iterations', '10', '--out', at('g.npz')])).toBe(2);
    expect(err).toMatch(/130000 configs; a grid takes at most 65536/);
    expect(err).not.toMatch(/Maximum call stack/);
  });

  it(
    'a --config larger than the cap, or with a list longer than MAX_GROUPS, ' + 'is refused like groups: 1e12',
    async () => {
      const big = json('huge.json', `{"base_lr": [${'1,'.repeat(MAX_CONFIG_BYTES / 2)}1], "max_lr": 2}`);
      expect(await main(['--config', big])).toBe(2);
      expect(err).toMatch(/bytes; a config may be at most 33,554,432 bytes/);
      err = '';
      const long = json('long.json', `{"base_lr": [${'1,'.repeat(5_000_000)}1], "max_lr": 2}`);
      expect(await main(['--config', long])).toBe(2);
      expect(err).toMatch(/base_lr has 5000001 values; at most 4194304/);
    },
  );

  it.each([
    ['__proto__', '{"__proto__": {"x": 1}, "base_lr": 0.1, "max_lr": 1}'],
    ['constructor', '{"constructor": 1, "base_lr": 0.1, "max_lr": 1}'],
    ['prototype', '{"prototype": 1, "base_lr": 0.1, "max_lr": 1}'],
  ])('a %s key in --config is an unknown key, by its own name', async (key, text) => {
    expect(await main(['--config', json('p.json', text), '--iterations', '3'])).toBe(2);
    expect(err).toContain(`unknown key "${key}"`);
    expect(err).not.toMatch(/\[object Object\]|function Object/);
  });
});

describe('--config speaks PyTorch: snake_case keys (and camelCase), iterations and start, "did you mean"', () => {
  it("PyTorch's keyword dict gives schedule()'s numbers; flags override", async () => {
    const c = json('torch.json', {
      base_lr: 0.001,
      max_lr: 0.1,
      step_size_up: 20,
      mode: 'triangular2',
      iterations: 100,
      start: 7,
    });
    expect(await main(['--config', c, '--step-size-down', '5', '--out', at('t.json'), '--quiet'])).toBe(0);
    const j = JSON.parse(readFileSync(at('t.json'), 'utf8'));
    const exp = schedule(
      { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 20, stepSizeDown: 5, mode: 'triangular2' },
      { start: 7, length: 100 },
    );
    expect(j.lr[0]).toEqual(Array.from(exp.lr[0]));
    expect([j.start, j.iterations]).toEqual([7, 100]);
  });

  it.each([
    ['step_size', 'step_size_up'],
    ['max_momentun', 'max_momentum'],
    ['baselr', 'base_lr'],
    ['gama', 'gamma'],
  ])('unknown key %s: did you mean %s?', async (key, hint) => {
    expect(await main(['--config', json('u.json', { base_lr: 0.1, max_lr: 1, [key]: 1 })])).toBe(2);
    expect(err).toMatch(new RegExp(`unknown key "${key}"; did you mean "${hint}"\\?`));
  });

  it('a missing or unreadable --config is a runtime error (exit 1), bad JSON a usage error (exit 2)', async () => {
    expect(await main(['--config', at('missing.json')])).toBe(1);
    expect(err).toMatch(/cannot read --config .*missing\.json: no such file or folder \(ENOENT\)/);
    expect(await main(['--config', dir])).toBe(1);
    expect(await main(['--config', json('bad.json', '{base_lr')])).toBe(2);
  });

  it('messages speak the words the user wrote: flags, or the config file keys', async () => {
    expect(await main(['--base-lr', '0.1'])).toBe(2);
    expect(err).toMatch(/^cyclic-lr: --max-lr is required/);
    expect(err).not.toMatch(/maxLr|undefined/);
    err = '';
    expect(await main(['--config', json('s.json', { base_lr: 0.1, max_lr: 1, step_size_up: -1 })])).toBe(2);
    expect(err).toMatch(/^cyclic-lr: step_size_up must be a positive finite number, got -1/);
  });
});

describe('outputs', () => {
  it('"1 group × 1 iteration" (singular), "2 groups × 3 iterations"', async () => {
    expect(await main(['--base-lr', '0.1', '--max-lr', '1', '--iterations', '1', '--out', at('one.npy')])).toBe(0);
    expect(err).toMatch(/: 1 group × 1 iteration \(float64\)/);
    expect(await main(['--base-lr', '0.1,0.2', '--max-lr', '1', '--iterations', '3', '--out', at('two.npy')])).toBe(0);
    expect(err).toMatch(/: 2 groups × 3 iterations/);
  });

  it('--plot without --out writes the SVG and no CSV on stdout', () => {
    const r = sh(`"${process.execPath}" "${CLI}" ${S.join(' ')} --iterations 1000 --plot only.svg`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(at('only.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('.npz of one schedule: lr, momentum [groups, iterations] and the resolved options as a JSON string', async () => {
    expect(await main(['--base-lr', '0.1,0.2', '--max-lr', '1', '--iterations', '50', '--out', at('s.npz')])).toBe(0);
    const z = readNpz(readFileSync(at('s.npz')));
    expect(Object.keys(z)).toEqual(['lr', 'momentum', 'options']);
    const exp = schedule({ baseLr: [0.1, 0.2], maxLr: 1 }, { length: 50 });
    const lr = readNpy(z.lr);
    expect(lr.shape).toEqual([2, 50]);
    expect(Array.from(lr.data.subarray(50))).toEqual(Array.from(exp.lr[1]));
    expect(Array.from(readNpy(z.momentum).data.subarray(0, 50))).toEqual(Array.from(exp.momentum![0]));
    const h = z.options.readUInt16LE(8);
    const text = String.fromCodePoint(...new Uint32Array(new Uint8Array(z.options.subarray(10 + h)).buffer));
    expect(JSON.parse(text.replace(/\0+$/, ''))).toMatchObject({ base_lr: [0.1, 0.2], step_size_up: 2000, start: 0 });
  });

  it(
    ".json's options are the resolved options (defaults filled in), " + 'and reproduce the run through --config',
    async () => {
      expect(
        await main([...S, '--mode', 'exp_range', '--gamma', '0.99', '--iterations', '20', '--out', at('r.json')]),
      ).toBe(0);
      const j = JSON.parse(readFileSync(at('r.json'), 'utf8'));
      expect(j.options).toEqual({
        base_lr: 0.1,
        max_lr: 1,
        step_size_up: 2000,
        step_size_down: 2000,
        mode: 'exp_range',
        gamma: 0.99,
        scale_mode: 'iterations',
        cycle_momentum: true,
        base_momentum: 0.8,
        max_momentum: 0.9,
        groups: 1,
        libm: expect.stringMatching(/^(fma|nofma)$/),
        start: 0,
        iterations: 20,
        dtype: 'float64',
      });
      json('again.json', j.options);
      expect(await main(['--config', at('again.json'), '--out', at('r2.json'), '--quiet'])).toBe(0);
      expect(JSON.parse(readFileSync(at('r2.json'), 'utf8')).lr).toEqual(j.lr);
    },
  );

  it('--libm fma|nofma is passed to the library and recorded', async () => {
    for (const libm of ['fma', 'nofma']) {
      expect(
        await main([
          ...S,
          '--mode',
          'exp_range',
          '--gamma',
          '0.999',
          '--libm',
          libm,
          '--iterations',
          '30',
          '--out',
          at(`${libm}.json`),
        ]),
      ).toBe(0);
      const j = JSON.parse(readFileSync(at(`${libm}.json`), 'utf8'));
      expect(j.options.libm).toBe(libm);
      const exp = schedule(
        { baseLr: 0.1, maxLr: 1, mode: 'exp_range', gamma: 0.999, libm: libm as 'fma' },
        { length: 30 },
      );
      expect(j.lr[0]).toEqual(Array.from(exp.lr[0]));
    }
  });

  it(
    'float32 CSV prints the shortest decimal that round-trips as float32 ' + '(0.001, not 0.0010000000474974513)',
    async () => {
      expect(await main(['--base-lr', '0.001', '--max-lr', '0.1', '--iterations', '300', '--dtype', 'float32'])).toBe(
        0,
      );
      const lines = out.trim().split('\n');
      expect(lines[1]).toBe('0,0.001,0.9');
      const exp = schedule({ baseLr: 0.001, maxLr: 0.1 }, { length: 300, dtype: 'float32' });
      lines.slice(1).forEach((l, i) => {
        const v = l.split(',');
        expect(Math.fround(Number(v[1]))).toBe(exp.lr[0][i]);
        expect(v[1]).toBe(shortest(exp.lr[0][i], true));
        expect(v[1].replace(/^0\.0*|\.|e.*$/g, '').length).toBeLessThanOrEqual(9);
      });
    },
  );

  it.each([
    ['.csv', 'z.csv'],
    ['.json', 'z.json'],
  ])('%s keeps −0.0 (base_lr -0, max_lr -1)', async (_w, file) => {
    expect(
      await main([
        '--base-lr=-0',
        '--max-lr=-1',
        '--base-momentum=-0',
        '--max-momentum',
        '1',
        '--iterations',
        '3',
        '--out',
        at(file),
      ]),
    ).toBe(0);
    const exp = schedule({ baseLr: -0, maxLr: -1, baseMomentum: -0, maxMomentum: 1 }, { length: 3 });
    expect(Object.is(exp.lr[0][0], -0)).toBe(true);
    const text = readFileSync(at(file), 'utf8');
    const lr0 = file.endsWith('.csv') ? Number(text.split('\n')[1].split(',')[1]) : JSON.parse(text).lr[0][0];
    expect(Object.is(lr0, -0)).toBe(true);
    if (file.endsWith('.json')) expect(Object.is(JSON.parse(text).options.base_lr, -0)).toBe(true);
  });

  it('grid: a --config list × an axis flag is every listed config × every axis value', async () => {
    const list = json('gl.json', [
      { base_lr: 0.001, label: 'a' },
      { base_lr: 0.01, label: 'b' },
    ]);
    expect(
      await main([
        'grid',
        '--config',
        list,
        '--max-lr',
        '0.2,0.3',
        '--iterations',
        '40',
        '--out',
        at('gl.json'),
        '--quiet',
      ]),
    ).toBe(0);
    const j = JSON.parse(readFileSync(at('gl.json'), 'utf8'));
    expect(j.labels).toEqual(['a,maxLr=0.2', 'a,maxLr=0.3', 'b,maxLr=0.2', 'b,maxLr=0.3']);
    expect(j.lr[3][0]).toEqual(Array.from(schedule({ baseLr: 0.01, maxLr: 0.3 }, { length: 40 }).lr[0]));
  });

  it('grid --help says what the plot shows (lr of group 0 per config), the list × axis rule and the cap', async () => {
    expect(await main(['grid', '--help'])).toBe(0);
    expect(out).toMatch(/lr of group 0 of each config/);
    expect(out).not.toMatch(/momentum on a second axis/);
    expect(out).toMatch(/every\s+listed config is combined with the axes/);
    expect(out).toContain(String(MAX_GRID_CONFIGS));
  });

  it(
    `--help documents --threads: 0 = one per core, ` + `at most cores × 4 (${availableParallelism() * 4} here)`,
    async () => {
      expect(await main(['--help'])).toBe(0);
      expect(out).toMatch(/0 = one per core/);
      expect(out).toContain(`cores × 4 (${availableParallelism() * 4})`);
      expect(out).toMatch(/--libm/);
    },
  );
});

describe('pipes', () => {
  it.each([
    ['--help | head -1', `"${process.execPath}" "${CLI}" --help | head -1`],
    ['--version | true', `"${process.execPath}" "${CLI}" --version | true`],
    ['grid --help | head -1', `"${process.execPath}" "${CLI}" grid --help | head -1`],
  ])('%s: exit 0, no EPIPE', (_w, cmd) => {
    const r = sh(`${cmd}; exit \${PIPESTATUS[0]}`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasNumpy)('--out - streams .npy to a pipe NumPy loads ([groups, iterations], bit for bit)', () => {
    const py =
      'import numpy, sys, io; a = numpy.load(io.BytesIO(sys.stdin.buffer.read())); ' +
      'print(a.shape, a.dtype, repr(a[1, 4999]))';
    const r = sh(
      `"${process.execPath}" "${CLI}" --base-lr 0.001,0.01 --max-lr 0.1 --iterations 5000 --chunk 777 ` +
        `--out - | ${PY} -c '${py}'`,
    );
    expect(r.stderr).toBe('');
    const exp = schedule({ baseLr: [0.001, 0.01], maxLr: 0.1 }, { length: 5000 }).lr[1][4999];
    expect(r.stdout.trim()).toBe(`(2, 5000) float64 ${exp}`);
  });

  it('--format csv with --out - is CSV; --format npy without --out is .npy', async () => {
    expect(await main([...S, '--iterations', '3', '--out', '-', '--format', 'csv'])).toBe(0);
    expect(out.split('\n')[0]).toBe('iteration,lr_0,momentum_0');
    raw = [];
    expect(await main([...S, '--iterations', '3', '--format', 'npy', '--dtype', 'float32'])).toBe(0);
    const a = readNpy(Buffer.concat(raw));
    expect([a.descr, a.shape]).toEqual(['<f4', [1, 3]]);
  });
});
