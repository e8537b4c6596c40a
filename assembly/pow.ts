// pow(x, y) for x > 0 finite, split so a fixed base pays for its log once.
// see: AssemblyScript std/assembly/util/math.ts pow_lut (musl src/math/pow.c, ARM optimized-routines), no-FMA path;
// glibc sysdeps/ieee754/dbl-64/e_pow.c as gcc -mfma builds it (libm.so.6: each a * b + c fused) for the FMA path
import { EXP_DATA_TAB, POW_LOG_DATA_TAB } from "./pow-tables";

// @ts-ignore: decorator
@inline const EXP_TABLE_BITS = 7;
// @ts-ignore: decorator
@inline const POW_LOG_TABLE_BITS = 7;

// see: exp_inline's constants (__exp_data), shared by the scalar and the two-lane exp
// @ts-ignore: decorator
@inline const InvLn2N = reinterpret<f64>(0x3FF71547652B82FE) * <f64>(1 << EXP_TABLE_BITS);
// @ts-ignore: decorator
@inline const NegLn2hiN = reinterpret<f64>(0xBF762E42FEFA0000);
// @ts-ignore: decorator
@inline const NegLn2loN = reinterpret<f64>(0xBD0CF79ABC9E3B3A);
// @ts-ignore: decorator
@inline const shift = reinterpret<f64>(0x4338000000000000);
// @ts-ignore: decorator
@inline const C2 = reinterpret<f64>(0x3FDFFFFFFFFFFDBD);
// @ts-ignore: decorator
@inline const C3 = reinterpret<f64>(0x3FC555555555543C);
// @ts-ignore: decorator
@inline const C4 = reinterpret<f64>(0x3FA55555CF172B91);
// @ts-ignore: decorator
@inline const C5 = reinterpret<f64>(0x3F81111167A4D017);
// @ts-ignore: decorator
@inline const SPLIT: f64 = 134217729; // 2^27 + 1, Veltkamp's splitter
// @ts-ignore: decorator
@inline const FILTER_U: f64 = reinterpret<f64>(0x3CA0000000000000); // 2^-53, the unit roundoff
// @ts-ignore: decorator
@inline const TINY: f64 = reinterpret<f64>(16); // 2^-1070
// @ts-ignore: decorator
@inline const FILTER_D: f64 = reinterpret<f64>(0x3AE0000000000000); // 2^-81, the filter's absolute term

/** log(x) of the prepared base as lhi + llo (the split pow_lut multiplies by y); set by pow_prepare. */
export let lhi: f64 = 0;
export let llo: f64 = 0;
/** the FMA pow: Veltkamp halves of lhi, for the exact error of y * lhi; set by pow_prepare. */
let lhi_hi: f64 = 0;
let lhi_lo: f64 = 0;
let llo_hi: f64 = 0;
/** 1 when pow_lut's y-range special case must be consulted (x == 1); set by pow_prepare. */
let x_is_one: bool = false;
let x_gt_one: bool = false;
/** the FMA pow's two-lane filter may be used: |llo| <= 2^-52 |lhi| (its error bound assumes it); set by pow_prepare */
let fast_ok: bool = false;

// @ts-ignore: decorator
@inline
function log_inline(ix: u64, fma: bool): void {
  const N = 1 << POW_LOG_TABLE_BITS;
  const N_MASK = N - 1;
  const
    Ln2hi = reinterpret<f64>(0x3FE62E42FEFA3800),
    Ln2lo = reinterpret<f64>(0x3D2EF35793C76730);
  const
    A0 = reinterpret<f64>(0xBFE0000000000000),
    A1 = reinterpret<f64>(0xBFE5555555555560),
    A2 = reinterpret<f64>(0x3FE0000000000006),
    A3 = reinterpret<f64>(0x3FE999999959554E),
    A4 = reinterpret<f64>(0xBFE555555529A47A),
    A5 = reinterpret<f64>(0xBFF2495B9B4845E9),
    A6 = reinterpret<f64>(0x3FF0002B8B263FC3);

  let tmp = ix - 0x3fE6955500000000;
  let i   = usize((tmp >> (52 - POW_LOG_TABLE_BITS)) & N_MASK);
  let k   = <i64>tmp >> 52;
  let iz  = ix - (tmp & u64(0xFFF) << 52);
  let z   = reinterpret<f64>(iz);
  let kd  = <f64>k;

  let invc     = load<f64>(POW_LOG_DATA_TAB + (i << (2 + alignof<f64>())), 0 << alignof<f64>());
  let logc     = load<f64>(POW_LOG_DATA_TAB + (i << (2 + alignof<f64>())), 2 << alignof<f64>());
  let logctail = load<f64>(POW_LOG_DATA_TAB + (i << (2 + alignof<f64>())), 3 << alignof<f64>());

  if (fma) {
    // see: sysdeps/ieee754/dbl-64/e_pow.c log_inline, __FP_FAST_FMA, as gcc -mfma contracts it (libm.so.6)
    let r   = fma_rn(z, invc, -1.0);
    let t1  = fma_rn(kd, Ln2hi, logc);
    let t2  = t1 + r;
    let lo1 = fma_rn(kd, Ln2lo, logctail);
    let lo2 = t1 - t2 + r;
    let ar  = A0 * r;
    let ar2 = r * ar;
    let ar3 = r * ar2;
    let hi  = t2 + ar2;
    let lo3 = fma_rn(ar, r, -ar2);
    let lo4 = t2 - hi + ar2;
    let p   = fma_rn(ar2, fma_rn(ar2, fma_rn(r, A6, A5), fma_rn(r, A4, A3)), fma_rn(r, A2, A1));
    let lo  = fma_rn(ar3, p, lo1 + lo2 + lo3 + lo4);
    let y   = hi + lo;
    lhi = y;
    llo = hi - y + lo;
    let c = SPLIT * y;
    lhi_hi = c - (c - y);
    lhi_lo = y - lhi_hi;
    llo_hi = split_hi(llo);
    fast_ok = abs(llo) <= abs(y) * reinterpret<f64>(0x3CB0000000000000);
    return;
  }
  let zhi = reinterpret<f64>((iz + u64(0x80000000)) & 0xFFFFFFFF00000000);
  let zlo = z - zhi;
  let rhi = zhi * invc - 1.0;
  let rlo = zlo * invc;
  let r   = rhi + rlo;

  let t1  = kd * Ln2hi + logc;
  let t2  = t1 + r;
  let lo1 = kd * Ln2lo + logctail;
  let lo2 = t1 - t2 + r;

  let ar  = A0 * r;
  let ar2 = r * ar;
  let ar3 = r * ar2;
  let arhi  = A0  * rhi;
  let arhi2 = rhi * arhi;
  let hi    = t2  + arhi2;
  let lo3   = rlo * (ar + arhi);
  let lo4   = t2 - hi + arhi2;

  let p  = ar3 * (A1 + r * A2 + ar2 * (A3 + r * A4 + ar2 * (A5 + r * A6)));
  let lo = lo1 + lo2 + lo3 + lo4 + p;
  let y  = hi + lo;
  let tail = hi - y + lo;
  // see: pow_lut, the #else (no __FP_FAST_FMA) branch: lhi, llo depend on x only
  lhi = reinterpret<f64>(reinterpret<u64>(y) & 0xFFFFFFFFF8000000);
  llo = y - lhi + tail;
}

// @ts-ignore: decorator
@inline
function specialcase(tmp: f64, sbits: u64, ki: u64, fma: bool): f64 {
  const
    Ox1p_1022 = reinterpret<f64>(0x0010000000000000),
    Ox1p1009  = reinterpret<f64>(0x7F00000000000000);
  let scale: f64;
  if (!(ki & 0x80000000)) {
    sbits -= u64(1009) << 52;
    scale = reinterpret<f64>(sbits);
    return Ox1p1009 * (fma ? fma_rn(scale, tmp, scale) : scale + scale * tmp);
  }
  // k < 0: scale * tmp has two uses, so the FMA build computes this branch as the no-FMA one
  sbits += u64(1022) << 52;
  scale = reinterpret<f64>(sbits);
  let y = scale + scale * tmp;
  if (abs(y) < 1.0) {
    let one = copysign(1.0, y);
    let lo = scale - y + scale * tmp;
    let hi = one + y;
    lo = one - hi + y + lo;
    y  = (hi + lo) - one;
    if (y == 0.0) y = reinterpret<f64>(sbits & 0x8000000000000000);
  }
  return y * Ox1p_1022;
}

// @ts-ignore: decorator
@inline
function exp_inline(x: f64, xtail: f64, fma: bool): f64 {
  const N      = 1 << EXP_TABLE_BITS;
  const N_MASK = N - 1;

  let ux = reinterpret<u64>(x);
  let abstop = u32(ux >> 52) & 0x7FF;
  if (abstop - 0x3C9 >= 0x03F) {
    if (abstop - 0x3C9 >= 0x80000000) return 1.0;
    if (abstop >= 0x409) {
      // see: pow_lut uflow / oflow with sign_bias 0
      return <i64>ux < 0
        ? reinterpret<f64>(0x1000000000000000) * reinterpret<f64>(0x1000000000000000)
        : reinterpret<f64>(0x7000000000000000) * reinterpret<f64>(0x7000000000000000);
    }
    abstop = 0;
  }
  if (fma) {
    // see: e_pow.c exp_inline as glibc's FMA build computes it: each a * b + c contracted to fma (libm.so.6, -mfma)
    let kd = fma_rn(InvLn2N, x, shift);
    let ki = reinterpret<u64>(kd);
    kd -= shift;
    let r = fma_rn(kd, NegLn2loN, fma_rn(kd, NegLn2hiN, x));
    r = xtail + r;
    let idx = usize((ki & N_MASK) << 1);
    let top = ki << (52 - EXP_TABLE_BITS);
    let tail  = reinterpret<f64>(load<u64>(EXP_DATA_TAB + (idx << alignof<u64>())));
    let sbits = load<u64>(EXP_DATA_TAB + (idx << alignof<u64>()), 1 << alignof<u64>()) + top;
    let r2  = r * r;
    let tmp = fma_rn(fma_rn(r, C5, C4), r2 * r2, fma_rn(fma_rn(r, C3, C2), r2, tail + r));
    if (abstop == 0) return specialcase(tmp, sbits, ki, true);
    let scale = reinterpret<f64>(sbits);
    return fma_rn(scale, tmp, scale);
  }
  let z  = InvLn2N * x;
  let kd = z + shift;
  let ki = reinterpret<u64>(kd);
  kd -= shift;
  let r = x + kd * NegLn2hiN + kd * NegLn2loN;
  r += xtail;
  let idx = usize((ki & N_MASK) << 1);
  let top = ki << (52 - EXP_TABLE_BITS);
  let tail  = reinterpret<f64>(load<u64>(EXP_DATA_TAB + (idx << alignof<u64>())));
  let sbits = load<u64>(EXP_DATA_TAB + (idx << alignof<u64>()), 1 << alignof<u64>()) + top;
  let r2  = r * r;
  let tmp = tail + r + r2 * (C2 + r * C3) + r2 * r2 * (C4 + r * C5);
  if (abstop == 0) return specialcase(tmp, sbits, ki, false);
  let scale = reinterpret<f64>(sbits);
  return scale + scale * tmp;
}

/** fma(a, b, c) rounded once without an FMA instruction: the exact product (Veltkamp, Dekker), the exact sum,
 * its low part rounded to odd (Boldo & Melquiond). Exact for the finite operands of pow. */
function fma_rn(a: f64, b: f64, c: f64): f64 {
  let p  = a * b;
  let s  = SPLIT * a;
  let ah = s - (s - a);
  let al = a - ah;
  s = SPLIT * b;
  let bh = s - (s - b);
  let bl = b - bh;
  let pe = ah * bh - p + ah * bl + al * bh + al * bl;
  let th = c + p;
  let z  = th - c;
  let tl = c - (th - z) + (p - z);
  let v  = tl + pe;
  z = v - tl;
  let e  = tl - (v - z) + (pe - z);
  let iv = reinterpret<i64>(v);
  if (e != 0 && !(iv & 1)) iv += (iv ^ reinterpret<i64>(e)) < 0 ? -1 : 1;
  return th + reinterpret<f64>(iv);
}

/** fma_rn on two lanes: the same operations lane by lane, the rounding to odd by a mask */
// @ts-ignore: decorator
@inline
function fma_x2(a: v128, b: v128, c: v128, big: bool): v128 {
  let sp = f64x2.splat(SPLIT);
  let s  = f64x2.mul(sp, a);
  let ah = f64x2.sub(s, f64x2.sub(s, a));
  s = f64x2.mul(sp, b);
  let bh = f64x2.sub(s, f64x2.sub(s, b));
  return fma_split_x2(a, ah, f64x2.sub(a, ah), b, bh, f64x2.sub(b, bh), c, big);
}

/** fma_x2 with a and b already split (a = ah + al, b = bh + bl, 26 bits each): Dekker's exact product */
// @ts-ignore: decorator
@inline
function fma_split_x2(a: v128, ah: v128, al: v128, b: v128, bh: v128, bl: v128, c: v128, big: bool): v128 {
  let p  = f64x2.mul(a, b);
  return sum_odd_x2(c, p, dekker_x2(p, ah, al, bh, bl), big);
}

/** a b - p exactly, p = a b rounded, a = ah + al and b = bh + bl split in 26 bits (Dekker) */
// @ts-ignore: decorator
@inline
function dekker_x2(p: v128, ah: v128, al: v128, bh: v128, bl: v128): v128 {
  let t = f64x2.add(f64x2.sub(f64x2.mul(ah, bh), p), f64x2.mul(ah, bl));
  return f64x2.add(f64x2.add(t, f64x2.mul(al, bh)), f64x2.mul(al, bl));
}

/** fma(r, k, c) for constants k, c on two lanes, r split as rh + rl */
// @ts-ignore: decorator
@inline
function fma_const_x2(r: v128, rh: v128, rl: v128, k: f64, c: f64): v128 {
  let kh = split_hi(k);
  return fma_split_x2(r, rh, rl, f64x2.splat(k), f64x2.splat(kh), f64x2.splat(k - kh), f64x2.splat(c), true);
}

/** the high Veltkamp half of x (26 bits); the low half is x - split_hi(x) */
// @ts-ignore: decorator
@inline
function split_hi(x: f64): f64 {
  return SPLIT * x - (SPLIT * x - x);
}

/** c + (p + pe) rounded once, p + pe an exact product (|pe| <= ulp(p) / 2), on two lanes */
// @ts-ignore: decorator
@inline
function sum_odd_x2(c: v128, p: v128, pe: v128, big: bool): v128 {
  let th = f64x2.add(c, p);
  let z  = f64x2.sub(th, c);
  // big: |c| >= |p|, Fast2Sum's error term
  let tl = big ? f64x2.sub(p, z) : f64x2.add(f64x2.sub(c, f64x2.sub(th, z)), f64x2.sub(p, z));
  let v  = f64x2.add(tl, pe);
  z = f64x2.sub(v, tl);
  let e  = f64x2.add(f64x2.sub(tl, f64x2.sub(v, z)), f64x2.sub(pe, z));
  let one = i64x2.splat(1);
  let zero = i64x2.splat(0);
  let odd = v128.and(f64x2.ne(e, f64x2.splat(0)), i64x2.eq(v128.and(v, one), zero));
  let step = v128.or(i64x2.lt_s(v128.xor(v, e), zero), one);
  return f64x2.add(th, i64x2.add(v, v128.and(step, odd)));
}

/** Prepares x (> 0, finite) as the base of pow_fixed (fma: glibc's FMA build); called once per schedule. */
export function pow_prepare(x: f64, fma: bool): void {
  let ix = reinterpret<u64>(x);
  x_is_one = ix == 0x3FF0000000000000;
  x_gt_one = ix > 0x3FF0000000000000;
  if ((ix >> 52) == 0) {
    // see: pow_lut, normalize subnormal x so the exponent becomes negative
    ix = reinterpret<u64>(x * reinterpret<f64>(0x4330000000000000));
    ix &= 0x7FFFFFFFFFFFFFFF;
    ix -= u64(52) << 52;
  }
  log_inline(ix, fma);
}

/** pow(x, y) for the x of the last pow_prepare(x, fma) and any finite y ≠ 0: glibc's bits (fma: its FMA build). */
// @ts-ignore: decorator
@inline
export function pow_fixed(y: f64, fma: bool): f64 {
  let iy = reinterpret<u64>(y);
  let topy = iy >> 52;
  if ((topy & 0x7FF) - 0x3BE >= 0x43E - 0x3BE) {
    if (x_is_one) return 1;
    if ((topy & 0x7FF) < 0x3BE) return 1;
    return x_gt_one == (topy < 0x800) ? Infinity : 0;
  }
  if (fma) {
    // see: e_pow.c __pow, __FP_FAST_FMA: ehi = y * hi; elo = y * lo + fma(y, hi, -ehi), contracted to one fma
    let ehi = y * lhi;
    let c = SPLIT * y;
    let yh = c - (c - y);
    let yl = y - yh;
    let err = yh * lhi_hi - ehi + yh * lhi_lo + yl * lhi_hi + yl * lhi_lo;
    return exp_inline(ehi, fma_rn(y, llo, err), true);
  }
  let yhi = reinterpret<f64>(iy & 0xFFFFFFFFF8000000);
  let ylo = y - yhi;
  let ehi = yhi * lhi;
  let elo = ylo * lhi + y * llo;
  return exp_inline(ehi, elo, false);
}

/** exp_inline's table entries T[idx], T[idx + 1] for one lane's ki, as one v128 (tail, the bits of scale before
 * top) */
// @ts-ignore: decorator
@inline
function exp_pair(ki: i64): v128 {
  const N_MASK = (1 << EXP_TABLE_BITS) - 1;
  return v128.load(EXP_DATA_TAB + (usize((ki & N_MASK) << 1) << alignof<u64>()));
}

/** the lanes whose x = y * lhi the two-lane paths take: |x| >= 2^-54 and x in (-690, 680) (see pow_fixed_fma_x2) */
// @ts-ignore: decorator
@inline
function two_lane_range(ehi: v128): v128 {
  let abstop = v128.and(i64x2.shr_u(ehi, 52), i64x2.splat(0x7FF));
  let main = v128.and(f64x2.gt(ehi, f64x2.splat(-690)), f64x2.lt(ehi, f64x2.splat(680)));
  return v128.and(main, i64x2.ge_s(abstop, i64x2.splat(0x3C9)));
}

/** pow_fixed_fma on two lanes y (finite, |y| in [2^-65, 2^63)) into out (16 bytes), glibc's FMA bits: the plain
 * operations in the FMA build's order, then a filter that proves their rounded result is the fused one; returns
 * bit k set when lane k is proven (pow_fix_lanes computes the others exactly). checked false: the caller proved
 * every lane's y * lhi in (-690, 680) and of magnitude at least 2^-54 */
// @ts-ignore: decorator
@inline
export function pow_fixed_fma_x2(out: usize, y: v128, small: bool, checked: bool): i32 {
  // see: e_pow.c __pow, __FP_FAST_FMA: ehi = y * hi exactly as the FMA build; err = y hi - ehi exactly (Dekker;
  // small: both y whole and |y| < 2^26, so y is its own 26-bit high half)
  let lhi_v = f64x2.splat(lhi);
  let ehi = f64x2.mul(y, lhi_v);
  let yh = y;
  let err: v128;
  if (small) {
    err = f64x2.add(f64x2.sub(f64x2.mul(y, f64x2.splat(lhi_hi)), ehi), f64x2.mul(y, f64x2.splat(lhi_lo)));
  } else {
    let c = f64x2.mul(f64x2.splat(SPLIT), y);
    yh = f64x2.sub(c, f64x2.sub(c, y));
    err = dekker_x2(ehi, yh, f64x2.sub(y, yh), f64x2.splat(lhi_hi), f64x2.splat(lhi_lo));
  }
  // elo = fma(y, lo, err), here y * lo rounded first (|elo_fma - elo| < 2^-92, docs/exactness.md)
  let elo = f64x2.add(f64x2.mul(y, f64x2.splat(llo)), err);
  // exp_inline's main range |x| in [2^-54, 512), and specialcase's x in [512, 680) (k > 0: the same fused result
  // scaled by 2^1009) and (-690, -512] (k < 0: scale + scale * tmp, two roundings, within the filter's bound),
  // where scale and the result are normal (specialcase's scalings by powers of two are exact) and the
  // exact path's Veltkamp split of scale cannot overflow; other lanes take the scalar path
  if (checked) {
    if (!i64x2.all_true(two_lane_range(ehi))) {
      v128.store(out, pow_fixed_pair(y));
      return 3;
    }
  }
  // see: exp_inline; kd = fma(InvLn2N, x, shift) is the plain one unless z is a half-integer
  let z = f64x2.mul(f64x2.splat(InvLn2N), ehi);
  let kd = f64x2.add(z, f64x2.splat(shift));
  let ki = kd;
  kd = f64x2.sub(kd, f64x2.splat(shift));
  let whole = f64x2.ne(f64x2.abs(f64x2.sub(z, kd)), f64x2.splat(0.5));
  // r = xtail + fma(kd, NegLn2loN, fma(kd, NegLn2hiN, x)); the inner fma is exact
  let r = f64x2.add(f64x2.add(ehi, f64x2.mul(kd, f64x2.splat(NegLn2hiN))), f64x2.mul(kd, f64x2.splat(NegLn2loN)));
  r = f64x2.add(elo, r);
  let t0 = exp_pair(i64x2.extract_lane(ki, 0));
  let t1 = exp_pair(i64x2.extract_lane(ki, 1));
  let tail = v128.shuffle<i64>(t0, t1, 0, 2);
  let scale = i64x2.add(v128.shuffle<i64>(t0, t1, 1, 3), i64x2.shl(ki, 52 - EXP_TABLE_BITS));
  // tmp = fma(fma(r, C5, C4), r2 * r2, fma(fma(r, C3, C2), r2, tail + r)), each product rounded here
  let r2 = f64x2.mul(r, r);
  let q23 = f64x2.add(f64x2.splat(C2), f64x2.mul(r, f64x2.splat(C3)));
  let q45 = f64x2.add(f64x2.splat(C4), f64x2.mul(r, f64x2.splat(C5)));
  let tmp = f64x2.add(f64x2.add(f64x2.add(tail, r), f64x2.mul(q23, r2)), f64x2.mul(q45, f64x2.mul(r2, r2)));
  // the fused result (fma(scale, tmp, scale), or specialcase's scale + scale * tmp) is within d of scale + p,
  // p = scale * tmp; b = scale (14 u |r| + 2^-81) + 2^-1070 >= d plus the roundings of p + b and p - b (2^-1070:
  // p, p + b and p - b may be subnormal on k < 0 lanes, each rounding then up to 2^-1075): when scale + (p + b)
  // and scale + (p - b) round alike, so does every value between (rounding is monotone), the fused one among them
  let p = f64x2.mul(scale, tmp);
  let b = f64x2.mul(scale, f64x2.add(f64x2.mul(f64x2.abs(r), f64x2.splat(14 * FILTER_U)), f64x2.splat(FILTER_D)));
  b = f64x2.add(b, f64x2.splat(TINY));
  let hi = f64x2.add(scale, f64x2.add(p, b));
  let lo = f64x2.add(scale, f64x2.sub(p, b));
  v128.store(out, hi);
  return i64x2.bitmask(v128.and(f64x2.eq(hi, lo), whole)) & (fast_ok ? 3 : 0);
}

/** Computes exactly, two at a time, the n lanes pow_fixed_fma_x2 did not prove: list holds their u32 indices i,
 * y = t0 + i with its result at out + 8 i. Called after a run of pow_fixed_fma_x2. */
export function pow_fix_lanes(list: usize, n: u32, out: usize, t0: f64): void {
  for (let k: u32 = 0; k < n; k += 2) {
    let i0 = load<u32>(list + (<usize>k << 2));
    let i1 = load<u32>(list + (<usize>min(k + 1, n - 1) << 2));
    pow_fix_pair(out + (<usize>i0 << 3), out + (<usize>i1 << 3), t0 + <f64>i0, t0 + <f64>i1, 0);
  }
}

/** Writes pow_fixed_fma(y0) to out0 and pow_fixed_fma(y1) to out1 exactly, but not a lane whose bit k is set in
 * proven (pow_fixed_fma_x2 proved it) */
export function pow_fix_pair(out0: usize, out1: usize, y0: f64, y1: f64, proven: i32): void {
  let v = pow_fixed_fma_x2_slow(f64x2(y0, y1));
  if (!(proven & 1)) store<f64>(out0, f64x2.extract_lane(v, 0));
  if (!(proven & 2)) store<f64>(out1, f64x2.extract_lane(v, 1));
}

/** pow_fixed_fma_x2 without the filter: main-range lanes with kd the FMA build's take the exact emulation, the
 * others (half-integer z, outside the range) the scalar exact path */
function pow_fixed_fma_x2_slow(y: v128): v128 {
  let ehi = f64x2.mul(y, f64x2.splat(lhi));
  let c = f64x2.mul(f64x2.splat(SPLIT), y);
  let yh = f64x2.sub(c, f64x2.sub(c, y));
  let err = dekker_x2(ehi, yh, f64x2.sub(y, yh), f64x2.splat(lhi_hi), f64x2.splat(lhi_lo));
  let main = two_lane_range(ehi);
  let z = f64x2.mul(f64x2.splat(InvLn2N), ehi);
  let kd = f64x2.add(z, f64x2.splat(shift));
  let ki = kd;
  kd = f64x2.sub(kd, f64x2.splat(shift));
  main = v128.and(main, f64x2.ne(f64x2.abs(f64x2.sub(z, kd)), f64x2.splat(0.5)));
  if (!i64x2.all_true(main)) return pow_fixed_pair(y);
  let low = f64x2.le(ehi, f64x2.splat(-512));
  cert_ok = i64x2.splat(-1);
  let v = pow_fixed_fma_x2_cert(y, ehi, err, kd, ki, low);
  if (i64x2.all_true(cert_ok)) return v;
  return pow_fixed_fma_x2_exact(y, yh, ehi, err, kd, ki, low);
}

/** the lanes every fma_cert_x2 since it was last set to all ones proved */
let cert_ok: v128 = i64x2.splat(-1);

/** c + x on two lanes where x is known to within dx / 2 only (dx / 2 >= |x_true - x|, u |x| + u dx and 2^-1075):
 * returns H = fl(c + fl(x + dx)) and clears in cert_ok the lanes where H != fl(c + fl(x - dx)). Where they are
 * equal, fl(c + x_true), whose argument lies between the two sums before rounding, is H (rounding is monotone). */
// @ts-ignore: decorator
@inline
function sum_cert_x2(c: v128, x: v128, dx: v128): v128 {
  let hi = f64x2.add(c, f64x2.add(x, dx));
  cert_ok = v128.and(cert_ok, f64x2.eq(hi, f64x2.add(c, f64x2.sub(x, dx))));
  return hi;
}

/** fma(a, b, c) on two lanes the cheap way: sum_cert_x2 of c and p = fl(a b) (|p - a b| <= u |p| + 2^-1075) with
 * dx = 8 u |p| + 2^-1070 */
// @ts-ignore: decorator
@inline
function fma_cert_x2(a: v128, b: v128, c: v128): v128 {
  let p = f64x2.mul(a, b);
  return sum_cert_x2(c, p, f64x2.add(f64x2.mul(f64x2.abs(p), f64x2.splat(8 * FILTER_U)), f64x2.splat(TINY)));
}

/** pow_fixed_fma_x2_exact with each fused operation before the last one proven by fma_cert_x2 instead of emulated
 * (a lane it cannot prove clears cert_ok: the caller then takes the exact path), the last one emulated */
function pow_fixed_fma_x2_cert(y: v128, ehi: v128, err: v128, kd: v128, ki: v128, low: v128): v128 {
  // see: e_pow.c __pow, __FP_FAST_FMA: elo = fma(y, lo, err), here y * lo rounded first: |elo_fma - elo| <=
  // 1.01 u |p| + 2.01 u |elo| + 2^-1072, within half of de = 16 u (|p| + |elo|) + 2^-1070
  let p = f64x2.mul(y, f64x2.splat(llo));
  let elo = f64x2.add(p, err);
  let de = f64x2.add(f64x2.mul(f64x2.add(f64x2.abs(p), f64x2.abs(elo)), f64x2.splat(16 * FILTER_U)), f64x2.splat(TINY));
  // see: exp_inline as the FMA build computes it: r = xtail + fma(kd, NegLn2loN, fma(kd, NegLn2hiN, x)), the inner
  // fma exact
  let r = fma_cert_x2(kd, f64x2.splat(NegLn2loN), f64x2.add(ehi, f64x2.mul(kd, f64x2.splat(NegLn2hiN))));
  r = sum_cert_x2(r, elo, de);
  let t0 = exp_pair(i64x2.extract_lane(ki, 0));
  let t1 = exp_pair(i64x2.extract_lane(ki, 1));
  let tail = v128.shuffle<i64>(t0, t1, 0, 2);
  let sbits = i64x2.add(v128.shuffle<i64>(t0, t1, 1, 3), i64x2.shl(ki, 52 - EXP_TABLE_BITS));
  let r2 = f64x2.mul(r, r);
  let q23 = fma_cert_x2(r, f64x2.splat(C3), f64x2.splat(C2));
  let q45 = fma_cert_x2(r, f64x2.splat(C5), f64x2.splat(C4));
  let tmp = fma_cert_x2(q45, f64x2.mul(r2, r2), fma_cert_x2(q23, r2, f64x2.add(r, tail)));
  return v128.bitselect(specialcase_low_x2(sbits, tmp, low), fma_x2(sbits, tmp, sbits, true), low);
}

/** pow_fixed(y, true) lane by lane: the exact scalar path of pow_fixed_fma_x2 */
function pow_fixed_pair(y: v128): v128 {
  return f64x2(pow_fixed(f64x2.extract_lane(y, 0), true), pow_fixed(f64x2.extract_lane(y, 1), true));
}

/** whether every y in [t0, t1] (0 < t0 <= t1) has y * lhi in (-690, 680) and |y * lhi| >= 2^-54: no lane of
 * pow_fixed_fma_x2 needs its range check (y * lhi is monotone in y) */
export function pow_range_ok(t0: f64, t1: f64): bool {
  let e0 = t0 * lhi;
  let e1 = t1 * lhi;
  return abs(e0) >= reinterpret<f64>(0x3C90000000000000) && min(e0, e1) > -690 && max(e0, e1) < 680;
}

/** the fused operations of pow_fixed_fma_x2 emulated exactly, lane by lane (main-range lanes, kd the FMA build's):
 * the same bits; low: specialcase's k < 0 lanes */
function pow_fixed_fma_x2_exact(y: v128, yh: v128, ehi: v128, err: v128, kd: v128, ki: v128, low: v128): v128 {
  let yl = f64x2.sub(y, yh);
  let elo = fma_split_x2(y, yh, yl, f64x2.splat(llo), f64x2.splat(llo_hi), f64x2.splat(llo - llo_hi), err, false);
  // fma(kd, NegLn2hiN, x) is exact: kd NegLn2hiN is (36-bit NegLn2hiN, |kd| < 2^17), and so is the sum
  let r = f64x2.add(ehi, f64x2.mul(kd, f64x2.splat(NegLn2hiN)));
  // fma(kd, NegLn2loN, r): kd has 17 bits, its own Dekker half
  let q = f64x2.mul(kd, f64x2.splat(NegLn2loN));
  let qe = f64x2.add(f64x2.sub(f64x2.mul(kd, f64x2.splat(split_hi(NegLn2loN))), q),
    f64x2.mul(kd, f64x2.splat(NegLn2loN - split_hi(NegLn2loN))));
  r = sum_odd_x2(r, q, qe, false);
  r = f64x2.add(elo, r);
  let t0 = exp_pair(i64x2.extract_lane(ki, 0));
  let t1 = exp_pair(i64x2.extract_lane(ki, 1));
  let tail = v128.shuffle<i64>(t0, t1, 0, 2);
  let sbits = i64x2.add(v128.shuffle<i64>(t0, t1, 1, 3), i64x2.shl(ki, 52 - EXP_TABLE_BITS));
  let r2 = f64x2.mul(r, r);
  let c = f64x2.mul(f64x2.splat(SPLIT), r);
  let rh = f64x2.sub(c, f64x2.sub(c, r));
  let rl = f64x2.sub(r, rh);
  let q23 = fma_const_x2(r, rh, rl, C3, C2); // |C2| >= |r C3|: big
  let q45 = fma_const_x2(r, rh, rl, C5, C4);
  let tmp = fma_x2(q45, f64x2.mul(r2, r2), fma_x2(q23, r2, f64x2.add(r, tail), false), false);
  return v128.bitselect(specialcase_low_x2(sbits, tmp, low), fma_x2(sbits, tmp, sbits, true), low);
}

/** pow_fixed on two lanes y (finite, |y| in [2^-65, 2^63)): the same operations lane by lane, so the same bits. */
// @ts-ignore: decorator
@inline
export function pow_fixed_x2(y: v128, low_lanes: bool): v128 {
  // see: pow_lut, the no-FMA split of y * log(x)
  let yhi = v128.and(y, i64x2.splat(0xFFFFFFFFF8000000));
  let ylo = f64x2.sub(y, yhi);
  let lhi_v = f64x2.splat(lhi);
  let ehi = f64x2.mul(yhi, lhi_v);
  let elo = f64x2.add(f64x2.mul(ylo, lhi_v), f64x2.mul(y, f64x2.splat(llo)));
  // see: exp_inline; its main range and specialcase's x in [512, 680) and (-690, -512], where specialcase's
  // scalings by powers of two are exact (k < 0 rescaled as glibc does); other lanes take the scalar path
  let main = two_lane_range(ehi);
  if (!i64x2.all_true(main)) {
    return f64x2(pow_fixed(f64x2.extract_lane(y, 0), false), pow_fixed(f64x2.extract_lane(y, 1), false));
  }
  let z = f64x2.mul(f64x2.splat(InvLn2N), ehi);
  let kd = f64x2.add(z, f64x2.splat(shift));
  let ki = kd;
  kd = f64x2.sub(kd, f64x2.splat(shift));
  let r = f64x2.add(f64x2.add(ehi, f64x2.mul(kd, f64x2.splat(NegLn2hiN))), f64x2.mul(kd, f64x2.splat(NegLn2loN)));
  r = f64x2.add(r, elo);
  let t0 = exp_pair(i64x2.extract_lane(ki, 0));
  let t1 = exp_pair(i64x2.extract_lane(ki, 1));
  let tail = v128.shuffle<i64>(t0, t1, 0, 2);
  let sbits = i64x2.add(v128.shuffle<i64>(t0, t1, 1, 3), i64x2.shl(ki, 52 - EXP_TABLE_BITS));
  let r2 = f64x2.mul(r, r);
  let tmp = f64x2.add(
    f64x2.add(f64x2.add(tail, r), f64x2.mul(r2, f64x2.add(f64x2.splat(C2), f64x2.mul(r, f64x2.splat(C3))))),
    f64x2.mul(f64x2.mul(r2, r2), f64x2.add(f64x2.splat(C4), f64x2.mul(r, f64x2.splat(C5)))),
  );
  if (!low_lanes) return f64x2.add(sbits, f64x2.mul(sbits, tmp)); // the caller knows every ehi > -512
  return specialcase_low_x2(sbits, tmp, f64x2.le(ehi, f64x2.splat(-512)));
}

/** scale + scale * tmp on two lanes, the low lanes (specialcase's k < 0) as glibc: on the scale 2^1022 higher, so
 * scale * tmp stays normal, then scaled back. The scalings are selected, not the results: the other lanes'
 * (scale 2^1022) * 2^-1022 could be subnormal, slow on x86. */
// @ts-ignore: decorator
@inline
function specialcase_low_x2(sbits: v128, tmp: v128, low: v128): v128 {
  // see: specialcase, sbits += 1022ull << 52; y = scale + scale * tmp; y = 0x1p-1022 * y
  let scale = v128.bitselect(i64x2.add(sbits, i64x2.splat(1022 << 52)), sbits, low);
  let back = v128.bitselect(f64x2.splat(reinterpret<f64>(0x0010000000000000)), f64x2.splat(1.0), low);
  return f64x2.mul(f64x2.add(scale, f64x2.mul(scale, tmp)), back);
}
