// Readers of the CLI's .npy and .npz files, independent of the project's writers.
import { expect } from 'vitest';

/** the array of a .npy file: descr, shape, data */
export function readNpy(buf: Buffer): { descr: string; shape: number[]; data: Float64Array | Float32Array } {
  expect([...buf.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = buf.readUInt16LE(8);
  expect((10 + hlen) % 64).toBe(0);
  const header = buf.subarray(10, 10 + hlen).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  expect(header).toContain("'fortran_order': False");
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const raw = buf.subarray(10 + hlen);
  const copy = new Uint8Array(raw).buffer;
  const data = descr === '<f4' ? new Float32Array(copy) : new Float64Array(copy);
  return { descr, shape, data };
}

/** the .npy members of a (zip64, stored) .npz, by name */
export function readNpz(buf: Buffer): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    const name = buf.subarray(at + 30, at + 30 + nameLen).toString();
    const size = Number(buf.readBigUInt64LE(at + 30 + nameLen + 4));
    const start = at + 30 + nameLen + extraLen;
    out[name.replace(/\.npy$/, '')] = buf.subarray(start, start + size);
    at = start + size;
  }
  return out;
}
