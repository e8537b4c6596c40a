import {
  pow_prepare, pow_fixed, pow_fixed_x2, pow_fixed_fma_x2, pow_range_ok, lhi,
  pow_fix_lanes, pow_fix_pair,
} from "./pow";

// scale kinds, mirrored in src/plan.ts
// @ts-ignore: decorator
@inline const TRIANGULAR: i32 = 0;
// @ts-ignore: decorator
@inline const TRIANGULAR2: i32 = 1;
// @ts-ignore: decorator
@inline const EXP_RANGE: i32 = 2;
// @ts-ignore: decorator
@inline const EXP_RANGE_FMA: i32 = 3;
// @ts-ignore: decorator
@inline const TABLE_CYCLE: i32 = 4;
// @ts-ignore: decorator
@inline const TABLE_ITER: i32 = 5;
/** iterations per block: the shape of a block (sf, s) stays in cache while every group is written */
// @ts-ignore: decorator
@inline const BLOCK: u32 = 1024;

/** Bytes of scratch the kernel needs at `scratch` (sf, s and cycle of one block); read by src/wasm.ts. */
export function scratch_bytes(): u32 {
  return BLOCK * 24;
}

/** First free byte after the kernel's static data; src/wasm.ts lays scratch and results out from here. */
export function heap_base(): usize {
  return __heap_base;
}

/** pow(gamma, t) as CPython's float ** int computes it with glibc's pow (fma: its FMA build); for tests. */
export function pow_int(gamma: f64, t: f64, fma: bool): f64 {
  if (gamma != 0) pow_prepare(abs(gamma), fma);
  return exp_scale(gamma, t, gamma < 0, fma);
}

/** lane 1 of the last pow_x2 */
export let pow_x2_hi: f64 = 0;

/** gamma ** t0 and gamma ** t1 (gamma > 0, t finite and >= 1) on the two-lane path scales() takes; lane 1 in
 * pow_x2_hi. For tests. */
export function pow_x2(gamma: f64, t0: f64, t1: f64, fma: bool): f64 {
  pow_prepare(gamma, fma);
  let small = max(abs(t0), abs(t1)) < 67108864 && floor(t0) == t0 && floor(t1) == t1; // whole, below 2^26
  // scales()'s choice: the range checked per pair, or once for [t0, t1]; unproven lanes computed exactly after
  let v: v128;
  if (!fma) v = pow_fixed_x2(f64x2(t0, t1), true);
  else {
    let out = __heap_base + 32;
    let y = f64x2(t0, t1);
    let m = small && pow_range_ok(min(t0, t1), max(t0, t1))
      ? pow_fixed_fma_x2(out, y, true, false)
      : pow_fixed_fma_x2(out, y, small, true);
    if (m != 3) pow_fix_pair(out, out + 8, t0, t1, m);
    v = v128.load(out);
  }
  pow_x2_hi = f64x2.extract_lane(v, 1);
  return f64x2.extract_lane(v, 0);
}

/** the no-FMA pow_fixed_x2 of t0 + i for i in [i, n), two pairs a turn, into s_buf; returns the i it stopped at */
// @ts-ignore: decorator
@inline
function pow_block_x2(s_buf: usize, i: u32, n: u32, t0_v: v128, i_v: v128, low: bool): u32 {
  for (; i + 3 < n; i += 4) {
    v128.store(s_buf + (i << 3), pow_fixed_x2(f64x2.add(t0_v, i_v), low));
    v128.store(s_buf + (i << 3) + 16, pow_fixed_x2(f64x2.add(t0_v, f64x2.add(i_v, f64x2.splat(2))), low));
    i_v = f64x2.add(i_v, f64x2.splat(4));
  }
  for (; i + 1 < n; i += 2) {
    v128.store(s_buf + (i << 3), pow_fixed_x2(f64x2.add(t0_v, i_v), low));
    i_v = f64x2.add(i_v, f64x2.splat(2));
  }
  return i;
}

// @ts-ignore: decorator
@inline
function exp_scale(gamma: f64, t: f64, neg: bool, fma: bool): f64 {
  // see: torch/optim/lr_scheduler.py CyclicLR._exp_range_scale_fn, gamma ** x; CPython float_pow special cases
  if (t == 0) return 1.0;
  if (gamma == 0) return <f64><i64>t == t && (<i64>t & 1) ? gamma : 0.0;
  let s = pow_fixed(t, fma);
  if (neg && (<i64>t & 1)) s = -s;
  return s;
}

/** 2.0 ** k for a whole k, exactly (0 below the subnormals, Infinity from 1024); triangular2's scale. */
// @ts-ignore: decorator
@inline
function pow2(k: f64): f64 {
  if (k >= 1024) return Infinity;
  if (k < -1074) return 0;
  if (k >= -1022) return reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
  return reinterpret<f64>(<u64>1 << <u64>(<i64>k + 1074));
}

/** Iterations a cycle-shape table of a whole total_size holds (whole cycles, at least a block); read by src/wasm.ts. */
export function shape_span(total_size: f64): u32 {
  let total = <u32>total_size;
  return ((BLOCK + total - 1) / total) * total;
}

/**
 * Writes lr (and momentum) of `groups` param groups at last_epoch t = start + i, i in [0, length), into
 * rows of `stride` f64 (f32 when f32) at lr_ptr (mom_ptr, 0 for none); group g's base_lr, max_lr - base_lr,
 * max_momentum, max_momentum - base_momentum are the 4 f64 at params + 32 g. kind picks the scale s: 1 (triangular),
 * 1 / 2 ** (cycle - 1) (triangular2), gamma ** t (exp_range: glibc's no-FMA pow, EXP_RANGE_FMA its FMA pow),
 * table[cycle - c0] or table[i] (a custom scale_fn, evaluated by the caller). shape_table, when not 0, has room for
 * 2 * shape_span(total_size) f64 (a whole total_size, a whole start): scale_factor is then computed once per run of
 * cycles that round alike.
 * Called by src/wasm.ts for schedule() and CyclicLR.
 */
export function fill(
  start: f64, length: u32, total_size: f64, step_ratio: f64,
  kind: i32, gamma: f64, table: usize, c0: f64,
  groups: u32, params: usize, lr_ptr: usize, mom_ptr: usize, stride: u32, scratch: usize, shape_table: usize, f32: bool,
): void {
  let fma = kind == EXP_RANGE_FMA;
  if (fma) kind = EXP_RANGE;
  if (kind == EXP_RANGE && gamma != 0) pow_prepare(abs(gamma), fma);
  let sf_buf = scratch;
  let s_buf = scratch + (BLOCK << 3);
  let c_buf = scratch + (BLOCK << 4);
  let needs_cycle = kind == TRIANGULAR2 || kind == TABLE_CYCLE;
  let total = <i64>total_size;
  let span: i64 = shape_table ? <i64>shape_span(total_size) : 0;
  let tab_cyc = shape_table + (<usize>span << 3);
  let tab_key: i64 = -1;
  let tab_c: f64 = 0;
  let b: u32 = 0;
  while (b < length) {
    let n = min(BLOCK, length - b);
    let t0 = start + <f64>b;
    let sf = sf_buf;
    let first: f64 = 0;
    let final: f64 = 0;
    let c: i64 = shape_table ? <i64>t0 / total : 0;
    if (c >= 1 && c < (<i64>1 << 51)) {
      // t = c total + r with c in [2^E, 2^(E+1) - 2] (or the lone c = 2^(E+1) - 1): t / total_size and 1 + q
      // round on the same grids for every such c, so x, scale_factor and cycle - c depend on r alone
      let e = 63 - <i64>clz(c);
      let last = (<i64>2 << e) - 2;
      let key = e * 2;
      if (c > last) {
        key += 1;
        last = c;
      }
      if (key != tab_key) {
        shape(<f64>(c * total), <u32>span, total_size, step_ratio, shape_table, tab_cyc);
        tab_key = key;
        tab_c = <f64>c;
      }
      let r = <i64>t0 - c * total;
      n = <u32>min(<i64>n, min(span - r, (last + 1) * total - <i64>t0));
      sf = shape_table + (<usize>r << 3);
      if (needs_cycle) {
        let shift = <f64>c - tab_c;
        first = load<f64>(tab_cyc + (<usize>r << 3)) + shift;
        final = load<f64>(tab_cyc + (<usize>(r + n - 1) << 3)) + shift;
        if (first != final) {
          for (let i: u32 = 0; i < n; i++) {
            store<f64>(c_buf + (i << 3), load<f64>(tab_cyc + (<usize>(r + i) << 3)) + shift);
          }
        }
      }
    } else {
      shape(t0, n, total_size, step_ratio, sf_buf, c_buf);
      first = load<f64>(c_buf);
      final = load<f64>(c_buf + ((n - 1) << 3));
    }
    // the scale: 1, one value for the whole run (a single cycle), or one per iteration
    let per_iteration = kind == EXP_RANGE || kind == TABLE_ITER || (needs_cycle && first != final);
    let k: f64 = 1;
    if (per_iteration) scales(kind, fma, t0, b, n, gamma, table, c0, c_buf, s_buf);
    else if (kind == TRIANGULAR2) k = 1.0 / pow2(first - 1);
    else if (kind == TABLE_CYCLE) k = load<f64>(table + (<usize>(first - c0) << 3));
    // every group from the shape
    if (f32) {
      if (per_iteration) groups_rows<f32, u32>(groups, params, lr_ptr, mom_ptr, stride, b, sf, s_buf, k, n);
      else if (kind != TRIANGULAR) groups_rows<f32, u16>(groups, params, lr_ptr, mom_ptr, stride, b, sf, s_buf, k, n);
      else groups_rows<f32, u8>(groups, params, lr_ptr, mom_ptr, stride, b, sf, s_buf, k, n);
    } else {
      if (per_iteration) groups_rows<f64, u32>(groups, params, lr_ptr, mom_ptr, stride, b, sf, s_buf, k, n);
      else if (kind != TRIANGULAR) groups_rows<f64, u16>(groups, params, lr_ptr, mom_ptr, stride, b, sf, s_buf, k, n);
      else groups_rows<f64, u8>(groups, params, lr_ptr, mom_ptr, stride, b, sf, s_buf, k, n);
    }
    b += n;
  }
}

/** scale_factor and cycle of iterations t0 + i, i in [0, n), into sf_buf and c_buf */
// @ts-ignore: decorator
@inline
function shape(t0: f64, n: u32, total_size: f64, step_ratio: f64, sf_buf: usize, c_buf: usize): void {
  // see: torch/optim/lr_scheduler.py CyclicLR.get_lr
  let total_v = f64x2.splat(total_size);
  let ratio_v = f64x2.splat(step_ratio);
  let ratio_m1_v = f64x2.splat(step_ratio - 1);
  let one_v = f64x2.splat(1.0);
  let two_v = f64x2.splat(2.0);
  let t0_v = f64x2.splat(t0);
  let i_v = f64x2(0, 1);
  let i: u32 = 0;
  for (; i + 1 < n; i += 2) {
    let t = f64x2.add(t0_v, i_v);
    let q = f64x2.div(t, total_v);
    let cycle = f64x2.floor(f64x2.add(one_v, q));
    let x = f64x2.sub(f64x2.add(one_v, q), cycle);
    // x <= step_ratio ? x / step_ratio : (x - 1) / (step_ratio - 1), one division for both
    let up = f64x2.le(x, ratio_v);
    let scale_factor = f64x2.div(v128.bitselect(x, f64x2.sub(x, one_v), up), v128.bitselect(ratio_v, ratio_m1_v, up));
    v128.store(sf_buf + (i << 3), scale_factor);
    v128.store(c_buf + (i << 3), cycle);
    i_v = f64x2.add(i_v, two_v);
  }
  if (i < n) {
    let t = t0 + <f64>i;
    let q = t / total_size;
    let cycle = Math.floor(1.0 + q);
    let x = 1.0 + q - cycle;
    store<f64>(sf_buf + (i << 3), x <= step_ratio ? x / step_ratio : (x - 1) / (step_ratio - 1));
    store<f64>(c_buf + (i << 3), cycle);
  }
}

/** the scale s of iterations t0 + i (b + i within the call), i in [0, n), into s_buf */
// @ts-ignore: decorator
@inline
function scales(
  kind: i32, fma: bool, t0: f64, b: u32, n: u32, gamma: f64, table: usize, c0: f64, c_buf: usize, s_buf: usize,
): void {
  if (kind == TRIANGULAR2) {
    // see: CyclicLR._triangular2_scale_fn, 1 / (2. ** (x - 1)); the cycle changes rarely
    let last: f64 = NaN;
    let s: f64 = 0;
    for (let i: u32 = 0; i < n; i++) {
      let cycle = load<f64>(c_buf + (i << 3));
      if (cycle != last) {
        last = cycle;
        s = 1.0 / pow2(cycle - 1);
      }
      store<f64>(s_buf + (i << 3), s);
    }
  } else if (kind == EXP_RANGE) {
    let neg = gamma < 0;
    let i: u32 = 0;
    // t == 0: gamma ** 0 is 1
    if (gamma > 0 && t0 == 0 && n > 0) {
      store<f64>(s_buf, 1.0);
      i = 1;
    }
    if (gamma > 0 && t0 + <f64>i >= 1) {
      // t >= 1: no t == 0 and no sign to fix, two lanes at a time
      let t0_v = f64x2.splat(t0);
      let i_v = f64x2(<f64>i, <f64>(i + 1));
      // the FMA pow's unproven lanes: their indices in c_buf (exp_range reads no cycle), computed after the loop
      let list = c_buf;
      let nd: u32 = 0;
      let first = t0 + <f64>i;
      if (fma && t0 + <f64>n <= 67108864 && floor(t0) == t0 && pow_range_ok(first, t0 + <f64>(n - 1))) {
        // every t a whole number below 2^26, every gamma ** t in pow_fixed_fma_x2's range; two pairs a turn
        for (; i + 3 < n; i += 4) {
          let m = pow_fixed_fma_x2(s_buf + (i << 3), f64x2.add(t0_v, i_v), true, false);
          nd = defer_lanes(list, nd, i, m);
          let j_v = f64x2.add(i_v, f64x2.splat(2));
          m = pow_fixed_fma_x2(s_buf + (i << 3) + 16, f64x2.add(t0_v, j_v), true, false);
          nd = defer_lanes(list, nd, i + 2, m);
          i_v = f64x2.add(i_v, f64x2.splat(4));
        }
        for (; i + 1 < n; i += 2) {
          nd = defer_lanes(list, nd, i, pow_fixed_fma_x2(s_buf + (i << 3), f64x2.add(t0_v, i_v), true, false));
          i_v = f64x2.add(i_v, f64x2.splat(2));
        }
      } else if (fma) {
        for (; i + 1 < n; i += 2) {
          nd = defer_lanes(list, nd, i, pow_fixed_fma_x2(s_buf + (i << 3), f64x2.add(t0_v, i_v), false, true));
          i_v = f64x2.add(i_v, f64x2.splat(2));
        }
      } else if (min(first * lhi, (t0 + <f64>(n - 1)) * lhi) > -511) {
        i = pow_block_x2(s_buf, i, n, t0_v, i_v, false); // no t ln(gamma) <= -512: no specialcase k < 0 lane
      } else {
        i = pow_block_x2(s_buf, i, n, t0_v, i_v, true);
      }
      if (fma) pow_fix_lanes(list, nd, s_buf, t0);
    }
    for (; i < n; i++) store<f64>(s_buf + (i << 3), exp_scale(gamma, t0 + <f64>i, neg, fma));
  } else if (kind == TABLE_CYCLE) {
    for (let i: u32 = 0; i < n; i++) {
      store<f64>(s_buf + (i << 3), load<f64>(table + (<usize>(load<f64>(c_buf + (i << 3)) - c0) << 3)));
    }
  } else {
    memory.copy(s_buf, table + (<usize>b << 3), <usize>n << 3);
  }
}

/** appends the indices i, i + 1 of a pair's lanes to list (n long) where bit k of proven is clear, without a branch */
// @ts-ignore: decorator
@inline
function defer_lanes(list: usize, n: u32, i: u32, proven: i32): u32 {
  store<u32>(list + (<usize>n << 2), i);
  n += ~proven & 1;
  store<u32>(list + (<usize>n << 2), i + 1);
  return n + ((~proven >> 1) & 1);
}

/**
 * rows [b, b + n) of every group (lr and momentum) from the shape; T: the element type, S: the scale (u8 1, u16 k,
 * u32 s[i])
 */
// @ts-ignore: decorator
@inline
function groups_rows<T, S>(
  groups: u32, params: usize, lr_ptr: usize, mom_ptr: usize, stride: u32,
  b: u32, sf: usize, s_buf: usize, k: f64, n: u32,
): void {
  for (let g: u32 = 0; g < groups; g++) {
    let p = params + (g << 5);
    let row = (<usize>g * stride + b) << alignof<T>();
    if (mom_ptr) fill_rows2<T, S>(lr_ptr + row, mom_ptr + row, p, sf, s_buf, k, n);
    else fill_row<T, S>(lr_ptr + row, load<f64>(p, 0), load<f64>(p, 8), sf, s_buf, k, n, false);
  }
}

/** the lr row and the momentum row of one group in one pass over the shape (fill_row's two calls fused) */
// @ts-ignore: decorator
@inline
function fill_rows2<T, S>(lr_out: usize, mom_out: usize, p: usize, sf_buf: usize, s_buf: usize, k: f64, n: u32): void {
  // see: torch/optim/lr_scheduler.py CyclicLR.get_lr, lr = base_lr + base_height * s,
  // momentum = max_momentum - base_height * s
  let base_v = f64x2.splat(load<f64>(p, 0));
  let amp_v = f64x2.splat(load<f64>(p, 8));
  let mbase_v = f64x2.splat(load<f64>(p, 16));
  let mamp_v = f64x2.splat(load<f64>(p, 24));
  let k_v = f64x2.splat(k);
  let i: u32 = 0;
  for (; i + 1 < n; i += 2) {
    let sf = v128.load(sf_buf + (i << 3));
    let h = f64x2.mul(amp_v, sf);
    let m = f64x2.mul(mamp_v, sf);
    if (sizeof<S>() == 2) {
      h = f64x2.mul(h, k_v);
      m = f64x2.mul(m, k_v);
    }
    if (sizeof<S>() == 4) {
      let s = v128.load(s_buf + (i << 3));
      h = f64x2.mul(h, s);
      m = f64x2.mul(m, s);
    }
    let lr = f64x2.add(base_v, h);
    let mom = f64x2.sub(mbase_v, m);
    if (sizeof<T>() == 4) {
      v128.store64_lane(lr_out + (i << 2), f32x4.demote_f64x2_zero(lr), 0);
      v128.store64_lane(mom_out + (i << 2), f32x4.demote_f64x2_zero(mom), 0);
    } else {
      v128.store(lr_out + (i << 3), lr);
      v128.store(mom_out + (i << 3), mom);
    }
  }
  if (i < n) {
    fill_row<T, S>(
      lr_out + (i << alignof<T>()), load<f64>(p, 0), load<f64>(p, 8),
      sf_buf + (i << 3), s_buf + (i << 3), k, 1, false,
    );
    fill_row<T, S>(
      mom_out + (i << alignof<T>()), load<f64>(p, 16), load<f64>(p, 24),
      sf_buf + (i << 3), s_buf + (i << 3), k, 1, true,
    );
  }
}

/** base + (amp * scale_factor) * s for lr, base - (amp * scale_factor) * s for momentum (base = max_momentum) */
// @ts-ignore: decorator
@inline
function fill_row<T, S>(
  out: usize, base: f64, amp: f64, sf_buf: usize, s_buf: usize, k: f64, n: u32, minus: bool,
): void {
  // see: torch/optim/lr_scheduler.py CyclicLR.get_lr, base_height = (max - base) * scale_factor,
  // lr = base_lr + base_height * s, momentum = max_momentum - base_height * s (s = 1: base_height itself)
  let base_v = f64x2.splat(base);
  let amp_v = f64x2.splat(amp);
  let k_v = f64x2.splat(k);
  let i: u32 = 0;
  if (sizeof<T>() == 8) {
    // four values a turn
    for (; i + 3 < n; i += 4) {
      let a = f64x2.mul(amp_v, v128.load(sf_buf + (i << 3)));
      let c = f64x2.mul(amp_v, v128.load(sf_buf + (i << 3), 16));
      if (sizeof<S>() == 2) {
        a = f64x2.mul(a, k_v);
        c = f64x2.mul(c, k_v);
      }
      if (sizeof<S>() == 4) {
        a = f64x2.mul(a, v128.load(s_buf + (i << 3)));
        c = f64x2.mul(c, v128.load(s_buf + (i << 3), 16));
      }
      v128.store(out + (i << 3), minus ? f64x2.sub(base_v, a) : f64x2.add(base_v, a));
      v128.store(out + (i << 3), minus ? f64x2.sub(base_v, c) : f64x2.add(base_v, c), 16);
    }
  }
  for (; i + 1 < n; i += 2) {
    let base_height = f64x2.mul(amp_v, v128.load(sf_buf + (i << 3)));
    if (sizeof<S>() == 2) base_height = f64x2.mul(base_height, k_v);
    if (sizeof<S>() == 4) base_height = f64x2.mul(base_height, v128.load(s_buf + (i << 3)));
    let v = minus ? f64x2.sub(base_v, base_height) : f64x2.add(base_v, base_height);
    // float32 output: each value rounded once from its float64 (Math.fround)
    if (sizeof<T>() == 4) v128.store64_lane(out + (i << 2), f32x4.demote_f64x2_zero(v), 0);
    else v128.store(out + (i << 3), v);
  }
  if (i < n) {
    let base_height = amp * load<f64>(sf_buf + (i << 3));
    if (sizeof<S>() == 2) base_height = base_height * k;
    if (sizeof<S>() == 4) base_height = base_height * load<f64>(s_buf + (i << 3));
    let v = minus ? base - base_height : base + base_height;
    if (sizeof<T>() == 4) store<f32>(out + (i << 2), <f32>v);
    else store<f64>(out + (i << 3), v);
  }
}
