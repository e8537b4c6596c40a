// The command line, run as a user runs it: `node dist/cli.js …` in a temporary folder.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { schedule, scheduleMany, expandGrid } from '../src/index.js';
import { readNpy, readNpz } from './helpers/npy.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[], cwd: string, extra: { input?: string } = {}) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'buffer', ...extra });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString() };
};
const tmp = () => mkdtempSync(path.join(tmpdir(), 'cyclic-lr-cli-'));
const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

const opts = {
  baseLr: [0.001, 0.01],
  maxLr: [0.006, 0.1],
  stepSizeUp: 7,
  stepSizeDown: 3,
  mode: 'triangular2' as const,
};
const flags = [
  '--base-lr',
  '0.001,0.01',
  '--max-lr',
  '0.006,0.1',
  '--step-size-up',
  '7',
  '--step-size-down',
  '3',
  '--mode',
  'triangular2',
];

function sameBits(got: ArrayLike<number>, exp: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(exp.length);
  for (let i = 0; i < exp.length; i++)
    if (!Object.is(got[i], exp[i])) expect.fail(`${what}[${i}]: ${got[i]} vs ${exp[i]}`);
}

describe('cyclic-lr writes what schedule() computes', () => {
  it(
    '.npy lr [groups, iterations] and --momentum-out, streamed in chunks, ' + 'equal the in-memory result bit for bit',
    () => {
      const dir = tmp();
      const r = run(
        [
          ...flags,
          '--start',
          '5',
          '--iterations',
          '5500',
          '--chunk',
          '1000',
          '--out',
          'lr.npy',
          '--momentum-out',
          'm.npy',
          '--quiet',
        ],
        dir,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const exp = schedule(opts, { start: 5, length: 5500 });
      const lr = readNpy(readFileSync(path.join(dir, 'lr.npy')));
      expect(lr.descr).toBe('<f8');
      expect(lr.shape).toEqual([2, 5500]);
      sameBits(lr.data.subarray(0, 5500), exp.lr[0], 'lr[0]');
      sameBits(lr.data.subarray(5500), exp.lr[1], 'lr[1]');
      const m = readNpy(readFileSync(path.join(dir, 'm.npy')));
      sameBits(m.data.subarray(5500), exp.momentum![1], 'momentum[1]');
      expect(readdirSync(dir).sort()).toEqual(['lr.npy', 'm.npy']);
    },
  );

  it('--dtype float32 writes <f4, each value Math.fround of the float64', () => {
    const dir = tmp();
    expect(run([...flags, '--iterations', '300', '--dtype', 'float32', '--out', 'lr.npy', '--quiet'], dir).code).toBe(
      0,
    );
    const lr = readNpy(readFileSync(path.join(dir, 'lr.npy')));
    expect(lr.descr).toBe('<f4');
    const exp = schedule(opts, { length: 300 });
    sameBits(lr.data.subarray(0, 300), exp.lr[0].map(Math.fround), 'lr[0]');
  });

  it('.csv (and CSV on stdout) holds iteration,lr_0,…,momentum_0,… with round-trip decimals', () => {
    const dir = tmp();
    expect(run([...flags, '--iterations', '40', '--out', 's.csv'], dir).code).toBe(0);
    const file = readFileSync(path.join(dir, 's.csv'), 'utf8');
    const stdout = run([...flags, '--iterations', '40'], dir).stdout.toString();
    expect(stdout).toBe(file);
    const [head, ...lines] = file.trim().split('\n');
    expect(head).toBe('iteration,lr_0,lr_1,momentum_0,momentum_1');
    const exp = schedule(opts, { length: 40 });
    lines.forEach((l, i) => {
      const v = l.split(',').map(Number);
      expect(v[0]).toBe(i);
      [exp.lr[0][i], exp.lr[1][i], exp.momentum![0][i], exp.momentum![1][i]].forEach((x, k) =>
        expect(Object.is(v[k + 1], x)).toBe(true),
      );
    });
  });

  it('.json holds options, window and the rows', () => {
    const dir = tmp();
    expect(run([...flags, '--iterations', '25', '--out', 's.json'], dir).code).toBe(0);
    const j = JSON.parse(readFileSync(path.join(dir, 's.json'), 'utf8'));
    const exp = schedule(opts, { length: 25 });
    expect(j).toMatchObject({ start: 0, iterations: 25, groups: 2, dtype: 'float64' });
    sameBits(j.lr[1], exp.lr[1], 'lr[1]');
    sameBits(j.momentum[0], exp.momentum![0], 'momentum[0]');
  });

  it('grid → .npz with lr and momentum [configs, groups, iterations] and labels; equals scheduleMany()', () => {
    const dir = tmp();
    const r = run(
      [
        'grid',
        '--base-lr',
        '0.001,0.01',
        '--max-lr',
        '0.1,1',
        '--mode',
        'triangular,exp_range',
        '--gamma',
        '0.999',
        '--step-size-up',
        '50',
        '--groups',
        '2',
        '--iterations',
        '3000',
        '--chunk',
        '700',
        '--out',
        'g.npz',
        '--quiet',
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const z = readNpz(readFileSync(path.join(dir, 'g.npz')));
    expect(Object.keys(z)).toEqual(['lr', 'momentum', 'labels']);
    const { labels, configs } = expandGrid(
      { gamma: 0.999, stepSizeUp: 50, groups: 2 },
      { baseLr: [0.001, 0.01], maxLr: [0.1, 1], mode: ['triangular', 'exp_range'] },
    );
    const many = scheduleMany(configs, { length: 3000 });
    const lr = readNpy(z.lr);
    expect(lr.shape).toEqual([8, 2, 3000]);
    sameBits(lr.data, many.lr, 'lr');
    sameBits(readNpy(z.momentum).data, many.momentum!, 'momentum');
    const lab = z.labels;
    const hl = lab.readUInt16LE(8);
    const n = Number(/<U(\d+)/.exec(lab.subarray(10, 10 + hl).toString())![1]);
    const u32 = new Uint32Array(new Uint8Array(lab.subarray(10 + hl)).buffer);
    const got = Array.from({ length: 8 }, (_, k) =>
      String.fromCodePoint(...u32.subarray(k * n, (k + 1) * n)).replace(/\0+$/, ''),
    );
    expect(got).toEqual(labels);
  });

  it("--config takes options in the library's shape; flags override", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ ...opts, stepSizeUp: 99 }));
    expect(run(['--config', 'c.json', '--step-size-up', '7', '--iterations', '30', '--out', 'a.json'], dir).code).toBe(
      0,
    );
    const j = JSON.parse(readFileSync(path.join(dir, 'a.json'), 'utf8'));
    sameBits(j.lr[1], schedule(opts, { length: 30 }).lr[1], 'lr[1]');
    writeFileSync(
      path.join(dir, 'list.json'),
      JSON.stringify([
        { ...opts, label: 'a' },
        { ...opts, mode: 'triangular', label: 'b' },
      ]),
    );
    expect(run(['grid', '--config', 'list.json', '--iterations', '30', '--out', 'g.json'], dir).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'g.json'), 'utf8')).labels).toEqual(['a', 'b']);
  });

  it('--plot writes an SVG with axes, a title, one path per series, under 200 KB for 1e7 points', () => {
    const dir = tmp();
    const r = run(
      [
        '--base-lr',
        '0.001,0.002,0.003,0.004',
        '--max-lr',
        '0.1',
        '--mode',
        'triangular2',
        '--iterations',
        '2.5e6',
        '--out',
        'x.npy',
        '--plot',
        'x.svg',
        '--quiet',
      ],
      dir,
    );
    expect(r.code).toBe(0);
    const svg = readFileSync(path.join(dir, 'x.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('class="axis x-axis"');
    expect(svg).toContain('class="axis y-axis left"');
    expect(svg).toContain('class="axis y-axis right"');
    expect(svg).toContain('class="title"');
    expect(svg.match(/class="series"/g)).toHaveLength(8); // 4 lr + 4 momentum
    expect(Buffer.byteLength(svg)).toBeLessThan(200_000);
    // the envelope keeps the peaks: the first cycle's maximum, 0.1, is drawn at the top of the lr axis
    expect(svg).toMatch(/>0\.10?</);
  });

  it("no arguments: PyTorch's documentation example as a terminal chart; --help and --version", () => {
    const dir = tmp();
    const r = run([], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('base_lr=0.01 max_lr=0.1');
    expect(r.stdout.toString()).toContain('█');
    const h = run(['--help'], dir);
    expect(h.code).toBe(0);
    expect(h.stdout.toString()).toContain('Examples:');
    expect(run(['--version'], dir).stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('dist/cli.js is one bundled file (npm run build:cli): a start without module resolution', () => {
  it('imports only node: builtins (no ./*.js of dist/, no package), and still reads its version', () => {
    const text = readFileSync(CLI, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const specifiers = [...text.matchAll(/^\s*import\b[^;'"]*?(?:from\s*)?["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:'))).toEqual([]);
    expect(text).not.toMatch(/\bimport\(\s*["'](?!node:)/);
    expect(text).not.toMatch(/\brequire\(\s*["'](?!node:)/);
    const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    expect(run(['--version'], tmp()).stdout.toString().trim()).toBe(version);
  });

  it.each(['commander', 'd3-scale', 'd3-array', 'd3-format'])('carries the licence of %s, which it bundles', (name) => {
    const text = readFileSync(CLI, 'utf8');
    const notices = text.slice(text.lastIndexOf('/*! The packages bundled in this file and their licences:'));
    const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'));
    expect(notices).toContain(`${name}@${pkg.version} (${pkg.license})`);
    expect(notices).toMatch(/Permission (is hereby granted|to use, copy, modify)/);
  });
});

describe('cyclic-lr refuses bad input in one line, exit 2; runtime errors exit 1; nothing partial is left', () => {
  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--base-lr'], /argument missing/],
    [
      ['--base-lr', '0.1', '--max-lr', '1', '--step-size-up', '0'],
      /^cyclic-lr: --step-size-up must be a positive finite number, got 0$/m,
    ],
    [['--base-lr', '0.1', '--max-lr', 'abc'], /--max-lr must be a number, got "abc"/],
    [['--base-lr', '0.1', '--max-lr', '1', '--iterations', '2.5'], /--iterations must be a whole number/],
    [['--base-lr', '0.1', '--max-lr', '1', '--mode', 'CATS'], /^cyclic-lr: --mode must be /m],
    [['--base-lr', '0.1', '--max-lr', '1', '--dtype', 'int8'], /--dtype/],
    [['--base-lr', '0.1', '--max-lr', '1', '--out', 'x.txt'], /must be \.npy, \.npz, \.csv or \.json/],
    [
      ['--base-lr', '0.1', '--max-lr', '1', '--mode', 'exp_range', '--gamma', '1.5', '--iterations', '2000'],
      /^cyclic-lr: .*gamma \*\* t overflows at t = 1751/m,
    ],
    [['grid', '--base-lr', '0.1', '--max-lr', '1', '--out', 'g.npz'], /grid needs at least one comma list/],
  ])('%j', (args, message) => {
    const dir = tmp();
    const r = run(args, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(args[0] === 'grid' ? /hint: cyclic-lr grid --help/ : /hint: cyclic-lr --help/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unwritable output path: one line, exit 1, no file', () => {
    const dir = tmp();
    const r = run(['--base-lr', '0.1', '--max-lr', '1', '--out', path.join(dir, 'no', 'such', 'dir', 'x.npy')], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it('a full disk (ulimit -f): exit ≠ 0 and no file under the requested name', () => {
    const dir = tmp();
    const r = spawnSync(
      'bash',
      [
        '-c',
        `ulimit -f 64; exec "${process.execPath}" "${CLI}" ` +
          '--base-lr 0.1 --max-lr 1 --iterations 1e6 --out big.npy --quiet',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(r.status === 0 && r.signal === null).toBe(false);
    expect(existsSync(path.join(dir, 'big.npy'))).toBe(false);
  });

  it('SIGKILL mid-write: no file under the requested name', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--base-lr',
        '0.1',
        '--max-lr',
        '1',
        '--groups',
        '4',
        '--iterations',
        '2e8',
        '--chunk',
        '100000',
        '--out',
        'big.npy',
        '--quiet',
      ],
      { cwd: dir },
    );
    // wait for a condition (bytes written), never a fixed time
    while (!readdirSync(dir).some((f) => f.endsWith('.tmp') && statSync(path.join(dir, f)).size > 1 << 20))
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(path.join(dir, 'big.npy'))).toBe(false);
  });
});

describe.skipIf(!hasNumpy)('NumPy reads the outputs as they are, equal to the PyTorch goldens bit for bit', () => {
  it('np.load of .npy, .npz and np.loadtxt of .csv', () => {
    const dir = tmp();
    // pub_groups_lists: 3 groups, lists, triangular2, asymmetric steps (golden: 40 iterations)
    const f = [
      '--base-lr',
      '0.01,0.02,0.03',
      '--max-lr',
      '0.1,0.2,0.3',
      '--step-size-up',
      '4',
      '--step-size-down',
      '2',
      '--mode',
      'triangular2',
      '--base-momentum',
      '0.8,0.85,0.7',
      '--max-momentum',
      '0.9,0.95,0.99',
      '--iterations',
      '40',
    ];
    const golden = fileURLToPath(new URL('./fixtures/golden_public_nofma.json', import.meta.url));
    const cases = fileURLToPath(new URL('./fixtures/cases_public.json', import.meta.url));
    const kw = JSON.parse(readFileSync(cases, 'utf8')).find((c: { id: string }) => c.id === 'pub_groups_lists').kwargs;
    expect([kw.base_momentum, kw.max_momentum]).toEqual([
      [0.8, 0.85, 0.7],
      [0.9, 0.95, 0.99],
    ]);
    expect(run([...f, '--out', 'lr.npy', '--momentum-out', 'm.npy', '--quiet'], dir).code).toBe(0);
    expect(run([...f, '--out', 's.csv', '--quiet'], dir).code).toBe(0);
    expect(
      run(
        [
          'grid',
          '--base-lr',
          '0.01',
          '--max-lr',
          '0.1',
          '--step-size-up',
          '3',
          '--mode',
          'triangular2,triangular',
          '--iterations',
          '40',
          '--out',
          'g.npz',
          '--quiet',
        ],
        dir,
      ).code,
    ).toBe(0);
    const py =
      `
import json, numpy as np
g = {r['id']: r for r in json.load(open(${JSON.stringify(golden)}))['results']}
lrs = np.array(g['pub_groups_lists']['lrs']).T; mom = np.array(g['pub_groups_lists']['momentums']).T
a = np.load('lr.npy'); m = np.load('m.npy')
assert a.dtype == np.float64 and a.shape == (3, 40), (a.dtype, a.shape)
assert np.array_equal(a.view(np.uint64), lrs.view(np.uint64)), 'npy lr'
assert np.array_equal(m.view(np.uint64), mom.view(np.uint64)), 'npy momentum'
c = np.loadtxt('s.csv', delimiter=',', skiprows=1)
assert np.array_equal(c[:, 1:4].T.view(np.uint64), lrs.view(np.uint64)), 'csv lr'
assert np.array_equal(c[:, 4:7].T.view(np.uint64), mom.view(np.uint64)), 'csv momentum'
z = np.load('g.npz')
t2 = np.array(g['pub_tri2_basic']['lrs']).T[0]
assert z['lr'].shape == (2, 1, 40) and list(z['labels']) == ['mode=triangular2', 'mode=triangular'], ` +
      `(z['lr'].shape, list(z['labels']))
assert np.array_equal(z['lr'][0, 0].view(np.uint64), t2.view(np.uint64)), 'npz triangular2'
print('numpy: all equal')`;
    const r = spawnSync(PY, ['-c', py], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('numpy: all equal');
  });
});

if (!hasNumpy)
  console.log(
    'NumPy read-back tests skipped: Debian python3-numpy is not installed (apt-get install -y python3-numpy)',
  );

describe('cyclic-lr on a pipe', () => {
  it('a reader that closes early (`| head`) ends the command quietly with exit 0', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${CLI}" --base-lr 0.1 --max-lr 1 --iterations 1e6 | head -2; exit \${PIPESTATUS[0]}`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('iteration,lr_0,momentum_0\n0,0.1,0.9\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
