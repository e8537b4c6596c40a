// How the readout shows a float64: its shortest round-trip decimal (what JS and Python print) and its exact
// bits as Python's float.hex() writes them, so a value can be checked against PyTorch's with `lr.hex()`.
const view = new DataView(new ArrayBuffer(8));

/**
 * Python's `float.hex()` of a float64: `0x1.0624dd2f1a9fcp-10`, `-0x0.0p+0`, `0x0.0000000000001p-1022`, `inf`.
 * @throws never
 * @example
 * floatHex(0.001); // '0x1.0624dd2f1a9fcp-10'
 */
export function floatHex(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? '-' : '';
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & 0xfffffffffffffn).toString(16).padStart(13, '0');
  if (exp === 0 && mant === '0000000000000') return `${sign}0x0.0p+0`;
  const e = exp === 0 ? -1022 : exp - 1023;
  return `${sign}0x${exp === 0 ? 0 : 1}.${mant}p${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

/**
 * the shortest decimal that reads back as the same float64 (JavaScript's and Python's repr)
 * @throws never
 * @example shortest(0.1)
 */
export function shortest(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}
