// NumPy's .npy (format 1.0) and .npz (a zip of .npy, stored, zip64) layouts as bytes: pure, no I/O (the web page
// imports it too). The CLI's npz sink (src/output-sinks.ts) writes them and computes the CRC-32s.

/** NumPy descr of an element type: little-endian float64/float32, or unicode of n characters */
export type Descr = '<f8' | '<f4' | `<U${number}`;

/**
 * The .npy 1.0 header for an array of `shape` (C order, or Fortran order: the first index varies fastest),
 * padded so data starts at a multiple of 64.
 * @throws {Error} when the header would pass 65535 bytes (a shape of thousands of dimensions)
 * @example
 * npyHeader('<f8', [2, 1000]).length; // 128
 */
export function npyHeader(descr: Descr, shape: readonly number[], fortranOrder = false): Uint8Array {
  const order = fortranOrder ? 'True' : 'False';
  const dims = `${shape.join(', ')}${shape.length === 1 ? ',' : ''}`;
  const dict = `{'descr': '${descr}', 'fortran_order': ${order}, 'shape': (${dims}), }`;
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
  let n = 1;
  for (const c of cps) if (c.length > n) n = c.length; // a loop: never spread an unbounded list into a call
  const u32 = new Uint32Array(strings.length * n);
  cps.forEach((c, k) => u32.set(c, k * n));
  return { descr: `<U${n}`, bytes: new Uint8Array(u32.buffer) };
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

/** The zip64 local file header of `e` (written at `e.headerAt`), given the CRC-32 of its npy header + data. */
export function npzLocalHeader(e: NpzEntry, crc: number): Uint8Array {
  const name = ascii(`${e.name}.npy`);
  const size = BigInt(e.header.length + e.dataBytes);
  const out = new Uint8Array(30 + name.length + ZIP64_LOCAL_EXTRA);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 45, true); // version needed: zip64
  v.setUint16(12, DOS_DATE, true); // flags 0, stored, time 0
  v.setUint32(14, crc >>> 0, true);
  v.setUint32(18, 0xffffffff, true);
  v.setUint32(22, 0xffffffff, true);
  v.setUint16(26, name.length, true);
  v.setUint16(28, ZIP64_LOCAL_EXTRA, true);
  out.set(name, 30);
  const x = 30 + name.length;
  v.setUint16(x, 0x0001, true);
  v.setUint16(x + 2, 16, true);
  v.setBigUint64(x + 4, size, true);
  v.setBigUint64(x + 12, size, true);
  return out;
}

/** The zip64 central directory, zip64 end records and end of central directory, written at `end`. */
export function npzDirectory(entries: readonly NpzEntry[], crcs: readonly number[], end: number): Uint8Array {
  const parts: Uint8Array[] = [];
  entries.forEach((e, k) => {
    const name = ascii(`${e.name}.npy`);
    const size = BigInt(e.header.length + e.dataBytes);
    const cd = new Uint8Array(46 + name.length + 28);
    const v = new DataView(cd.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 45, true);
    v.setUint16(6, 45, true);
    v.setUint16(14, DOS_DATE, true);
    v.setUint32(16, crcs[k] >>> 0, true);
    v.setUint32(20, 0xffffffff, true);
    v.setUint32(24, 0xffffffff, true);
    v.setUint16(28, name.length, true);
    v.setUint16(30, 28, true);
    v.setUint32(42, 0xffffffff, true);
    cd.set(name, 46);
    const y = 46 + name.length;
    v.setUint16(y, 0x0001, true);
    v.setUint16(y + 2, 24, true);
    v.setBigUint64(y + 4, size, true);
    v.setBigUint64(y + 12, size, true);
    v.setBigUint64(y + 20, BigInt(e.headerAt), true);
    parts.push(cd);
  });
  let dirLength = 0;
  for (const p of parts) dirLength += p.length;
  const out = new Uint8Array(dirLength + 56 + 20 + 22);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  const v = new DataView(out.buffer, dirLength);
  v.setUint32(0, 0x06064b50, true);
  v.setBigUint64(4, 44n, true);
  v.setUint16(12, 45, true);
  v.setUint16(14, 45, true);
  v.setBigUint64(24, BigInt(entries.length), true);
  v.setBigUint64(32, BigInt(entries.length), true);
  v.setBigUint64(40, BigInt(dirLength), true);
  v.setBigUint64(48, BigInt(end), true);
  v.setUint32(56, 0x07064b50, true);
  v.setBigUint64(64, BigInt(end + dirLength), true);
  v.setUint32(72, 1, true);
  v.setUint32(76, 0x06054b50, true);
  v.setUint16(84, 0xffff, true);
  v.setUint16(86, 0xffff, true);
  v.setUint32(88, 0xffffffff, true);
  v.setUint32(92, 0xffffffff, true);
  return out;
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) out[k] = s.charCodeAt(k);
  return out;
}
