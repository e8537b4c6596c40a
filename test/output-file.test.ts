// The one writer (src/output-file.ts) under injected failures: short writes, writes of 0 bytes, ENOSPC, EDQUOT,
// EIO at each step (write, fsync, close, rename, folder fsync), EAGAIN and EPIPE on stdout, signals.
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
    expect(thrown(() => c.append('late'))).toBeInstanceOf(Interrupted);
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
