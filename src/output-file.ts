// The one writer every output of the CLI goes through: nothing partial, ever. A file is written to a temporary
// name beside its target (every write looped until complete; ENOSPC, EDQUOT, EIO… are errors), fsync'ed, renamed
// into place, and its folder fsync'ed (the durable rename of SQLite and PostgreSQL). On an error or a signal the
// temporary file is removed and the target is untouched. Stdout gets the same loop and the same messages.
import * as nodeFs from 'node:fs';
import path from 'node:path';

/** The file-system calls the writer makes (node:fs by default; tests inject failures). */
export type Io = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'readSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'fchmodSync'
  | 'fchownSync'
  | 'statSync'
  | 'lstatSync'
  | 'realpathSync'
  | 'accessSync'
  | 'statfsSync'
>;
const fsIo: Io = nodeFs;

/** A file-system failure, its message naming the path the user asked for (never the temporary name): exit 1. */
export class OutputError extends Error {
  /** @throws never */
  constructor(
    message: string,
    /** the errno code (`ENOSPC`, `EACCES`…) or a code of the writer's own (`ENOTFOLDER`, `ENAMETOOLONG`…) */
    readonly code: string,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

/** The reader of stdout went away (`| head`): the command ends quietly. */
export class ReaderGone extends Error {}

/** A terminating signal arrived: every temporary file is already removed. */
export class Interrupted extends Error {
  /** @throws never */
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EXDEV: 'not on the same file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EAGAIN: 'resource temporarily unavailable',
};

/** One line for an fs error about `what`: `cannot write s.csv: no space left on device (ENOSPC)`. */
export function failure(what: string, e: unknown, verb = 'write'): OutputError {
  if (e instanceof OutputError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code ?? 'EIO';
  const reason = Object.hasOwn(REASONS, code) ? REASONS[code] : ((e as Error).message ?? String(e)).split(',')[0];
  return new OutputError(`cannot ${verb} ${what}: ${reason} (${code})`, code);
}

/** the longest file name (bytes) Linux, macOS and Windows file systems take */
export const NAME_MAX = 255;
/** the temporary name's suffix beside the target: `.NAME.PID.RANDOM.tmp` */
const tempName = (base: string, pid: number, rand: string) => `.${base}.${pid}.${rand}.tmp`;
const TEMP_EXTRA = Buffer.byteLength(tempName('', 4194304, 'xxxxxx'));

/** What checkTarget() found: where the bytes go, and the mode/owner a replaced file keeps. */
export interface Target {
  /** the path as the user wrote it (messages name it) */
  readonly requested: string;
  /** the file that is replaced: the requested path, or where its symbolic link points */
  readonly file: string;
  /** the folder of `file`, as written (not normalized: `missing/..` must exist) */
  readonly dir: string;
  /** device of the folder (free space is counted per file system) */
  readonly dev: number;
  /** the replaced file's mode, uid and gid; null for a new file */
  readonly existing: { mode: number; uid: number; gid: number; dev: number; ino: number } | null;
}

/**
 * Checks, before anything is computed, that `requested` can be written: not a folder nor a device or pipe (use
 * `--out -` for stdout), its folder exists and is writable, the name with the temporary suffix fits. A symbolic
 * link is followed (the file it points to is replaced, the link stays); a dangling one is refused.
 * @throws {OutputError} naming `requested`
 * @example
 * const t = checkTarget('schedule.npy');
 */
export function checkTarget(requested: string, io: Io = fsIo): Target {
  const fail = (reason: string, code: string) => new OutputError(`cannot write ${requested}: ${reason}`, code);
  if (requested === '') throw fail('an empty name', 'ENOENT');
  let file = requested;
  let st: nodeFs.Stats | undefined;
  try {
    st = io.lstatSync(requested);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw failure(requested, e);
  }
  if (st?.isSymbolicLink()) {
    try {
      file = io.realpathSync(requested);
    } catch (e) {
      throw fail(`a symbolic link to a missing file (${(e as NodeJS.ErrnoException).code})`, 'ENOENT');
    }
    st = io.statSync(file);
  }
  if (st?.isDirectory()) throw fail('is a folder (EISDIR)', 'EISDIR');
  if (st && !st.isFile()) throw fail('not a regular file (a device or a pipe: use --out - for stdout)', 'ENOTREG');
  if (file.endsWith('/')) throw fail('a folder name (ends with /) (EISDIR)', 'EISDIR');
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (Buffer.byteLength(base) + TEMP_EXTRA > NAME_MAX)
    throw fail(
      `the name is ${Buffer.byteLength(base)} bytes; with the temporary suffix it passes ${NAME_MAX} (ENAMETOOLONG)`,
      'ENAMETOOLONG',
    );
  let d: nodeFs.Stats;
  try {
    d = io.statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const why = code === 'ENOENT' ? ' does not exist' : `: ${Object.hasOwn(REASONS, code) ? REASONS[code] : code}`;
    throw fail(`the folder ${dir}${why} (${code})`, code);
  }
  if (!d.isDirectory()) throw fail(`${dir} is not a folder (ENOTDIR)`, 'ENOTDIR');
  try {
    io.accessSync(dir, nodeFs.constants.W_OK | nodeFs.constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EACCES';
    throw fail(`the folder ${dir} is not writable (${code})`, code);
  }
  const existing = st ? { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, dev: st.dev, ino: st.ino } : null;
  return { requested, file, dir, dev: d.dev, existing };
}

/**
 * Refuses, before computing, outputs whose size is known to pass the free space of their file system (both
 * numbers in the message); outputs on one file system are summed. `bytes` may be a lower bound (CSV).
 * @throws {OutputError} `ENOSPC` naming the first output of the full file system
 * @example
 * checkSpace([{ target: checkTarget('a.npy'), bytes: 8e6 }]);
 */
export function checkSpace(wants: readonly { target: Target; bytes: number }[], io: Io = fsIo): void {
  const byDev = new Map<number, { target: Target; bytes: number }>();
  for (const w of wants) {
    const seen = byDev.get(w.target.dev);
    if (seen) seen.bytes += w.bytes;
    else byDev.set(w.target.dev, { target: w.target, bytes: w.bytes });
  }
  for (const { target, bytes } of byDev.values()) {
    let free: number;
    try {
      const s = io.statfsSync(target.dir);
      free = Number(s.bavail) * Number(s.bsize);
    } catch {
      continue; // no statfs here: the writer still reports a full disk when it happens
    }
    if (bytes > free)
      throw new OutputError(
        `cannot write ${target.requested}: it needs ${bytes.toLocaleString('en-US')} bytes, ` +
          `and ${target.dir} has ${free.toLocaleString('en-US')} bytes free (ENOSPC)`,
        'ENOSPC',
      );
  }
}

/** the same file named twice (`--out a.npy --momentum-out a.npy`, a symlink to it, a hard link) */
export function sameFile(a: Target, b: Target): boolean {
  if (a.existing && b.existing) return a.existing.dev === b.existing.dev && a.existing.ino === b.existing.ino;
  return path.resolve(a.file) === path.resolve(b.file);
}

const live = new Set<OutputFile>();

/**
 * A file being written: bytes go to `.NAME.PID.RANDOM.tmp` beside the target until commit() renames it into
 * place; abort() (or a signal) removes it. Sequential writes with append(), positional ones with writeAt().
 */
export class OutputFile {
  readonly tmp: string;
  private fd: number;
  private state: 'open' | 'synced' | 'done' | 'aborted' = 'open';
  /** bytes written so far at the end of the file (append's position) */
  size = 0;

  /** @throws {OutputError} when the temporary file cannot be created */
  constructor(
    readonly target: Target,
    private readonly io: Io = fsIo,
    /** fsync the file and its folder (default; `CYCLIC_LR_FSYNC=0` skips both: tests, scratch outputs) */
    private readonly durable = process.env.CYCLIC_LR_FSYNC !== '0',
  ) {
    const rand = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
    // string concatenation, not path.join: `missing/..` must stay as written
    this.tmp = `${target.dir}/${tempName(path.basename(target.file), process.pid, rand)}`;
    try {
      this.fd = io.openSync(this.tmp, 'wx+', 0o666);
    } catch (e) {
      throw failure(target.requested, e, 'create');
    }
    live.add(this);
    const old = target.existing;
    if (old) {
      try {
        io.fchmodSync(this.fd, old.mode); // the replaced file's permissions, not the umask's
        if (process.getuid?.() === 0) io.fchownSync(this.fd, old.uid, old.gid);
      } catch (e) {
        this.abort();
        throw failure(target.requested, e);
      }
    }
  }

  private check(): void {
    if (this.state === 'aborted') {
      if (interruptedBy) throw new Interrupted(interruptedBy);
      throw new OutputError(`cannot write ${this.target.requested}: its temporary file was removed`, 'EBADF');
    }
    if (this.state !== 'open') throw new OutputError(`cannot write ${this.target.requested}: already closed`, 'EBADF');
  }

  /** Writes all of `data` at `position`, looping on short writes; a write that makes no progress is ENOSPC. */
  writeAt(data: ArrayBufferView | string, position: number): void {
    this.check();
    const bytes =
      typeof data === 'string' ? Buffer.from(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) {
      let n: number;
      try {
        n = this.io.writeSync(this.fd, bytes, done, bytes.length - done, position + done);
      } catch (e) {
        throw failure(this.target.requested, e);
      }
      if (!(n > 0)) throw failure(this.target.requested, { code: 'ENOSPC' });
      done += n;
    }
    if (position + done > this.size) this.size = position + done;
  }

  /** Writes `data` at the end. */
  append(data: ArrayBufferView | string): void {
    this.writeAt(data, this.size);
  }

  /** Reads bytes back (the .npz CRC); returns the count read. */
  readAt(buf: Uint8Array, position: number): number {
    this.check();
    try {
      return this.io.readSync(this.fd, buf, 0, buf.length, position);
    } catch (e) {
      throw failure(this.target.requested, e, 'read back');
    }
  }

  /** fsync and close: the bytes are on the disk under the temporary name. */
  sync(): void {
    this.check();
    try {
      if (this.durable) this.io.fsyncSync(this.fd);
      this.io.closeSync(this.fd);
    } catch (e) {
      throw failure(this.target.requested, e);
    }
    this.state = 'synced';
  }

  /** Renames the synced file into place, then fsyncs its folder so the rename is durable. */
  rename(): void {
    if (this.state !== 'synced') this.sync();
    try {
      this.io.renameSync(this.tmp, this.target.file);
    } catch (e) {
      throw failure(this.target.requested, e);
    }
    this.state = 'done';
    live.delete(this);
    if (!this.durable) return;
    let dfd: number | undefined;
    try {
      dfd = this.io.openSync(this.target.dir, 'r');
      this.io.fsyncSync(dfd);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM')
        throw failure(this.target.requested, e, 'make durable');
    } finally {
      if (dfd !== undefined) this.io.closeSync(dfd);
    }
  }

  /** Removes the temporary file (idempotent; never throws). */
  abort(): void {
    if (this.state === 'done' || this.state === 'aborted') return;
    if (this.state === 'open')
      try {
        this.io.closeSync(this.fd);
      } catch {
        /* already closed */
      }
    this.state = 'aborted';
    live.delete(this);
    try {
      this.io.unlinkSync(this.tmp);
    } catch {
      /* gone */
    }
  }
}

/**
 * Commits files as one: every file is fsync'ed first, then each is renamed into place. On an error before the
 * first rename, nothing is replaced.
 * @throws {OutputError} the first failure; the files not yet renamed are removed
 */
export function commitAll(files: readonly OutputFile[]): void {
  try {
    for (const f of files) f.sync();
    for (const f of files) f.rename();
  } catch (e) {
    abortAll();
    throw e;
  }
}

/** Removes every temporary file still open (on an error or a signal). */
export function abortAll(): void {
  for (const f of [...live]) f.abort();
}

/** the temporary files being written now (tests) */
export const liveFiles = (): number => live.size;

/** The terminating signals Node lets a program catch, with their numbers (exit code 128 + number). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGUSR2: 12,
  SIGALRM: 14,
  SIGTERM: 15,
};

let interruptedBy: NodeJS.Signals | null = null;

/** The signal that interrupted the run, if one did. */
export const interruption = (): NodeJS.Signals | null => interruptedBy;

/**
 * Installs handlers for SIGNALS: the first removes every temporary file at once and records the signal (the
 * next write throws Interrupted). SIGXFSZ (`ulimit -f`) is ignored, so a write past the limit fails with
 * EFBIG and is cleaned up like a full disk. Returns the uninstaller.
 * @throws never
 * @example
 * const off = guardSignals(); try { … } finally { off(); }
 */
export function guardSignals(): () => void {
  interruptedBy = null;
  const handlers: [NodeJS.Signals, () => void][] = Object.keys(SIGNALS).map((s) => {
    const sig = s as NodeJS.Signals;
    return [
      sig,
      () => {
        interruptedBy ??= sig;
        abortAll();
      },
    ];
  });
  const ignore = () => {};
  handlers.push(['SIGXFSZ', ignore]);
  for (const [sig, h] of handlers) process.on(sig, h);
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
    interruptedBy = null;
  };
}

/** Stdout as an output: the same write loop and messages; EAGAIN waits, EPIPE (the reader left) is ReaderGone. */
export class StdoutWriter {
  size = 0;
  /** @throws never */
  constructor(
    private readonly io: Pick<Io, 'writeSync'> = fsIo,
    private readonly fd = 1,
  ) {}

  /** Writes all of `data`; throws OutputError (ENOSPC, EIO…), ReaderGone (EPIPE) or Interrupted. */
  append(data: ArrayBufferView | string): void {
    if (interruptedBy) throw new Interrupted(interruptedBy);
    const bytes =
      typeof data === 'string' ? Buffer.from(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    let waits = 0;
    while (done < bytes.length) {
      let n: number;
      try {
        n = this.io.writeSync(this.fd, bytes, done, bytes.length - done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') throw new ReaderGone('stdout closed');
        if (code === 'EAGAIN' && waits++ < 60_000) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // a non-blocking pipe is full: 1 ms
          continue;
        }
        throw failure('to stdout', e);
      }
      if (!(n > 0)) throw failure('to stdout', { code: 'ENOSPC' });
      done += n;
      waits = 0;
    }
    this.size += done;
  }
}
