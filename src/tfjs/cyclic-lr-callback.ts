// A model.fit / fitDataset callback that steps a CyclicLR after every batch, counting batches across epochs.
import type { CyclicLR } from '../cyclic-lr.js';
import { CyclicLRError, show } from '../errors.js';

/** The training parameters TF.js gives callbacks (`setParams`). */
export interface FitParams {
  initialEpoch?: number;
  /** fitDataset's `batchesPerEpoch` (or the dataset's size); null for model.fit on tensors */
  steps?: number | null;
  samples?: number | null;
  batchSize?: number;
  [key: string]: unknown;
}

/**
 * A callback object for `model.fit` / `model.fitDataset` (a plain `CustomCallbackArgs` that is also a complete
 * `BaseCallback`, so it can sit in any callbacks list).
 */
export interface CyclicLRCallback {
  params?: FitParams;
  validationData: null;
  setParams(params: FitParams): void;
  setModel(model: unknown): void;
  onTrainBegin(logs?: unknown): Promise<void>;
  onTrainEnd(logs?: unknown): Promise<void>;
  onEpochBegin(epoch: number, logs?: unknown): Promise<void>;
  onEpochEnd(epoch: number, logs?: unknown): Promise<void>;
  onBatchBegin(batch: number, logs?: unknown): Promise<void>;
  onBatchEnd(batch: number, logs?: unknown): Promise<void>;
}

const optionErr = (message: string, key: string) => new CyclicLRError('ERR_INVALID_OPTION', message, key);

/**
 * Writes the values of iteration lastEpoch into the groups again, by stepping to it from lastEpoch - 1: a
 * scheduler just loaded from a stateDict() holds them only in its state (PyTorch restores them with the
 * optimizer's own state dict; a TF.js optimizer saves no lr or momentum).
 */
function reapply(scheduler: CyclicLR): void {
  const state = scheduler.stateDict();
  if (!Number.isSafeInteger(state.last_epoch) || state.last_epoch < 1 || state._step_count < 1) return;
  scheduler.loadStateDict({ ...state, last_epoch: state.last_epoch - 1, _step_count: state._step_count - 1 });
  scheduler.step();
}

/**
 * A `model.fit` / `fitDataset` callback stepping `scheduler` after every batch, in PyTorch's order (the
 * optimizer's step, then `scheduler.step()`), so batch i of the whole run (counted across epochs, while TF.js's
 * `batch` restarts at 0 each epoch) trains with the schedule's value at iteration i. Resuming continues the
 * schedule: at the start of each fit the groups get the values of the scheduler's `lastEpoch` (a scheduler
 * loaded from a `stateDict()` holds them only in its state), and training goes on from there; a fit with
 * `initialEpoch: k`
 * first advances a scheduler that is behind to iteration k × batches per epoch (never back).
 *
 * @throws {CyclicLRError} `ERR_INVALID_OPTION` when `scheduler` has no `step()`; from `fit`, when `initialEpoch`
 *   > 0 needs the batches per epoch and TF.js gives none (fitDataset without `batchesPerEpoch`) while the
 *   scheduler is still at 0; and what `scheduler.step()` throws.
 * @example
 * const scheduler = new CyclicLR(tfOptimizer(opt), { baseLr: 0.001, maxLr: 0.006, stepSizeUp: 2000 });
 * await model.fit(xs, ys, { epochs: 10, batchSize: 32, callbacks: [cyclicLRCallback(scheduler)] });
 */
export function cyclicLRCallback(scheduler: CyclicLR): CyclicLRCallback {
  if (
    scheduler === null ||
    typeof scheduler !== 'object' ||
    typeof scheduler.step !== 'function' ||
    typeof scheduler.stateDict !== 'function'
  )
    throw optionErr(`scheduler must be a CyclicLR (with step() and stateDict()), got ${show(scheduler)}`, 'scheduler');
  const none = async (): Promise<void> => {};
  let first = false;
  return {
    validationData: null,
    setParams(params: FitParams) {
      this.params = params;
    },
    setModel() {},
    async onTrainBegin() {
      reapply(scheduler);
      first = true;
    },
    // `this` is the callback TF.js calls: this object, or the CustomCallback wrapping it (both hold params).
    // The first epoch of a fit is its initialEpoch (fitDataset does not put initialEpoch in params).
    async onEpochBegin(this: { params?: FitParams } | undefined, epoch: number) {
      if (!first) return;
      first = false;
      if (!(epoch > 0)) return;
      const p = this?.params;
      const perEpoch = p?.steps ?? (p?.samples && p.batchSize ? Math.ceil(p.samples / p.batchSize) : null);
      if (!perEpoch) {
        if (scheduler.lastEpoch > 0) return; // a loaded scheduler knows where it is
        throw optionErr(
          `initialEpoch ${epoch} needs the batches per epoch to resume the schedule: ` +
            "give fitDataset batchesPerEpoch, or load the scheduler's stateDict()",
          'initialEpoch',
        );
      }
      const target = epoch * perEpoch;
      while (scheduler.lastEpoch < target) scheduler.step();
    },
    onTrainEnd: none,
    onEpochEnd: none,
    onBatchBegin: none,
    async onBatchEnd() {
      scheduler.step();
    },
  };
}
