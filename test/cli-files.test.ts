// Files: nothing partial, ever. The command line as a user runs it (node dist/cli.js) against a real full disk
// (a 20 MB tmpfs, mounted here: the tests run as root), /dev/full, every terminating signal, and the checks made
// before anything is computed.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = () => mkdtempSync(path.join(tmpdir(), 'cyclic-lr-files-'));
const S = ['--base-lr', '0.001', '--max-lr', '0.1', '--quiet'];
/** one line, naming what the user asked for, never the temporary file */
const oneLine = (stderr: string, requested: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toContain(requested);
  expect(stderr).not.toMatch(/\.tmp\b/);
};

// a real full disk: a 20 MB tmpfs
let disk = '';
let mounted = false;
beforeAll(() => {
  disk = tmp();
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', disk], { encoding: 'utf8' });
  mounted = m.status === 0;
  if (!mounted)
    console.log(`full-disk tests skipped: mount -t tmpfs failed (${(m.stderr || m.error?.message || '').trim()})`);
});
afterAll(() => {
  if (mounted) spawnSync('umount', [disk]);
});
const clean = () => {
  for (const f of readdirSync(disk)) rmSync(path.join(disk, f), { recursive: true, force: true });
};
/** fills the tmpfs but `left` bytes */
const fill = (left: number) => {
  const st = spawnSync('df', ['-B1', '--output=avail', disk], { encoding: 'utf8' });
  const avail = Number(st.stdout.trim().split('\n')[1]);
  writeFileSync(path.join(disk, 'filler'), Buffer.alloc(Math.max(0, avail - left)));
};

describe('a full disk: exit 1 with one line naming the file, the old file untouched, no temporary file', () => {
  it.each([
    ['.json', [...S, '--iterations', '1e6', '--out', 's.json']],
    ['.csv', [...S, '--iterations', '1e6', '--out', 's.csv']],
    ['grid .json', ['grid', ...S, '--max-lr', '0.1,1', '--iterations', '1e6', '--out', 's.json']],
  ])('%s of more than 20 MB on a 20 MB disk', (_what, args) => {
    if (!mounted) return;
    clean();
    const target = args[args.length - 1];
    writeFileSync(path.join(disk, target), '{"valid": "old"}');
    const r = run(args, disk);
    expect(r.code).toBe(1);
    oneLine(r.stderr, target);
    expect(r.stderr).toMatch(/no space left on device \(ENOSPC\)/);
    expect(readFileSync(path.join(disk, target), 'utf8')).toBe('{"valid": "old"}');
    expect(readdirSync(disk)).toEqual([target]);
  });

  it('.svg on a disk with 8 KB left (the chart is ~40 KB)', () => {
    if (!mounted) return;
    clean();
    fill(8192);
    const r = run([...S, '--iterations', '1e5', '--plot', 'x.svg'], disk);
    expect(r.code).toBe(1);
    oneLine(r.stderr, 'x.svg');
    expect(readdirSync(disk)).toEqual(['filler']);
  });

  it.each([
    ['.npy', [...S, '--iterations', '3e6', '--out', 'a.npy'], '24,000,128'],
    [
      '.npy + --momentum-out (summed)',
      [...S, '--iterations', '1.5e6', '--out', 'a.npy', '--momentum-out', 'm.npy'],
      '24,000,256',
    ],
    ['.npz', [...S, '--iterations', '2e6', '--out', 'a.npz'], ''],
    ['.csv (at least 2 bytes a value)', [...S, '--groups', '200', '--iterations', '1e5', '--out', 'a.csv'], ''],
    ['grid .npz', ['grid', ...S, '--max-lr', '0.1,1', '--iterations', '2e6', '--out', 'g.npz'], ''],
  ])('%s larger than the free space is refused before computing, both numbers in the message', (_w, args, need) => {
    if (!mounted) return;
    clean();
    const r = run(args, disk);
    expect(r.code).toBe(1);
    oneLine(r.stderr, args[args.indexOf('--out') + 1]);
    expect(r.stderr).toMatch(/needs [\d,]+ bytes, and .* has [\d,]+ bytes free \(ENOSPC\)/);
    if (need) expect(r.stderr).toContain(`needs ${need} bytes`);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('CSV on stdout to /dev/full: exit 1, one line', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ${S.join(' ')} --iterations 1e4 > /dev/full`], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot write to stdout: no space left on device \(ENOSPC\)/);
  });

  it('ulimit -f (SIGXFSZ): exit 1, EFBIG, no temporary file left', () => {
    const dir = tmp();
    const r = spawnSync(
      'bash',
      ['-c', `ulimit -f 64; exec "${process.execPath}" "${CLI}" ${S.join(' ')} --iterations 1e6 --out big.npy`],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write big\.npy: file too large \(EFBIG\)/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

/** starts a long CSV write and resolves once its temporary file holds `bytes` */
async function midWrite(dir: string, bytes = 1 << 20) {
  const child = spawn(process.execPath, [CLI, ...S, '--iterations', '1e8', '--chunk', '100000', '--out', 's.csv'], {
    cwd: dir,
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  for (;;) {
    const t = readdirSync(dir).find((f) => f.endsWith('.tmp'));
    if (t && existsSync(path.join(dir, t)) && statSync(path.join(dir, t)).size >= bytes) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, exited, stderr: () => err };
}

describe('a signal mid-write: the temporary file is removed, the old file untouched, exit 128 + n', () => {
  it.each([
    ['SIGHUP', 129],
    ['SIGINT', 130],
    ['SIGQUIT', 131],
    ['SIGUSR2', 140],
    ['SIGALRM', 142],
    ['SIGTERM', 143],
  ] as const)('%s → exit %i', async (signal, code) => {
    const dir = tmp();
    writeFileSync(path.join(dir, 's.csv'), 'old');
    const w = await midWrite(dir);
    w.child.kill(signal);
    expect(await w.exited).toBe(code);
    expect(w.stderr()).toMatch(new RegExp(`interrupted by ${signal}; nothing written`));
    expect(readFileSync(path.join(dir, 's.csv'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['s.csv']);
  });
});

describe('checked before computing: one line naming the requested path, nothing created', () => {
  it.each([
    ['--out names a folder', () => mkdirSync('dir.npy'), ['--out', 'dir.npy'], 1, /dir\.npy: is a folder/],
    [
      'a folder of the path is missing (missing/../x.npy)',
      () => {},
      ['--out', 'missing/../x.npy'],
      1,
      /missing\/\.\. does not exist/,
    ],
    [
      'the name with the temporary suffix passes 255 bytes',
      () => {},
      ['--out', `${'a'.repeat(240)}.npy`],
      1,
      /ENAMETOOLONG/,
    ],
    [
      'the folder is a file',
      () => writeFileSync('f', ''),
      ['--out', 'f/x.npy'],
      1,
      /cannot write f\/x\.npy: .*\(ENOTDIR\)/,
    ],
    [
      '--out and --momentum-out name the same file',
      () => {},
      ['--out', 'a.npy', '--momentum-out', 'a.npy'],
      2,
      /--momentum-out a\.npy names the same file as --out a\.npy/,
    ],
    [
      '--plot is a symbolic link to --out',
      () => {
        writeFileSync('a.npy', '');
        symlinkSync('a.npy', 'p.svg');
      },
      ['--out', 'a.npy', '--plot', 'p.svg'],
      2,
      /same file/,
    ],
    [
      'a dangling symbolic link',
      () => symlinkSync('nowhere/x', 'l.npy'),
      ['--out', 'l.npy'],
      1,
      /symbolic link to a missing file/,
    ],
  ] as const)('%s', (_what, setup, args, code, message) => {
    const dir = tmp();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      setup();
    } finally {
      process.chdir(cwd);
    }
    const before = readdirSync(dir).sort();
    const r = run([...S, '--iterations', '5e7', ...args], dir);
    expect(r.code).toBe(code);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\.tmp\b|\n\s+at /);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('replacing a file: its permissions kept, a symbolic link followed, a hard link keeps the old bytes', () => {
  it('a 600 file stays 600; a 755 one stays 755', () => {
    const dir = tmp();
    for (const mode of [0o600, 0o755]) {
      writeFileSync(path.join(dir, 's.csv'), 'old');
      chmodSync(path.join(dir, 's.csv'), mode);
      expect(run([...S, '--iterations', '5', '--out', 's.csv'], dir).code).toBe(0);
      expect(statSync(path.join(dir, 's.csv')).mode & 0o777).toBe(mode);
      expect(readFileSync(path.join(dir, 's.csv'), 'utf8')).toMatch(/^iteration,lr_0/);
    }
  });

  it('a symbolic link stays a link; the file it points to is replaced', () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 's.csv'), 'old');
    symlinkSync('real/s.csv', path.join(dir, 'link.csv'));
    expect(run([...S, '--iterations', '5', '--out', 'link.csv'], dir).code).toBe(0);
    expect(readFileSync(path.join(dir, 'real', 's.csv'), 'utf8')).toMatch(/^iteration/);
    expect(readdirSync(path.join(dir, 'real'))).toEqual(['s.csv']);
    expect(lstatSync(path.join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
  });

  it('another hard link of the replaced file keeps the old bytes (the name is replaced, not the inode)', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 's.csv'), 'old');
    linkSync(path.join(dir, 's.csv'), path.join(dir, 'other.csv'));
    expect(run([...S, '--iterations', '5', '--out', 's.csv'], dir).code).toBe(0);
    expect(readFileSync(path.join(dir, 'other.csv'), 'utf8')).toBe('old');
    expect(readFileSync(path.join(dir, 's.csv'), 'utf8')).toMatch(/^iteration/);
  });
});
