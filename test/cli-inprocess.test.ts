// The CLI's main(argv) in this process (what test/cli.test.ts runs as a child process), so every branch of
// src/cli-main.ts, src/npy.ts and src/plot.ts is exercised and measured.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as runMain } from '../src/cli-main.js';
import { schedule, scheduleMany, expandGrid } from '../src/index.js';
import { readNpy, readNpz } from './helpers/npy.js';

let out = '';
/** what main() writes to fd 1 (data, help, the chart) */
const stdout = {
  writeSync: (_fd: number, b: Uint8Array, off = 0, len = b.length - off): number => {
    out += Buffer.from(b.subarray(off, off + len)).toString();
    return len;
  },
};
const main = (argv: string[]) => runMain(argv, { stdout: stdout as never });
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => {
    out += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});
const dir = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-main-'));
const at = (f: string) => path.join(dir, f);
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).every((v, i) => Object.is(v, b[i])) && a.length === b.length;

describe('main(argv) writes every format', () => {
  it.each([
    ['float64', '<f8'],
    ['float32', '<f4'],
  ] as const)('.npy and --momentum-out (%s), with a plot, in chunks', async (dtype, descr) => {
    const code = await main([
      '--base-lr',
      '0.001,0.01',
      '--max-lr',
      '0.1',
      '--step-size-up',
      '13',
      '--mode',
      'exp_range',
      '--gamma',
      '0.999',
      '--iterations',
      '3001',
      '--chunk',
      '1000',
      '--dtype',
      dtype,
      '--out',
      at(`a-${dtype}.npy`),
      '--momentum-out',
      at(`m-${dtype}.npy`),
      '--plot',
      at(`a-${dtype}.svg`),
    ]);
    expect(out).toMatch(/^wrote /);
    expect(code).toBe(0);
    const exp = schedule(
      { baseLr: [0.001, 0.01], maxLr: 0.1, stepSizeUp: 13, mode: 'exp_range', gamma: 0.999 },
      { length: 3001, dtype },
    );
    const lr = readNpy(readFileSync(at(`a-${dtype}.npy`)));
    expect(lr.descr).toBe(descr);
    expect(same(lr.data.subarray(3001), exp.lr[1])).toBe(true);
    expect(same(readNpy(readFileSync(at(`m-${dtype}.npy`))).data.subarray(0, 3001), exp.momentum![0])).toBe(true);
    expect(readFileSync(at(`a-${dtype}.svg`), 'utf8')).toContain('class="series"');
  });

  it('.csv, .json, and CSV on stdout', async () => {
    expect(
      await main([
        '--base-lr',
        '0.1',
        '--max-lr',
        '1',
        '--no-cycle-momentum',
        '--iterations',
        '12',
        '--out',
        at('s.csv'),
        '--quiet',
      ]),
    ).toBe(0);
    expect(readFileSync(at('s.csv'), 'utf8').split('\n')[0]).toBe('iteration,lr_0');
    expect(
      await main([
        '--base-lr',
        '0.1',
        '--max-lr',
        '1',
        '--iterations',
        '12',
        '--start',
        '3',
        '--out',
        at('s.json'),
        '--quiet',
      ]),
    ).toBe(0);
    const j = JSON.parse(readFileSync(at('s.json'), 'utf8'));
    expect(same(j.lr[0], schedule({ baseLr: 0.1, maxLr: 1 }, { start: 3, length: 12 }).lr[0])).toBe(true);
  });

  it('grid to .npz and .json, from axes and from --config lists, with a plot', async () => {
    expect(
      await main([
        'grid',
        '--base-lr',
        '0.001,0.01',
        '--max-lr',
        '0.1',
        '--step-size-up',
        '5,9',
        '--mode',
        'triangular,triangular2',
        '--iterations',
        '200',
        '--chunk',
        '64',
        '--out',
        at('g.npz'),
        '--plot',
        at('g.svg'),
      ]),
    ).toBe(0);
    const z = readNpz(readFileSync(at('g.npz')));
    const { configs } = expandGrid(
      { maxLr: 0.1 },
      { baseLr: [0.001, 0.01], stepSizeUp: [5, 9], mode: ['triangular', 'triangular2'] },
    );
    expect(same(readNpy(z.lr).data, scheduleMany(configs, { length: 200 }).lr)).toBe(true);
    writeFileSync(
      at('list.json'),
      JSON.stringify([
        { baseLr: 0.1, maxLr: 1, label: 'one' },
        { baseLr: 0.2, maxLr: 1, cycleMomentum: true },
      ]),
    );
    expect(
      await main(['grid', '--config', at('list.json'), '--iterations', '30', '--out', at('g.json'), '--quiet']),
    ).toBe(0);
    expect(JSON.parse(readFileSync(at('g.json'), 'utf8')).labels).toEqual(['one', 'config 1']);
    expect(
      await main([
        'grid',
        '--base-lr',
        '0.1',
        '--max-lr',
        '1,2',
        '--no-cycle-momentum',
        '--iterations',
        '30',
        '--out',
        at('n.npz'),
        '--quiet',
      ]),
    ).toBe(0);
    expect(Object.keys(readNpz(readFileSync(at('n.npz'))))).toEqual(['lr', 'labels']);
  });

  it('--config options, flags override; --threads; no arguments; --help; --version', async () => {
    writeFileSync(at('o.json'), JSON.stringify({ baseLr: 0.3, maxLr: 1, stepSizeUp: 7 }));
    expect(
      await main([
        '--config',
        at('o.json'),
        '--base-lr',
        '0.1',
        '--iterations',
        '300000',
        '--threads',
        '2',
        '--out',
        at('t.npy'),
        '--quiet',
      ]),
    ).toBe(0);
    expect(
      same(
        readNpy(readFileSync(at('t.npy'))).data,
        schedule({ baseLr: 0.1, maxLr: 1, stepSizeUp: 7 }, { length: 300_000 }).lr[0],
      ),
    ).toBe(true);
    expect(await main([])).toBe(0);
    expect(out).toContain("PyTorch's documentation example");
    out = '';
    expect(await main(['--help'])).toBe(0);
    expect(await main(['--version'])).toBe(0);
  });
});

describe('main(argv) refuses bad input with exit 2 (1 for the file system), writing nothing', () => {
  it.each([
    [['--base-lr', '0.1', '--max-lr', '1', '--out', at('x.txt')], 2],
    [['--base-lr', '0.1', '--max-lr', '1', '--out', at('x.csv'), '--momentum-out', at('m.npy')], 2],
    [
      ['--base-lr', '0.1', '--max-lr', '1', '--no-cycle-momentum', '--out', at('x.npy'), '--momentum-out', at('m.npy')],
      2,
    ],
    [['--base-lr', '0.1', '--max-lr', '1', '--plot', at('x.png')], 2],
    [['--base-lr', '0.1', '--max-lr', '1', '--iterations', '1e8', '--out', at('x.json')], 2],
    [
      ['--base-lr', '0.1', '--max-lr', '1', '--start', '9007199254740990', '--iterations', '10', '--out', at('x.npy')],
      2,
    ],
    [['--config', at('nope.json')], 1],
    [['--config', at('list.json'), '--out', at('x.npy')], 2],
    [['grid', '--base-lr', '0.1,0.2', '--max-lr', '1'], 2],
    [['grid', '--base-lr', '0.1,0.2', '--max-lr', '1', '--out', at('x.npy')], 2],
    [['grid', '--base-lr', '0.1,0.2', '--max-lr', '1', '--iterations', '1e8', '--out', at('x.json')], 2],
    [['grid', '--base-lr', '0.1,0.2', '--max-lr', '1', '--step-size-up', '0,5', '--out', at('x.npz')], 2],
    [['--base-lr', '0.1', '--max-lr', '1', '--out', at('no/dir/x.npy')], 1],
  ])('%j → exit %i', async (argv, code) => {
    writeFileSync(at('list.json'), JSON.stringify([{ baseLr: 0.1, maxLr: 1 }]));
    writeFileSync(at('badconfig.json'), '3');
    expect(await main(argv)).toBe(code);
    expect(out.startsWith('cyclic-lr: ')).toBe(true);
    expect(existsSync(at('x.npy')) || existsSync(at('x.json')) || existsSync(at('x.npz'))).toBe(false);
  });

  it('a grid whose configs differ in groups or momentum is refused', async () => {
    writeFileSync(
      at('mixed.json'),
      JSON.stringify([
        { baseLr: 0.1, maxLr: 1 },
        { baseLr: [0.1, 0.2], maxLr: 1 },
      ]),
    );
    expect(await main(['grid', '--config', at('mixed.json'), '--out', at('x.npz')])).toBe(2);
    writeFileSync(
      at('mixed2.json'),
      JSON.stringify([
        { baseLr: 0.1, maxLr: 1 },
        { baseLr: 0.1, maxLr: 1, cycleMomentum: false },
      ]),
    );
    expect(await main(['grid', '--config', at('mixed2.json'), '--out', at('x.npz')])).toBe(2);
    writeFileSync(at('three.json'), '3');
    expect(await main(['--config', at('three.json')])).toBe(2);
  });
});

describe('main(argv) with more than one chunk of .json', () => {
  it('writes 1.1e6 iterations (9 chunks of 2^17) to .json', async () => {
    expect(
      await main([
        '--base-lr',
        '0.1',
        '--max-lr',
        '1',
        '--no-cycle-momentum',
        '--iterations',
        '1.1e6',
        '--out',
        at('long.json'),
        '--quiet',
      ]),
    ).toBe(0);
    const j = JSON.parse(readFileSync(at('long.json'), 'utf8'));
    expect(j.lr[0]).toHaveLength(1_100_000);
    expect(
      Object.is(j.lr[0][1_099_999], schedule({ baseLr: 0.1, maxLr: 1 }, { start: 1_099_999, length: 1 }).lr[0][0]),
    ).toBe(true);
  });
});
