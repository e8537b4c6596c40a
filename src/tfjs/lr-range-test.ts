// The LR range test of Smith, "Cyclical Learning Rates for Training Neural Networks" (2017), section 3.3, with
// pytorch-lr-finder's range_test semantics: lr from startLr to endLr over numIter batches, smoothed loss,
// early stop on divergence; the model's weights and the optimizer's state are put back afterwards.
import { slice as tfSlice, type Optimizer as TfOptimizer, type Tensor } from '@tensorflow/tfjs-core';
import { CyclicLRError, show } from '../errors.js';
import { ownKeys, readKey } from '../options.js';
import { snapshotOptimizer } from './optimizer-snapshot.js';
import { tfOptimizer } from './tf-optimizer.js';

/** What `lrRangeTest` needs of a model: a compiled `tf.LayersModel` (`tf.sequential()`, `tf.model()`). */
export interface RangeTestModel {
  readonly optimizer: TfOptimizer;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  trainOnBatch(x: Tensor | Tensor[], y: Tensor | Tensor[]): Promise<number | number[]>;
}

/** pytorch-lr-finder's `range_test` arguments in camelCase, with its defaults. */
export interface LrRangeTestOptions {
  /** First lr (> 0). Default: the optimizer's current lr. */
  startLr?: number;
  /** Last lr (> startLr). Default 10. */
  endLr?: number;
  /** Batches (≥ 2): lr i of numIter is the i-th step from startLr to endLr. Default 100. */
  numIter?: number;
  /** `'exp'` (default): lrs spaced evenly on a log scale; `'linear'`: evenly. */
  stepMode?: 'exp' | 'linear';
  /** Loss smoothing in [0, 1): smoothed_i = smoothF·loss_i + (1 - smoothF)·smoothed_(i-1); 0: none. Default 0.05. */
  smoothF?: number;
  /** Stop when the smoothed loss exceeds divergeTh × the best one so far (> 1, may be Infinity). Default 5. */
  divergeTh?: number;
  /** Samples per batch; batches go through x in order and start over at its end. Default 32. */
  batchSize?: number;
}

/** The lrs to use, read off the smoothed loss curve (rules in docs/tfjs.md). */
export interface LrSuggestion {
  /** maxLr / 4: Smith's rule of thumb (section 3.3: base_lr 1/3 or 1/4 of max_lr) */
  baseLr: number;
  /** where it stops falling: the lr of the smallest smoothed loss */
  maxLr: number;
  /** the lr where the smoothed loss falls fastest, before its minimum (pytorch-lr-finder's suggestion) */
  steepest: number;
}

/** One entry per batch trained (fewer than numIter after an early stop). */
export interface LrRangeTestResult {
  lrs: number[];
  /** the training loss of each batch, as `trainOnBatch` returned it */
  losses: number[];
  smoothed: number[];
  /** true when the test stopped on divergence (or a non-finite loss) before numIter batches */
  stoppedEarly: boolean;
  suggestion: LrSuggestion;
}

const KEYS = ['startLr', 'endLr', 'numIter', 'stepMode', 'smoothF', 'divergeTh', 'batchSize'];
const bad = (key: string, rule: string, v: unknown) =>
  new CyclicLRError('ERR_INVALID_OPTION', `${key} must be ${rule}, got ${show(v)}`, key);

function resolve(options: LrRangeTestOptions | undefined, currentLr: number) {
  const o = (options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) throw bad('options', 'an object', o);
  for (const k of ownKeys(o, 'options'))
    if (!KEYS.includes(k)) throw bad(k, `one of the options ${KEYS.join(', ')} (unknown key)`, k);
  const get = <T>(k: string, d: T) => (readKey(o, k) ?? d) as unknown;
  const startLr = get('startLr', currentLr);
  if (typeof startLr !== 'number' || !(startLr > 0 && startLr < Infinity))
    throw bad('startLr', 'a positive finite number', startLr);
  const endLr = get('endLr', 10);
  if (typeof endLr !== 'number' || !(endLr > startLr && endLr < Infinity))
    throw bad('endLr', `a finite number > startLr (${startLr})`, endLr);
  const numIter = get('numIter', 100);
  if (typeof numIter !== 'number' || !Number.isSafeInteger(numIter) || numIter < 2)
    throw bad('numIter', 'a whole number ≥ 2', numIter);
  const stepMode = get('stepMode', 'exp');
  if (stepMode !== 'exp' && stepMode !== 'linear') throw bad('stepMode', "'exp' or 'linear'", stepMode);
  const smoothF = get('smoothF', 0.05);
  if (typeof smoothF !== 'number' || !(smoothF >= 0 && smoothF < 1))
    throw bad('smoothF', 'a number in [0, 1)', smoothF);
  const divergeTh = get('divergeTh', 5);
  if (typeof divergeTh !== 'number' || !(divergeTh > 1)) throw bad('divergeTh', 'a number > 1', divergeTh);
  const batchSize = get('batchSize', 32);
  if (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1)
    throw bad('batchSize', 'a whole number ≥ 1', batchSize);
  return { startLr, endLr, numIter, stepMode, smoothF, divergeTh, batchSize };
}

/** lr of batch i: pytorch-lr-finder's ExponentialLR / LinearLR.get_lr() at last_epoch i. @throws never */
export function rangeTestLr(i: number, numIter: number, startLr: number, endLr: number, stepMode: string): number {
  const r = i / (numIter - 1);
  return stepMode === 'exp' ? startLr * (endLr / startLr) ** r : startLr + r * (endLr - startLr);
}

/** The suggestion rules (docs/tfjs.md), on the finite part of the smoothed curve. @throws never */
export function suggestLrs(lrs: readonly number[], smoothed: readonly number[]): LrSuggestion {
  let n = smoothed.findIndex((v) => !Number.isFinite(v));
  if (n === -1) n = smoothed.length;
  const s = smoothed.slice(0, Math.max(1, n));
  let best = 0;
  for (let i = 1; i < s.length; i++) if (s[i] < s[best]) best = i;
  // np.gradient (central differences, one-sided at the ends), as pytorch-lr-finder's suggestion; its argmin
  // among the batches up to the minimum, skipping the first 10 (pytorch-lr-finder's skip_start) when there are more
  let steep = 0;
  let steepest = Infinity;
  for (let i = best > 10 ? 10 : 0; i <= best && s.length > 1; i++) {
    const g = i === 0 ? s[1] - s[0] : i === s.length - 1 ? s[i] - s[i - 1] : (s[i + 1] - s[i - 1]) / 2;
    if (g < steepest) {
      steepest = g;
      steep = i;
    }
  }
  return { baseLr: lrs[best] / 4, maxLr: lrs[best], steepest: lrs[steep] };
}

const rows = (t: Tensor | Tensor[]): number => (Array.isArray(t) ? rows(t[0]) : t.shape[0]);
const slice = (t: Tensor | Tensor[], start: number, size: number): Tensor | Tensor[] =>
  Array.isArray(t) ? t.map((u) => tfSlice(u, start, size)) : tfSlice(t, start, size);
const free = (t: Tensor | Tensor[]) => (Array.isArray(t) ? t.forEach((u) => u.dispose()) : t.dispose());

/**
 * The LR range test (Smith 2017, section 3.3; pytorch-lr-finder's `range_test`): trains `model` on `numIter`
 * batches of (x, y) with the lr rising from `startLr` to `endLr`, records each batch's loss and an
 * exponentially smoothed loss, stops early when the smoothed loss exceeds `divergeTh` × its best (or a loss is
 * not finite), and suggests lrs for `CyclicLR`. Afterwards the model's weights and its optimizer's state are
 * what they were, bit for bit, also when the test throws.
 *
 * @param model a compiled TF.js LayersModel (its optimizer one `tfOptimizer` knows)
 * @param x inputs (a tensor, or a list for a multi-input model), first axis the samples
 * @param y targets, as x
 * @throws {CyclicLRError} `ERR_INVALID_OPTION` for a bad option (naming it), `ERR_OPTIMIZER` when the model
 *   has no optimizer (not compiled) or one `tfOptimizer` does not know; what `trainOnBatch` throws.
 * @example
 * model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'meanSquaredError' });
 * const { suggestion } = await lrRangeTest(model, xs, ys, { startLr: 1e-4, endLr: 1, numIter: 100 });
 * new CyclicLR(tfOptimizer(model.optimizer), { baseLr: suggestion.baseLr, maxLr: suggestion.maxLr });
 */
export async function lrRangeTest(
  model: RangeTestModel,
  x: Tensor | Tensor[],
  y: Tensor | Tensor[],
  options?: LrRangeTestOptions,
): Promise<LrRangeTestResult> {
  const opt = model?.optimizer;
  if (!opt) throw new CyclicLRError('ERR_OPTIMIZER', 'model has no optimizer: compile it first', 'model');
  const [group] = tfOptimizer(opt).paramGroups;
  const { startLr, endLr, numIter, stepMode, smoothF, divergeTh, batchSize } = resolve(options, group.lr);
  const n = rows(x);
  const weights = model.getWeights().map((w) => w.clone());
  const restoreOptimizer = snapshotOptimizer(opt);
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let stoppedEarly = false;
  try {
    let bestLoss = Infinity;
    for (let i = 0, at = 0; i < numIter; i++) {
      const lr = rangeTestLr(i, numIter, startLr, endLr, stepMode);
      group.lr = lr;
      if (at >= n) at = 0;
      const size = Math.min(batchSize, n - at);
      const xb = slice(x, at, size);
      const yb = slice(y, at, size);
      at += size;
      let out: number | number[];
      try {
        out = await model.trainOnBatch(xb, yb);
      } finally {
        free(xb);
        free(yb);
      }
      const loss = Array.isArray(out) ? out[0] : out;
      // see: pytorch-lr-finder LRFinder.range_test
      const s = i === 0 || smoothF === 0 ? loss : smoothF * loss + (1 - smoothF) * smoothed[i - 1];
      if (i === 0 || s < bestLoss) bestLoss = s;
      lrs.push(lr);
      losses.push(loss);
      smoothed.push(s);
      if (!Number.isFinite(s) || s > divergeTh * bestLoss) {
        stoppedEarly = i < numIter - 1;
        break;
      }
    }
  } finally {
    model.setWeights(weights);
    for (const w of weights) w.dispose();
    restoreOptimizer();
  }
  return { lrs, losses, smoothed, stoppedEarly, suggestion: suggestLrs(lrs, smoothed) };
}
