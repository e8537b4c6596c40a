// The JS reference twin of the kernel (assembly/index.ts fill): the same expressions in the same order, so
// both backends give the same bits. It is the `backend: 'js'` path and what the property tests hold the
// kernel to.
import {
  type Chunk,
  type Plan,
  TRIANGULAR,
  TRIANGULAR2,
  EXP_RANGE,
  EXP_RANGE_FMA,
  TABLE_CYCLE,
  cycleOf,
  triangular2Scale,
} from './plan.js';
import { expScale } from './pow.js';

const BLOCK = 512;
const sfBuf = new Float64Array(BLOCK);
const sBuf = new Float64Array(BLOCK);

/** Writes one chunk of the plan into rows lr[g] (and mom[g]) at chunk.offset, with the JS twin of the kernel. */
export function fillJs(
  plan: Plan,
  chunk: Chunk,
  lr: (Float64Array | Float32Array)[],
  mom: (Float64Array | Float32Array)[] | null,
): void {
  const { totalSize, stepRatio, params } = plan;
  const { kind, table, c0 } = chunk;
  const start = plan.start + chunk.offset;
  const hasS = kind !== TRIANGULAR;
  for (let b = 0; b < chunk.length; b += BLOCK) {
    const n = Math.min(BLOCK, chunk.length - b);
    for (let i = 0; i < n; i++) {
      // see: torch/optim/lr_scheduler.py CyclicLR.get_lr
      const t = start + (b + i);
      const cycle = cycleOf(t, totalSize);
      const x = 1 + t / totalSize - cycle;
      sfBuf[i] = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
      if (!hasS) continue;
      if (kind === TRIANGULAR2) sBuf[i] = triangular2Scale(cycle);
      else if (kind === EXP_RANGE || kind === EXP_RANGE_FMA) sBuf[i] = expScale(plan.gamma, plan.powBase, t);
      else if (kind === TABLE_CYCLE) sBuf[i] = table![cycle - c0];
      else sBuf[i] = table![b + i];
    }
    for (let g = 0; g < plan.groups; g++) {
      const at = chunk.offset + b;
      fillRow(lr[g], at, params[4 * g], params[4 * g + 1], n, hasS, false);
      if (mom) fillRow(mom[g], at, params[4 * g + 2], params[4 * g + 3], n, hasS, true);
    }
  }
}

function fillRow(
  out: Float64Array | Float32Array,
  at: number,
  base: number,
  amp: number,
  n: number,
  hasS: boolean,
  minus: boolean,
): void {
  // see: CyclicLR.get_lr, base_height = (max - base) * scale_factor; lr = base_lr + base_height * s,
  // momentum = max_momentum - base_height * s
  for (let i = 0; i < n; i++) {
    let baseHeight = amp * sfBuf[i];
    if (hasS) baseHeight = baseHeight * sBuf[i];
    out[at + i] = minus ? base - baseHeight : base + baseHeight; // a Float32Array rounds it once: Math.fround
  }
}
