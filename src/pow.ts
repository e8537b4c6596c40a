// The JS twin of assembly/pow.ts: glibc's pow (sysdeps/ieee754/dbl-64/e_pow.c, ARM optimized-routines), its no-FMA
// build (as AssemblyScript's Math.pow computes it) and its FMA build (gcc -mfma contracts each a * b + c; every
// fused op emulated exactly), for a base prepared once. u64 operations are done on (hi, lo) u32 words.
// V8's Math.pow differs from glibc in ~10% of values; this gives glibc's bits.
import { DEFAULT_LIBM, type Libm } from './options.js';
import { EXP_DATA_WORDS, POW_LOG_DATA_WORDS } from './pow-tables.js';

const EXP_F64 = new Float64Array(EXP_DATA_WORDS.buffer);
const LOG_F64 = new Float64Array(POW_LOG_DATA_WORDS.buffer);

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('cyclic-lr needs a little-endian platform');
const LO = 0;
const HI = 1;

const bits = (hi: number, lo: number): number => {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0];
};
const hiOf = (x: number): number => {
  f64[0] = x;
  return u32[HI];
};

const Ln2hi = bits(0x3fe62e42, 0xfefa3800);
const Ln2lo = bits(0x3d2ef357, 0x93c76730);
const A0 = bits(0xbfe00000, 0x00000000);
const A1 = bits(0xbfe55555, 0x55555560);
const A2 = bits(0x3fe00000, 0x00000006);
const A3 = bits(0x3fe99999, 0x9959554e);
const A4 = bits(0xbfe55555, 0x5529a47a);
const A5 = bits(0xbff2495b, 0x9b4845e9);
const A6 = bits(0x3ff0002b, 0x8b263fc3);

const InvLn2N = bits(0x3ff71547, 0x652b82fe) * 128;
const NegLn2hiN = bits(0xbf762e42, 0xfefa0000);
const NegLn2loN = bits(0xbd0cf79a, 0xbc9e3b3a);
const SHIFT = bits(0x43380000, 0x00000000);
const C2 = bits(0x3fdfffff, 0xfffffdbd);
const C3 = bits(0x3fc55555, 0x5555543c);
const C4 = bits(0x3fa55555, 0xcf172b91);
const C5 = bits(0x3f811111, 0x67a4d017);
const Ox1p_1022 = bits(0x00100000, 0);
const Ox1p1009 = bits(0x7f000000, 0);
const Ox1p52 = bits(0x43300000, 0);
const Ox1p_767 = bits(0x10000000, 0);
const Ox1p769 = bits(0x70000000, 0);
const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter
const U = bits(0x3ca00000, 0); // 2^-53, the unit roundoff
const Ox1p_81 = bits(0x3ae00000, 0);

/** A base prepared for {@link powFixed}: log(x) split as pow_lut splits it, and the flags of its special cases. */
export interface PowBase {
  /** the no-FMA split of log(x) (lhi + llo), or for the FMA pow log(x) = lhi + llo as log_inline returns it */
  readonly lhi: number;
  readonly llo: number;
  /** Veltkamp halves of lhi (FMA pow: the exact error of y * lhi) */
  readonly lhiHi: number;
  readonly lhiLo: number;
  readonly isOne: boolean;
  readonly gtOne: boolean;
  /** FMA pow: |llo| <= 2^-52 |lhi|, which the fast path's error bound assumes (docs/exactness.md) */
  readonly fastOk: boolean;
  /** glibc's FMA pow (libm 'fma') rather than its no-FMA one */
  readonly fma: boolean;
}

/** Prepares x (> 0, finite) as a pow base: the log half of pow_lut (the FMA or the no-FMA build), done once. */
export function powPrepare(x: number, libm: Libm = DEFAULT_LIBM): PowBase {
  f64[0] = x;
  let ixHi = u32[HI];
  let ixLo = u32[LO];
  const isOne = ixHi === 0x3ff00000 && ixLo === 0;
  const gtOne = ixHi > 0x3ff00000 || (ixHi === 0x3ff00000 && ixLo !== 0);
  if (ixHi >>> 20 === 0) {
    // see: pow_lut, normalize subnormal x so the exponent becomes negative (wraps into the sign bit)
    f64[0] = x * Ox1p52;
    ixHi = ((u32[HI] & 0x7fffffff) - (52 << 20)) | 0;
    ixLo = u32[LO];
  }
  // see: log_inline
  const tmpHi = (ixHi - 0x3fe69555) | 0;
  const i = (tmpHi >>> 13) & 127;
  const k = tmpHi >> 20;
  const izHi = (ixHi - (tmpHi & 0xfff00000)) | 0;
  const z = bits(izHi, ixLo);
  const kd = k;
  const invc = LOG_F64[i * 4];
  const logc = LOG_F64[i * 4 + 2];
  const logctail = LOG_F64[i * 4 + 3];
  const fma = libm === 'fma';
  let y: number;
  let tail: number;
  if (fma) {
    // see: sysdeps/ieee754/dbl-64/e_pow.c log_inline, __FP_FAST_FMA, as gcc contracts it (libm.so.6, -mfma)
    const r = fmaRn(z, invc, -1.0);
    const t1 = fmaRn(kd, Ln2hi, logc);
    const t2 = t1 + r;
    const lo1 = fmaRn(kd, Ln2lo, logctail);
    const lo2 = t1 - t2 + r;
    const ar = A0 * r;
    const ar2 = r * ar;
    const ar3 = r * ar2;
    const hi = t2 + ar2;
    const lo3 = fmaRn(ar, r, -ar2);
    const lo4 = t2 - hi + ar2;
    const p = fmaRn(ar2, fmaRn(ar2, fmaRn(r, A6, A5), fmaRn(r, A4, A3)), fmaRn(r, A2, A1));
    const lo = fmaRn(ar3, p, lo1 + lo2 + lo3 + lo4);
    y = hi + lo;
    tail = hi - y + lo;
  } else {
    const zhi = bits((izHi + (ixLo >>> 31)) | 0, 0);
    const zlo = z - zhi;
    const rhi = zhi * invc - 1.0;
    const rlo = zlo * invc;
    const r = rhi + rlo;
    const t1 = kd * Ln2hi + logc;
    const t2 = t1 + r;
    const lo1 = kd * Ln2lo + logctail;
    const lo2 = t1 - t2 + r;
    const ar = A0 * r;
    const ar2 = r * ar;
    const ar3 = r * ar2;
    const arhi = A0 * rhi;
    const arhi2 = rhi * arhi;
    const hi = t2 + arhi2;
    const lo3 = rlo * (ar + arhi);
    const lo4 = t2 - hi + arhi2;
    const p = ar3 * (A1 + r * A2 + ar2 * (A3 + r * A4 + ar2 * (A5 + r * A6)));
    const lo = lo1 + lo2 + lo3 + lo4 + p;
    y = hi + lo;
    tail = hi - y + lo;
  }
  let lhi = y;
  let llo = tail;
  if (!fma) {
    // see: pow_lut, the no-FMA split of log(x)
    f64[0] = y;
    lhi = bits(u32[HI], u32[LO] & 0xf8000000);
    llo = y - lhi + tail;
  }
  const c = SPLIT * lhi;
  const lhiHi = c - (c - lhi);
  const fastOk = fma && Math.abs(llo) <= Math.abs(lhi) * U * 2;
  return { lhi, llo, lhiHi, lhiLo: lhi - lhiHi, isOne, gtOne, fastOk, fma };
}

/**
 * pow(x, y) for the prepared x and any finite y ≠ 0: the exp half of pow_lut, glibc's bits (base.fma picks the
 * build).
 */
export function powFixed(base: PowBase, y: number): number {
  f64[0] = y;
  const iyHi = u32[HI];
  const iyLo = u32[LO];
  const topy = iyHi >>> 20;
  if (((topy & 0x7ff) - 0x3be) >>> 0 >= 0x43e - 0x3be) {
    if (base.isOne) return 1;
    if ((topy & 0x7ff) < 0x3be) return 1;
    return base.gtOne === topy < 0x800 ? Infinity : 0;
  }
  if (base.fma) {
    // see: e_pow.c __pow, __FP_FAST_FMA: ehi = y * hi; elo = y * lo + fma(y, hi, -ehi), contracted to one fma
    const ehi = y * base.lhi;
    const c = SPLIT * y;
    const yh = c - (c - y);
    const yl = y - yh;
    const err = yh * base.lhiHi - ehi + yh * base.lhiLo + yl * base.lhiHi + yl * base.lhiLo;
    if (base.fastOk) {
      const v = expInlineFmaFast(ehi, y * base.llo + err);
      if (!Number.isNaN(v)) return v;
    }
    return expInlineFma(ehi, fmaRn(y, base.llo, err));
  }
  const yhi = bits(iyHi, iyLo & 0xf8000000);
  const ylo = y - yhi;
  const ehi = yhi * base.lhi;
  const elo = ylo * base.lhi + y * base.llo;
  return expInline(ehi, elo);
}

/**
 * fma(a, b, c): a * b + c rounded once, without an FMA instruction (Boldo & Melquiond's emulation: the exact
 * product by Veltkamp/Dekker, the exact sum, the low part rounded to odd). Exact for the finite operands here.
 */
export function fmaRn(a: number, b: number, c: number): number {
  const p = a * b;
  let s = SPLIT * a;
  const ah = s - (s - a);
  const al = a - ah;
  s = SPLIT * b;
  const bh = s - (s - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const th = c + p;
  let z = th - c;
  const tl = c - (th - z) + (p - z);
  const v = tl + pe;
  z = v - tl;
  const e = tl - (v - z) + (pe - z);
  return th + (e === 0 ? v : roundToOdd(v, e));
}

/** v, the nearest of v + e, moved one ulp towards e when its last bit is even: v + e rounded to odd */
function roundToOdd(v: number, e: number): number {
  f64[0] = v;
  let lo = u32[LO];
  if (lo & 1) return v;
  let hi = u32[HI];
  if (v > 0 === e > 0) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  return bits(hi, lo);
}

/** exp_inline as the FMA build computes it: every a * b + c of the source contracted to fma (libm.so.6, -mfma) */
function expInlineFma(x: number, xtail: number): number {
  const uxHi = hiOf(x);
  let abstop = (uxHi >>> 20) & 0x7ff;
  if ((abstop - 0x3c9) >>> 0 >= 0x03f) {
    if ((abstop - 0x3c9) >>> 0 >= 0x80000000) return 1.0;
    if (abstop >= 0x409) return uxHi >>> 31 ? Ox1p_767 * Ox1p_767 : Ox1p769 * Ox1p769;
    abstop = 0;
  }
  let kd = fmaRn(InvLn2N, x, SHIFT);
  f64[0] = kd;
  const kiLo = u32[LO];
  kd -= SHIFT;
  let r = fmaRn(kd, NegLn2loN, fmaRn(kd, NegLn2hiN, x));
  r = xtail + r;
  const idx = (kiLo & 127) << 1;
  const topHi = kiLo << 13;
  const tail = EXP_F64[idx];
  const sHi = (EXP_DATA_WORDS[2 * idx + 3] + topHi) | 0;
  const sLo = EXP_DATA_WORDS[2 * idx + 2];
  const r2 = r * r;
  const tmp = fmaRn(fmaRn(r, C5, C4), r2 * r2, fmaRn(fmaRn(r, C3, C2), r2, tail + r));
  if (abstop === 0) return specialcase(tmp, sHi, sLo, kiLo, true);
  const scale = bits(sHi, sLo);
  return fmaRn(scale, tmp, scale);
}

/**
 * The kernel's pow_fixed_fma_x2 on one lane: exp_inline in the FMA build's order with plain operations (xtail =
 * y * llo + err, the product rounded first), and the result when a filter proves it is the fused one; else NaN
 * (outside the main range, a half-integer z, or the filter fails: the caller emulates every fused op).
 */
function expInlineFmaFast(x: number, xtail: number): number {
  const abstop = (hiOf(x) >>> 20) & 0x7ff;
  if (abstop < 0x3c9 || abstop >= 0x408) return NaN;
  const z = InvLn2N * x;
  let kd = z + SHIFT;
  f64[0] = kd;
  const kiLo = u32[LO];
  kd -= SHIFT;
  if (Math.abs(z - kd) === 0.5) return NaN;
  const r = xtail + (x + kd * NegLn2hiN + kd * NegLn2loN);
  const idx = (kiLo & 127) << 1;
  const tail = EXP_F64[idx];
  const scale = bits((EXP_DATA_WORDS[2 * idx + 3] + (kiLo << 13)) | 0, EXP_DATA_WORDS[2 * idx + 2]);
  const r2 = r * r;
  const tmp = tail + r + (C2 + r * C3) * r2 + (C4 + r * C5) * (r2 * r2);
  // fma(scale, tmp, scale) is s when |e| + bound < half the gap below s (docs/exactness.md)
  const p = scale * tmp;
  const s = scale + p;
  const e = p - (s - scale);
  const bound = scale * (Math.abs(r) * (12 * U) + Ox1p_81) + Math.abs(p) * U;
  f64[0] = s;
  let hi = u32[HI];
  if ((hi & 0xfffff) === 0 && u32[LO] === 0) hi -= 1 << 20; // a power of two: the gap below is half
  const h = bits(((hi & 0x7ff00000) - (53 << 20)) | 0, 0);
  return Math.abs(e) + bound < h ? s : NaN;
}

function expInline(x: number, xtail: number): number {
  const uxHi = hiOf(x);
  let abstop = (uxHi >>> 20) & 0x7ff;
  if ((abstop - 0x3c9) >>> 0 >= 0x03f) {
    if ((abstop - 0x3c9) >>> 0 >= 0x80000000) return 1.0;
    if (abstop >= 0x409) return uxHi >>> 31 ? Ox1p_767 * Ox1p_767 : Ox1p769 * Ox1p769;
    abstop = 0;
  }
  const z = InvLn2N * x;
  let kd = z + SHIFT;
  f64[0] = kd;
  const kiLo = u32[LO];
  kd -= SHIFT;
  let r = x + kd * NegLn2hiN + kd * NegLn2loN;
  r += xtail;
  const idx = (kiLo & 127) << 1;
  // top = ki << 45: only ki's low 19 bits reach the high word
  const topHi = kiLo << 13;
  const tail = EXP_F64[idx];
  const sHi = (EXP_DATA_WORDS[2 * idx + 3] + topHi) | 0;
  const sLo = EXP_DATA_WORDS[2 * idx + 2];
  const r2 = r * r;
  const tmp = tail + r + r2 * (C2 + r * C3) + r2 * r2 * (C4 + r * C5);
  if (abstop === 0) return specialcase(tmp, sHi, sLo, kiLo);
  const scale = bits(sHi, sLo);
  return scale + scale * tmp;
}

function specialcase(tmp: number, sHi: number, sLo: number, kiLo: number, fma = false): number {
  if (!(kiLo & 0x80000000)) {
    const scale = bits((sHi - (1009 << 20)) | 0, sLo);
    return Ox1p1009 * (fma ? fmaRn(scale, tmp, scale) : scale + scale * tmp);
  }
  // k < 0: scale * tmp has two uses, so the FMA build computes this branch as the no-FMA one
  const sbitsHi = (sHi + (1022 << 20)) | 0;
  const scale = bits(sbitsHi, sLo);
  let y = scale + scale * tmp;
  if (Math.abs(y) < 1.0) {
    const one = y < 0 || Object.is(y, -0) ? -1.0 : 1.0;
    let lo = scale - y + scale * tmp;
    const hi = one + y;
    lo = one - hi + y + lo;
    y = hi + lo - one;
    if (y === 0.0) y = sbitsHi < 0 ? -0 : 0;
  }
  return y * Ox1p_1022;
}

/**
 * gamma ** t as CPython's float ** int computes it (t = 0 gives 1; (±0) ** t gives ±0 for an odd t, else 0; a
 * negative base takes the sign of t's parity) with glibc's pow; `base` is powPrepare(|gamma|, libm). Twin of the
 * kernel's exp_scale.
 */
export function expScale(gamma: number, base: PowBase | null, t: number): number {
  // see: torch/optim/lr_scheduler.py CyclicLR._exp_range_scale_fn, gamma ** x
  if (t === 0) return 1.0;
  // see: CPython float_pow, 0 ** t: the base itself (its sign) for an odd integer t, else 0.0
  if (gamma === 0 || base === null) return Math.abs(t % 2) === 1 ? gamma : 0.0;
  const s = powFixed(base, t);
  return gamma < 0 && Math.abs(t % 2) === 1 ? -s : s;
}
