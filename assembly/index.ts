import { pow_prepare, pow_fixed } from "./pow";

// scale kinds, mirrored in src/plan.ts
// @ts-ignore: decorator
@inline const TRIANGULAR: i32 = 0;
// @ts-ignore: decorator
@inline const TRIANGULAR2: i32 = 1;
// @ts-ignore: decorator
@inline const EXP_RANGE: i32 = 2;
// @ts-ignore: decorator
@inline const TABLE_CYCLE: i32 = 3;
// @ts-ignore: decorator
@inline const TABLE_ITER: i32 = 4;
/** iterations per block: the shape of a block (sf, s) stays in cache while every group is written */
// @ts-ignore: decorator
@inline const BLOCK: u32 = 512;

/** Bytes of scratch the kernel needs at `scratch` (sf and s of one block); read by src/wasm.ts. */
export function scratch_bytes(): u32 {
  return BLOCK * 16;
}

/** First free byte after the kernel's static data; src/wasm.ts lays scratch and results out from here. */
export function heap_base(): usize {
  return __heap_base;
}

/** pow(gamma, t) as CPython's float ** int computes it with glibc's no-FMA pow; for tests of src/pow.ts. */
export function pow_int(gamma: f64, t: f64): f64 {
  if (gamma != 0) pow_prepare(abs(gamma));
  return exp_scale(gamma, t, gamma < 0);
}

// @ts-ignore: decorator
@inline
function exp_scale(gamma: f64, t: f64, neg: bool): f64 {
  // see: torch/optim/lr_scheduler.py CyclicLR._exp_range_scale_fn, gamma ** x; CPython float_pow special cases
  if (t == 0) return 1.0;
  if (gamma == 0) return 0.0;
  let s = pow_fixed(t);
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

/**
 * Writes lr (and momentum) of `groups` param groups at last_epoch t = start + i, i in [0, length), into
 * rows of `stride` f64 at lr_ptr (mom_ptr, 0 for none); group g's base_lr, max_lr - base_lr, max_momentum,
 * max_momentum - base_momentum are the 4 f64 at params + 32 g. kind picks the scale s: 1 (triangular),
 * 1 / 2 ** (cycle - 1) (triangular2), gamma ** t (exp_range), table[cycle - c0] or table[i] (a custom
 * scale_fn, evaluated by the caller). Called by src/wasm.ts for schedule() and CyclicLR.
 */
export function fill(
  start: f64, length: u32, total_size: f64, step_ratio: f64,
  kind: i32, gamma: f64, table: usize, c0: f64,
  groups: u32, params: usize, lr_ptr: usize, mom_ptr: usize, stride: u32, scratch: usize,
): void {
  let neg = gamma < 0;
  if (kind == EXP_RANGE && gamma != 0) pow_prepare(abs(gamma));
  let sf_buf = scratch;
  let s_buf = scratch + (BLOCK << 3);
  let total_v = f64x2.splat(total_size);
  let ratio_v = f64x2.splat(step_ratio);
  let ratio_m1_v = f64x2.splat(step_ratio - 1);
  let one_v = f64x2.splat(1.0);
  let start_v = f64x2.splat(start);
  let has_s = kind != TRIANGULAR;
  for (let b: u32 = 0; b < length; b += BLOCK) {
    let n = min(BLOCK, length - b);
    // the shape of the block, shared by every group
    // see: torch/optim/lr_scheduler.py CyclicLR.get_lr
    let i: u32 = 0;
    for (; i + 1 < n; i += 2) {
      let t = f64x2.add(start_v, f64x2(<f64>(b + i), <f64>(b + i + 1)));
      let q = f64x2.div(t, total_v);
      let cycle = f64x2.floor(f64x2.add(one_v, q));
      let x = f64x2.sub(f64x2.add(one_v, q), cycle);
      let up = f64x2.div(x, ratio_v);
      let down = f64x2.div(f64x2.sub(x, one_v), ratio_m1_v);
      let scale_factor = v128.bitselect(up, down, f64x2.le(x, ratio_v));
      v128.store(sf_buf + (i << 3), scale_factor);
      if (has_s) {
        v128.store(s_buf + (i << 3), f64x2(
          scale_of(kind, f64x2.extract_lane(t, 0), f64x2.extract_lane(cycle, 0), b + i, gamma, neg, table, c0),
          scale_of(kind, f64x2.extract_lane(t, 1), f64x2.extract_lane(cycle, 1), b + i + 1, gamma, neg, table, c0),
        ));
      }
    }
    if (i < n) {
      let t = start + <f64>(b + i);
      let q = t / total_size;
      let cycle = Math.floor(1.0 + q);
      let x = 1.0 + q - cycle;
      let scale_factor = x <= step_ratio ? x / step_ratio : (x - 1) / (step_ratio - 1);
      store<f64>(sf_buf + (i << 3), scale_factor);
      if (has_s) store<f64>(s_buf + (i << 3), scale_of(kind, t, cycle, b + i, gamma, neg, table, c0));
    }
    // every group from the shape
    for (let g: u32 = 0; g < groups; g++) {
      let p = params + (g << 5);
      let row = (<usize>g * stride + b) << 3;
      fill_row(lr_ptr + row, load<f64>(p, 0), load<f64>(p, 8), sf_buf, s_buf, n, has_s, false);
      if (mom_ptr) fill_row(mom_ptr + row, load<f64>(p, 16), load<f64>(p, 24), sf_buf, s_buf, n, has_s, true);
    }
  }
}

// @ts-ignore: decorator
@inline
function scale_of(kind: i32, t: f64, cycle: f64, i: u32, gamma: f64, neg: bool, table: usize, c0: f64): f64 {
  if (kind == TRIANGULAR2) return 1.0 / pow2(cycle - 1);
  if (kind == EXP_RANGE) return exp_scale(gamma, t, neg);
  if (kind == TABLE_CYCLE) return load<f64>(table + (<usize>(cycle - c0) << 3));
  return load<f64>(table + (<usize>i << 3));
}

/** base + (amp * scale_factor) * s for lr; base - (amp * scale_factor) * s for momentum (base = max_momentum). */
// @ts-ignore: decorator
@inline
function fill_row(out: usize, base: f64, amp: f64, sf_buf: usize, s_buf: usize, n: u32, has_s: bool, minus: bool): void {
  // see: torch/optim/lr_scheduler.py CyclicLR.get_lr, base_height = (max - base) * scale_factor
  let base_v = f64x2.splat(base);
  let amp_v = f64x2.splat(amp);
  let i: u32 = 0;
  for (; i + 1 < n; i += 2) {
    let base_height = f64x2.mul(amp_v, v128.load(sf_buf + (i << 3)));
    if (has_s) base_height = f64x2.mul(base_height, v128.load(s_buf + (i << 3)));
    v128.store(out + (i << 3), minus ? f64x2.sub(base_v, base_height) : f64x2.add(base_v, base_height));
  }
  if (i < n) {
    let base_height = amp * load<f64>(sf_buf + (i << 3));
    if (has_s) base_height = base_height * load<f64>(s_buf + (i << 3));
    store<f64>(out + (i << 3), minus ? base - base_height : base + base_height);
  }
}
