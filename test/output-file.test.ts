// The one writer (src/output-file.ts) under injected failures: short writes, writes of 0 bytes, ENOSPC, EDQUOT,
// EIO at each step (write, fsync, close, rename, folder fsync), EAGAIN and EPIPE on stdout, signals.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  abortAll,
  checkSpace,
  checkTarget,
  commitAll,
  failure,
  guardSignals,
  type Io,
  Interrupted,
  interruption,
  liveFiles,
  OutputError,
  OutputFile,
  ReaderGone,
  sameFile,
  StdoutWriter,
} from '../src/output-file.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'cyclic-lr-writer-'));
const errno = (code: string) => Object.assign(new Error(`${code}: injected, write`), { code });
/** node:fs with some calls replaced */
const io = (over: Partial<Io>): Io => ({ ...fs, ...over }) as Io;
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('OutputFile writes everything or nothing', () => {
  it('loops on short writes (1 byte at a time) until every byte is written', () => {
    const dir = tmp();
    const calls: number[] = [];
    const short = io({
      writeSync: ((fd: number, b: Uint8Array, off: number, _len: number, pos: number) => {
        calls.push(pos);
        return fs.writeSync(fd, b, off, 1, pos);
      }) as Io['writeSync'],
    });
    const f = new OutputFile(checkTarget(path.join(dir, 'a.txt')), short);
    f.append('hello');
    f.writeAt(new Uint8Array([0x21]), 5);
    f.append(new Uint16Array([0x3f3f]));
    expect(f.size).toBe(8);
    commitAll([f]);
    expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('hello!??');
    expect(calls).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it.each([
    ['a write of 0 bytes (no progress) is ENOSPC', (): number => 0, /no space left on device \(ENOSPC\)/],
    [
      'ENOSPC',
      (): number => {
        throw errno('ENOSPC');
      },
      /no space left on device \(ENOSPC\)/,
    ],
    [
      'EDQUOT',
      () => {
        throw errno('EDQUOT');
      },
      /disk quota exceeded \(EDQUOT\)/,
    ],
    [
      'EIO',
      () => {
        throw errno('EIO');
      },
      /input\/output error \(EIO\)/,
    ],
    [
      'an unknown code',
      () => {
        throw errno('EWHATEVER');
      },
      /EWHATEVER: injected \(EWHATEVER\)/,
    ],
  ] as const)(
    '%s: an OutputError naming the requested path; abort removes the temporary file',
    (_w, write, message) => {
      const dir = tmp();
      writeFileSync(path.join(dir, 'a.csv'), 'old');
      const f = new OutputFile(checkTarget(path.join(dir, 'a.csv')), io({ writeSync: write as Io['writeSync'] }));
      const e = thrown(() => f.append('data'));
      expect(e).toBeInstanceOf(OutputError);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).toContain(`cannot write ${path.join(dir, 'a.csv')}:`);
      expect((e as Error).message).not.toMatch(/\.tmp/);
      f.abort();
      f.abort(); // idempotent
      expect(readdirSync(dir)).toEqual(['a.csv']);
      expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe('old');
    },
  );

  it.each([
    [
      'fsync',
      {
        fsyncSync: () => {
          throw errno('EIO');
        },
      },
    ],
    [
      'close',
      {
        closeSync: () => {
          throw errno('EIO');
        },
      },
    ],
    [
      'rename',
      {
        renameSync: () => {
          throw errno('EXDEV');
        },
      },
    ],
  ] as const)('a failing %s: the target is untouched and no temporary file is left', (_w, over) => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a.npy'), 'old');
    const f = new OutputFile(checkTarget(path.join(dir, 'a.npy')), io(over as Partial<Io>), true);
    f.append('new');
    expect(thrown(() => commitAll([f]))).toBeInstanceOf(OutputError);
    f.abort();
    expect(readFileSync(path.join(dir, 'a.npy'), 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('commitAll fsyncs every file before the first rename: one failing fsync replaces nothing', () => {
    const dir = tmp();
    const order: string[] = [];
    let n = 0;
    const spy = io({
      fsyncSync: ((fd: number) => {
        order.push('fsync');
        if (++n === 2) throw errno('EIO');
        fs.fsyncSync(fd);
      }) as Io['fsyncSync'],
      renameSync: ((a: string, b: string) => {
        order.push('rename');
        fs.renameSync(a, b);
      }) as Io['renameSync'],
    });
    const a = new OutputFile(checkTarget(path.join(dir, 'a.npy')), spy, true);
    const b = new OutputFile(checkTarget(path.join(dir, 'b.npy')), spy, true);
    a.append('a');
    b.append('b');
    expect(thrown(() => commitAll([a, b]))).toBeInstanceOf(OutputError);
    expect(order).toEqual(['fsync', 'fsync']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after the rename the folder is fsynced; EINVAL there (a file system without it) is not an error', () => {
    const dir = tmp();
    const synced: string[] = [];
    const opened = new Map<number, string>();
    const spy = io({
      openSync: ((p: string, flags: string, mode?: number) => {
        const fd = fs.openSync(p, flags, mode);
        opened.set(fd, p);
        return fd;
      }) as Io['openSync'],
      fsyncSync: ((fd: number) => {
        synced.push(opened.get(fd)!);
        if (opened.get(fd) === dir) throw errno('EINVAL');
        fs.fsyncSync(fd);
      }) as Io['fsyncSync'],
    });
    const f = new OutputFile(checkTarget(path.join(dir, 'a.json')), spy, true);
    f.append('{}');
    commitAll([f]);
    expect(synced).toEqual([f.tmp, dir]);
    expect(readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('{}');
    synced.length = 0;
    const g = new OutputFile(checkTarget(path.join(dir, 'b.json')), spy, false); // CYCLIC_LR_FSYNC=0
    g.append('{}');
    commitAll([g]);
    expect(synced).toEqual([]);
    expect(readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe('{}');
  });

  it('EIO from the folder fsync is reported (the rename may not be durable)', () => {
    const dir = tmp();
    let k = 0;
    const f = new OutputFile(
      checkTarget(path.join(dir, 'a.json')),
      io({
        fsyncSync: ((fd: number) => {
          if (++k === 2) throw errno('EIO');
          fs.fsyncSync(fd);
        }) as Io['fsyncSync'],
      }),
      true,
    );
    f.append('{}');
    expect((thrown(() => commitAll([f])) as Error).message).toMatch(/cannot make durable .*a\.json: .*\(EIO\)/);
  });

  it('a new file gets 0666 & ~umask; a replaced file keeps its mode; writes after commit or abort throw', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'old.csv'), 'x', { mode: 0o640 });
    fs.chmodSync(path.join(dir, 'old.csv'), 0o640);
    const mask = process.umask();
    const a = new OutputFile(checkTarget(path.join(dir, 'new.csv')));
    const b = new OutputFile(checkTarget(path.join(dir, 'old.csv')));
    commitAll([a, b]);
    expect(statSync(path.join(dir, 'new.csv')).mode & 0o777).toBe(0o666 & ~mask);
    expect(statSync(path.join(dir, 'old.csv')).mode & 0o777).toBe(0o640);
    expect(thrown(() => a.append('late'))).toBeInstanceOf(OutputError);
    const c = new OutputFile(checkTarget(path.join(dir, 'c.csv')));
    c.abort();
    expect((thrown(() => c.append('late')) as Error).message).toBe(
      `cannot write ${path.join(dir, 'c.csv')}: its temporary file was removed`,
    );
    expect((thrown(() => a.append('late')) as Error).message).toBe(
      `cannot write ${path.join(dir, 'new.csv')}: already closed`,
    );
  });

  it('a temporary file that cannot be created names the requested path', () => {
    const dir = tmp();
    const t = checkTarget(path.join(dir, 'a.npy'));
    const e = thrown(
      () =>
        new OutputFile(
          t,
          io({
            openSync: (() => {
              throw errno('EMFILE');
            }) as never,
          }),
        ),
    );
    expect((e as Error).message).toBe(`cannot create ${path.join(dir, 'a.npy')}: too many open files (EMFILE)`);
  });
});

describe('checkTarget and checkSpace (before computing)', () => {
  it('a read-only folder is refused; statfs counts the outputs of one file system together', () => {
    const dir = tmp();
    const ro = io({
      accessSync: (() => {
        throw errno('EROFS');
      }) as never,
    });
    expect((thrown(() => checkTarget(path.join(dir, 'a.npy'), ro)) as Error).message).toMatch(
      /is not writable \(EROFS\)/,
    );
    const small = io({ statfsSync: (() => ({ bavail: 10, bsize: 100 })) as never });
    const a = checkTarget(path.join(dir, 'a.npy'));
    const b = checkTarget(path.join(dir, 'b.npy'));
    expect(() => checkSpace([{ target: a, bytes: 600 }], small)).not.toThrow();
    const e = thrown(() =>
      checkSpace(
        [
          { target: a, bytes: 600 },
          { target: b, bytes: 600 },
        ],
        small,
      ),
    ) as OutputError;
    expect(e.code).toBe('ENOSPC');
    expect(e.message).toContain('needs 1,200 bytes');
    expect(e.message).toContain('has 1,000 bytes free');
    const none = io({
      statfsSync: (() => {
        throw errno('ENOSYS');
      }) as never,
    });
    expect(() => checkSpace([{ target: a, bytes: 1e18 }], none)).not.toThrow();
  });

  it('sameFile: the same path spelled twice, or a hard link of an existing file', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a'), '');
    fs.linkSync(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(sameFile(checkTarget(path.join(dir, 'a')), checkTarget(path.join(dir, 'b')))).toBe(true);
    expect(sameFile(checkTarget(path.join(dir, 'x')), checkTarget(`${dir}/./x`))).toBe(true);
    expect(sameFile(checkTarget(path.join(dir, 'x')), checkTarget(path.join(dir, 'y')))).toBe(false);
    expect(() => checkTarget('')).toThrow(OutputError);
    expect(() => checkTarget('/dev/null')).toThrow(/not a regular file/);
    expect(() => checkTarget(`${dir}/`)).toThrow(/EISDIR/);
  });

  it('failure() passes OutputErrors through and falls back to EIO', () => {
    const e = new OutputError('x', 'ENOSPC');
    expect(failure('a', e)).toBe(e);
    expect(failure('a', {}).code).toBe('EIO');
  });
});

describe('signals: every temporary file is removed at once, the next write throws Interrupted', () => {
  it.each(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGTERM'] as const)('%s', (sig) => {
    const dir = tmp();
    const off = guardSignals();
    try {
      const f = new OutputFile(checkTarget(path.join(dir, 'a.npy')));
      f.append('partial');
      expect(liveFiles()).toBe(1);
      process.emit(sig as never);
      expect(interruption()).toBe(sig);
      expect(liveFiles()).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
      expect(thrown(() => f.append('more'))).toBeInstanceOf(Interrupted);
      expect(thrown(() => new StdoutWriter(io({}), 1).append('x'))).toBeInstanceOf(Interrupted);
    } finally {
      off();
      abortAll();
    }
    expect(process.listeners(sig as never)).not.toContain(off);
  });
});

describe('StdoutWriter', () => {
  it('loops on short writes, waits on EAGAIN (a full non-blocking pipe), EPIPE is ReaderGone, ENOSPC one line', () => {
    const got: string[] = [];
    let k = 0;
    const w = new StdoutWriter({
      writeSync: ((_fd: number, b: Uint8Array, off: number) => {
        if (++k === 2) throw errno('EAGAIN');
        got.push(String.fromCharCode(b[off]));
        return 1;
      }) as never,
    });
    w.append('abc');
    expect(got.join('')).toBe('abc');
    expect(w.size).toBe(3);
    const pipe = new StdoutWriter({
      writeSync: (() => {
        throw errno('EPIPE');
      }) as never,
    });
    expect(thrown(() => pipe.append('x'))).toBeInstanceOf(ReaderGone);
    const full = new StdoutWriter({ writeSync: (() => 0) as never });
    expect((thrown(() => full.append('x')) as Error).message).toBe(
      'cannot write to stdout: no space left on device (ENOSPC)',
    );
    const eio = new StdoutWriter({
      writeSync: (() => {
        throw errno('EIO');
      }) as never,
    });
    expect((thrown(() => eio.append(new Float64Array(1))) as OutputError).code).toBe('EIO');
  });
});

describe('the writer in detail (each line a contract: mutation testing kills what these do not pin)', () => {
  it('the temporary file is .NAME.PID.RANDOM.tmp beside the target', () => {
    const dir = tmp();
    const f = new OutputFile(checkTarget(path.join(dir, 'a.npy')));
    expect(path.dirname(f.tmp)).toBe(dir);
    expect(path.basename(f.tmp)).toMatch(new RegExp(`^\\.a\\.npy\\.${process.pid}\\.[0-9a-z]{6}\\.tmp$`));
    f.abort();
  });

  it('each write asks for the rest of the buffer at the right offset and position; size is the furthest byte', () => {
    const dir = tmp();
    const asked: [number, number, number][] = [];
    const f = new OutputFile(
      checkTarget(path.join(dir, 'a')),
      io({
        writeSync: ((fd: number, b: Uint8Array, off: number, len: number, pos: number) => {
          asked.push([off, len, pos]);
          return fs.writeSync(fd, b, off, Math.min(len, 2), pos);
        }) as Io['writeSync'],
      }),
    );
    f.writeAt('abcde', 10);
    expect(asked).toEqual([
      [0, 5, 10],
      [2, 3, 12],
      [4, 1, 14],
    ]);
    expect(f.size).toBe(15);
    f.writeAt('z', 0);
    expect(f.size).toBe(15);
    f.abort();
  });

  it(
    'rename() without sync() still fsyncs first; the folder fd is closed; ' +
      'ENOTSUP, EISDIR, EPERM there are ignored',
    () => {
      for (const code of ['ENOTSUP', 'EISDIR', 'EPERM', 'EINVAL']) {
        const dir = tmp();
        const events: string[] = [];
        let dirFd = -1;
        const f = new OutputFile(
          checkTarget(path.join(dir, 'a')),
          io({
            openSync: ((p: string, fl: string, m?: number) => {
              const fd = fs.openSync(p, fl, m);
              if (p === dir) dirFd = fd;
              return fd;
            }) as Io['openSync'],
            fsyncSync: ((fd: number) => {
              events.push(fd === dirFd ? 'fsync dir' : 'fsync file');
              if (fd === dirFd) throw errno(code);
            }) as Io['fsyncSync'],
            closeSync: ((fd: number) => {
              events.push(fd === dirFd ? 'close dir' : 'close file');
              fs.closeSync(fd);
            }) as Io['closeSync'],
          }),
          true,
        );
        f.append('x');
        f.rename();
        expect(events).toEqual(['fsync file', 'close file', 'fsync dir', 'close dir']);
        f.abort(); // after the rename: nothing to remove, the file stays
        expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('x');
      }
    },
  );

  it('abort() of a synced file does not close it twice; the durable default follows CYCLIC_LR_FSYNC', () => {
    const dir = tmp();
    let closes = 0;
    let syncs = 0;
    const spy = io({
      closeSync: ((fd: number) => {
        closes++;
        fs.closeSync(fd);
      }) as Io['closeSync'],
      fsyncSync: ((fd: number) => {
        syncs++;
        fs.fsyncSync(fd);
      }) as Io['fsyncSync'],
    });
    const f = new OutputFile(checkTarget(path.join(dir, 'a')), spy);
    f.sync();
    f.abort();
    expect(closes).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    const saved = process.env.CYCLIC_LR_FSYNC;
    try {
      process.env.CYCLIC_LR_FSYNC = '0';
      syncs = 0;
      commitAll([new OutputFile(checkTarget(path.join(dir, 'b')), spy)]);
      expect(syncs).toBe(0);
      delete process.env.CYCLIC_LR_FSYNC;
      commitAll([new OutputFile(checkTarget(path.join(dir, 'c')), spy)]);
      expect(syncs).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.CYCLIC_LR_FSYNC;
      else process.env.CYCLIC_LR_FSYNC = saved;
    }
  });

  it.skipIf(process.getuid?.() !== 0)('as root, a replaced file keeps its owner and group', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a'), 'old');
    fs.chownSync(path.join(dir, 'a'), 1234, 5678);
    commitAll([new OutputFile(checkTarget(path.join(dir, 'a')))]);
    const st = statSync(path.join(dir, 'a'));
    expect([st.uid, st.gid]).toEqual([1234, 5678]);
  });

  it('a failing fchmod removes the temporary file and names the target', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a'), 'old');
    const t = checkTarget(path.join(dir, 'a'));
    const e = thrown(
      () =>
        new OutputFile(
          t,
          io({
            fchmodSync: (() => {
              throw errno('EPERM');
            }) as never,
          }),
        ),
    );
    expect((e as Error).message).toBe(`cannot write ${path.join(dir, 'a')}: operation not permitted (EPERM)`);
    expect(readdirSync(dir)).toEqual(['a']);
  });

  it.each([
    ['a folder', (d: string) => fs.mkdirSync(path.join(d, 't')), 'is a folder (EISDIR)', 'EISDIR'],
    [
      'a FIFO',
      (d: string) => spawnFifo(path.join(d, 't')),
      'not a regular file (a device or a pipe: use --out - for stdout)',
      'ENOTREG',
    ],
    [
      'a dangling link',
      (d: string) => fs.symlinkSync('nowhere', path.join(d, 't')),
      'a symbolic link to a missing file (ENOENT)',
      'ENOENT',
    ],
    [
      'a link to a folder',
      (d: string) => {
        fs.mkdirSync(path.join(d, 'f'));
        fs.symlinkSync('f', path.join(d, 't'));
      },
      'is a folder (EISDIR)',
      'EISDIR',
    ],
  ] as const)('checkTarget refuses %s', (_w, make, reason, code) => {
    const dir = tmp();
    make(dir);
    const e = thrown(() => checkTarget(path.join(dir, 't'))) as OutputError;
    expect(e.message).toBe(`cannot write ${path.join(dir, 't')}: ${reason}`);
    expect(e.code).toBe(code);
  });

  it('checkTarget follows a link (the file it points to is replaced, in its folder) and keeps its mode', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 'x'), '', { mode: 0o640 });
    fs.chmodSync(path.join(dir, 'real', 'x'), 0o640);
    fs.symlinkSync('real/x', path.join(dir, 'l'));
    const t = checkTarget(path.join(dir, 'l'));
    expect([t.requested, t.file, t.dir]).toEqual([
      path.join(dir, 'l'),
      path.join(dir, 'real', 'x'),
      path.join(dir, 'real'),
    ]);
    expect(t.existing?.mode).toBe(0o640);
    expect(checkTarget(path.join(dir, 'new')).existing).toBe(null);
  });

  it(
    'checkTarget: the folder missing, not a folder, or unreadable; lstat failing; ' + 'the name at and past the limit',
    () => {
      const dir = tmp();
      const msg = (p: string, o?: Io) => (thrown(() => checkTarget(p, o)) as Error).message;
      expect(msg(`${dir}/no/x`)).toBe(`cannot write ${dir}/no/x: the folder ${dir}/no does not exist (ENOENT)`);
      writeFileSync(path.join(dir, 'f'), '');
      const stf = io({
        lstatSync: (() => {
          throw errno('ENOENT');
        }) as never,
      });
      expect(msg(`${dir}/f/x`, stf)).toBe(`cannot write ${dir}/f/x: ${dir}/f is not a folder (ENOTDIR)`);
      const acc = io({
        statSync: ((p: string) => {
          if (p === dir) throw errno('EACCES');
          return fs.statSync(p);
        }) as never,
      });
      expect(msg(`${dir}/x`, acc)).toBe(`cannot write ${dir}/x: the folder ${dir}: permission denied (EACCES)`);
      const odd = io({
        statSync: ((p: string) => {
          if (p === dir) throw errno('EODD');
          return fs.statSync(p);
        }) as never,
      });
      expect(msg(`${dir}/x`, odd)).toBe(`cannot write ${dir}/x: the folder ${dir}: EODD (EODD)`);
      const ls = io({
        lstatSync: (() => {
          throw errno('EACCES');
        }) as never,
      });
      expect(msg(`${dir}/x`, ls)).toBe(`cannot write ${dir}/x: permission denied (EACCES)`);
      const suffix = `.${''}.${4194304}.xxxxxx.tmp`.length;
      expect(() => checkTarget(`${dir}/${'a'.repeat(255 - suffix)}`)).not.toThrow();
      expect(msg(`${dir}/${'a'.repeat(256 - suffix)}`)).toMatch(
        /: the name is \d+ bytes; with the temporary suffix it passes 255 \(ENAMETOOLONG\)$/,
      );
    },
  );

  it('checkSpace: exactly the free space fits; file systems are counted apart', () => {
    const dir = tmp();
    const t = checkTarget(path.join(dir, 'a'));
    const other = { ...checkTarget(path.join(dir, 'b')), dev: t.dev + 1 };
    const small = io({ statfsSync: (() => ({ bavail: 10, bsize: 100 })) as never });
    expect(() => checkSpace([{ target: t, bytes: 1000 }], small)).not.toThrow();
    expect(() =>
      checkSpace(
        [
          { target: t, bytes: 1000 },
          { target: other, bytes: 1000 },
        ],
        small,
      ),
    ).not.toThrow();
    expect(() => checkSpace([{ target: t, bytes: 1001 }], small)).toThrow(
      /needs 1,001 bytes, and .* has 1,000 bytes free \(ENOSPC\)$/,
    );
  });

  it('sameFile: two existing files differ by inode or device; an existing and a new one by path', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a'), '');
    writeFileSync(path.join(dir, 'b'), '');
    const a = checkTarget(path.join(dir, 'a'));
    const b = checkTarget(path.join(dir, 'b'));
    expect(sameFile(a, b)).toBe(false);
    expect(sameFile(a, { ...a, existing: { ...a.existing!, dev: a.existing!.dev + 1 } })).toBe(false);
    expect(sameFile(a, checkTarget(path.join(dir, 'n')))).toBe(false);
    expect(sameFile(checkTarget(path.join(dir, 'n')), a)).toBe(false);
  });

  it('failure(): every errno the writer names, a non-Error, null', () => {
    const table: [string, string][] = [
      ['ENOSPC', 'no space left on device'],
      ['EDQUOT', 'disk quota exceeded'],
      ['EIO', 'input/output error'],
      ['EFBIG', 'file too large'],
      ['EROFS', 'read-only file system'],
      ['EACCES', 'permission denied'],
      ['ENOENT', 'no such file or folder'],
      ['ENOTDIR', 'a part of the path is not a folder'],
      ['EISDIR', 'is a folder'],
      ['ELOOP', 'too many symbolic links'],
      ['ENAMETOOLONG', 'name too long'],
      ['EXDEV', 'not on the same file system'],
      ['ENFILE', 'too many open files'],
      ['EAGAIN', 'resource temporarily unavailable'],
    ];
    for (const [code, reason] of table)
      expect(failure('x', { code }).message).toBe(`cannot write x: ${reason} (${code})`);
    expect(failure('x', null).message).toBe('cannot write x: input/output error (EIO)');
    expect(failure('x', { code: 'EZZZ', message: 'EZZZ: odd, open' }, 'read').message).toBe(
      'cannot read x: EZZZ: odd (EZZZ)',
    );
    expect(failure('x', Object.assign('text', {}) as unknown).message).toBe('cannot write x: input/output error (EIO)');
  });

  it('guardSignals installs one listener per signal and SIGXFSZ, and the uninstaller removes them all', () => {
    const sigs = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGTERM', 'SIGXFSZ'] as const;
    const before = sigs.map((s) => process.listenerCount(s));
    const off = guardSignals();
    expect(sigs.map((s) => process.listenerCount(s))).toEqual(before.map((n) => n + 1));
    process.emit('SIGXFSZ' as never);
    expect(interruption()).toBe(null);
    process.emit('SIGINT' as never);
    process.emit('SIGTERM' as never);
    expect(interruption()).toBe('SIGINT'); // the first signal is the one reported
    off();
    expect(sigs.map((s) => process.listenerCount(s))).toEqual(before);
    expect(interruption()).toBe(null);
  });
});

function spawnFifo(p: string): void {
  const r = spawnSync('mkfifo', [p]);
  if (r.status !== 0) throw new Error('mkfifo failed');
}

describe('the writer in detail, part 2', () => {
  const counting = () => {
    const n = { close: 0, unlink: 0 };
    const spy = io({
      closeSync: ((fd: number) => {
        n.close++;
        fs.closeSync(fd);
      }) as Io['closeSync'],
      unlinkSync: ((p: string) => {
        n.unlink++;
        fs.unlinkSync(p);
      }) as Io['unlinkSync'],
    });
    return { n, spy };
  };

  it('abort() of an open file closes it once and removes it; after a commit, abort() touches nothing', () => {
    const dir = tmp();
    const { n, spy } = counting();
    const f = new OutputFile(checkTarget(path.join(dir, 'a')), spy, false);
    f.abort();
    f.abort();
    expect(n).toEqual({ close: 1, unlink: 1 });
    const g = new OutputFile(checkTarget(path.join(dir, 'b')), spy, false);
    commitAll([g]);
    expect(liveFiles()).toBe(0);
    g.abort();
    expect(n).toEqual({ close: 2, unlink: 1 });
    expect(() => g.sync()).toThrow(/already closed/);
    expect(thrown(() => f.sync())).toBeInstanceOf(OutputError);
  });

  it('readAt reads back what was written; a failing read names the target', () => {
    const dir = tmp();
    const f = new OutputFile(checkTarget(path.join(dir, 'a')));
    f.append('hello');
    const buf = new Uint8Array(3);
    expect(f.readAt(buf, 1)).toBe(3);
    expect(Buffer.from(buf).toString()).toBe('ell');
    const g = new OutputFile(
      checkTarget(path.join(dir, 'b')),
      io({
        readSync: (() => {
          throw errno('EIO');
        }) as never,
      }),
    );
    expect((thrown(() => g.readAt(buf, 0)) as Error).message).toBe(
      `cannot read back ${path.join(dir, 'b')}: input/output error (EIO)`,
    );
    f.abort();
    g.abort();
  });

  it('a folder that cannot be opened for its fsync (an ignored code) still completes the rename', () => {
    const dir = tmp();
    const f = new OutputFile(
      checkTarget(path.join(dir, 'a')),
      io({
        openSync: ((p: string, fl: string, m?: number) => {
          if (p === dir) throw errno('EPERM');
          return fs.openSync(p, fl, m);
        }) as Io['openSync'],
      }),
      true,
    );
    f.append('x');
    expect(() => commitAll([f])).not.toThrow();
    expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('x');
  });

  it('codes and names: EBADF after close, ENAMETOOLONG, ENOTDIR, an empty name, a name ending in /', () => {
    const dir = tmp();
    const f = new OutputFile(checkTarget(path.join(dir, 'a')));
    commitAll([f]);
    const e = thrown(() => f.append('x')) as OutputError;
    expect([e.name, e.code]).toEqual(['OutputError', 'EBADF']);
    const g = new OutputFile(checkTarget(path.join(dir, 'b')));
    g.abort();
    expect((thrown(() => g.append('x')) as OutputError).code).toBe('EBADF');
    expect((thrown(() => checkTarget(`${dir}/${'a'.repeat(250)}`)) as OutputError).code).toBe('ENAMETOOLONG');
    writeFileSync(path.join(dir, 'f'), '');
    const noLstat = io({
      lstatSync: (() => {
        throw errno('ENOENT');
      }) as never,
    });
    expect((thrown(() => checkTarget(`${dir}/f/x`, noLstat)) as OutputError).code).toBe('ENOTDIR');
    expect((thrown(() => checkTarget('')) as Error).message).toBe('cannot write : an empty name');
    expect((thrown(() => checkTarget('')) as OutputError).code).toBe('ENOENT');
    const slash = thrown(() => checkTarget(`${dir}/new/`)) as OutputError;
    expect([slash.message, slash.code]).toEqual([
      `cannot write ${dir}/new/: a folder name (ends with /) (EISDIR)`,
      'EISDIR',
    ]);
    expect(new Interrupted('SIGHUP').message).toBe('interrupted by SIGHUP');
  });

  it('StdoutWriter writes typed arrays as their bytes, asks for the rest of the buffer, names stdout', () => {
    const got: Buffer[] = [];
    const asked: number[] = [];
    const w = new StdoutWriter({
      writeSync: ((_fd: number, b: Uint8Array, off: number, len: number) => {
        asked.push(len);
        const k = Math.min(len, 5);
        got.push(Buffer.from(b.subarray(off, off + k)));
        return k;
      }) as never,
    });
    w.append(new Float64Array([1.5]));
    expect(Buffer.concat(got).readDoubleLE(0)).toBe(1.5);
    expect(asked).toEqual([8, 3]);
    const eio = new StdoutWriter({
      writeSync: (() => {
        throw errno('EIO');
      }) as never,
    });
    expect((thrown(() => eio.append('x')) as Error).message).toBe('cannot write to stdout: input/output error (EIO)');
  });
});
