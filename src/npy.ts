// NumPy's .npy (format 1.0) and .npz (a zip of .npy, stored) writers for the CLI: headers, positional
// writes of rows, CRC-32, zip64 when an entry passes 4 GiB. Node only (fs).
import { readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** NumPy descr of an element type: little-endian float64/float32, or unicode of n characters */
export type Descr = '<f8' | '<f4' | `<U${number}`;

/** The .npy 1.0 header for an array of `shape` (C order), padded so data starts at a multiple of 64. */
export function npyHeader(descr: Descr, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const headerLen = total - 10;
  if (headerLen > 65535) throw new Error('npy header too long');
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, headerLen & 0xff, headerLen >> 8]);
  const text = `${dict + ' '.repeat(total - unpadded)}\n`;
  for (let k = 0; k < text.length; k++) out[10 + k] = text.charCodeAt(k);
  return out;
}

/** UCS-4 little-endian bytes of strings padded to the longest: a NumPy '<U{n}' array */
export function unicodeArray(strings: readonly string[]): { descr: Descr; bytes: Uint8Array } {
  const cps = strings.map((s) => Array.from(s, (ch) => ch.codePointAt(0)!));
  const n = Math.max(1, ...cps.map((c) => c.length));
  const u32 = new Uint32Array(strings.length * n);
  cps.forEach((c, k) => u32.set(c, k * n));
  return { descr: `<U${n}`, bytes: new Uint8Array(u32.buffer) };
}

/** writes all of `data` at `position` of fd */
export function writeAt(fd: number, data: ArrayBufferView, position: number): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** CRC-32 of bytes [from, to) of a file, read back in pieces (the data was written out of order) */
export function crcOfRange(fd: number, from: number, to: number): number {
  const buf = Buffer.allocUnsafe(1 << 22);
  let crc = 0;
  for (let at = from; at < to; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, to - at), at);
    if (n <= 0) throw new Error('short read computing a CRC');
    crc = crc32(buf.subarray(0, n), crc);
    at += n;
  }
  return crc;
}

/** One array of a .npz: its name (without .npy), header, and where its data goes once laid out. */
export interface NpzEntry {
  name: string;
  header: Uint8Array;
  dataBytes: number;
  /** file offset of the data, set by layoutNpz */
  dataAt: number;
  headerAt: number;
}

const ZIP64_LOCAL_EXTRA = 20;

/**
 * Lays out stored (uncompressed) zip entries: each is local header + name + zip64 extra + npy header + data.
 * Returns the entries with their data offsets and the offset where the central directory goes.
 */
export function layoutNpz(arrays: { name: string; header: Uint8Array; dataBytes: number }[]): {
  entries: NpzEntry[];
  end: number;
} {
  let at = 0;
  const entries = arrays.map((a) => {
    const fileName = `${a.name}.npy`;
    const headerAt = at;
    const dataAt = at + 30 + fileName.length + ZIP64_LOCAL_EXTRA + a.header.length;
    at = dataAt + a.dataBytes;
    return { ...a, headerAt, dataAt };
  });
  return { entries, end: at };
}

const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1; // a fixed timestamp: reproducible files

/** Writes the local headers (with the entries' CRC-32 over npy header + data) and the zip64 central directory. */
export function finishNpz(fd: number, entries: NpzEntry[], end: number): void {
  const central: Buffer[] = [];
  for (const e of entries) {
    const fileName = Buffer.from(`${e.name}.npy`);
    const size = e.header.length + e.dataBytes;
    writeAt(fd, e.header, e.dataAt - e.header.length);
    const crc = crcOfRange(fd, e.dataAt - e.header.length, e.dataAt + e.dataBytes);
    const local = Buffer.alloc(30 + fileName.length + ZIP64_LOCAL_EXTRA);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4); // version needed: zip64
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(0xffffffff, 18);
    local.writeUInt32LE(0xffffffff, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(ZIP64_LOCAL_EXTRA, 28);
    fileName.copy(local, 30);
    const x = 30 + fileName.length;
    local.writeUInt16LE(0x0001, x);
    local.writeUInt16LE(16, x + 2);
    local.writeBigUInt64LE(BigInt(size), x + 4);
    local.writeBigUInt64LE(BigInt(size), x + 12);
    writeAt(fd, local, e.headerAt);
    const cd = Buffer.alloc(46 + fileName.length + 28);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(45, 4);
    cd.writeUInt16LE(45, 6);
    cd.writeUInt16LE(0, 8);
    cd.writeUInt16LE(0, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(0xffffffff, 20);
    cd.writeUInt32LE(0xffffffff, 24);
    cd.writeUInt16LE(fileName.length, 28);
    cd.writeUInt16LE(28, 30);
    cd.writeUInt32LE(0xffffffff, 42);
    fileName.copy(cd, 46);
    const y = 46 + fileName.length;
    cd.writeUInt16LE(0x0001, y);
    cd.writeUInt16LE(24, y + 2);
    cd.writeBigUInt64LE(BigInt(size), y + 4);
    cd.writeBigUInt64LE(BigInt(size), y + 12);
    cd.writeBigUInt64LE(BigInt(e.headerAt), y + 20);
    central.push(cd);
  }
  const dir = Buffer.concat(central);
  writeAt(fd, dir, end);
  const eocd64 = Buffer.alloc(56 + 20 + 22);
  eocd64.writeUInt32LE(0x06064b50, 0);
  eocd64.writeBigUInt64LE(44n, 4);
  eocd64.writeUInt16LE(45, 12);
  eocd64.writeUInt16LE(45, 14);
  eocd64.writeBigUInt64LE(BigInt(entries.length), 24);
  eocd64.writeBigUInt64LE(BigInt(entries.length), 32);
  eocd64.writeBigUInt64LE(BigInt(dir.length), 40);
  eocd64.writeBigUInt64LE(BigInt(end), 48);
  eocd64.writeUInt32LE(0x07064b50, 56);
  eocd64.writeBigUInt64LE(BigInt(end + dir.length), 64);
  eocd64.writeUInt32LE(1, 72);
  eocd64.writeUInt32LE(0x06054b50, 76);
  eocd64.writeUInt16LE(0xffff, 84);
  eocd64.writeUInt16LE(0xffff, 86);
  eocd64.writeUInt32LE(0xffffffff, 88);
  eocd64.writeUInt32LE(0xffffffff, 92);
  writeAt(fd, eocd64, end + dir.length);
}
