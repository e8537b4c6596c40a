// TF.js optimizers as PyTorch-like param groups: accessor properties that apply lr, momentum and betas the way
// PyTorch's optimizers use them, by writing the fields TF.js 4.22 actually reads in applyGradients().
import {
  keep,
  mul,
  scalar,
  tidy,
  type Optimizer as TfOptimizer,
  type Scalar,
  type Variable,
} from '@tensorflow/tfjs-core';
import type { Optimizer, ParamGroup } from '../cyclic-lr.js';
import { CyclicLRError, show } from '../errors.js';

/** The TF.js optimizer classes `tfOptimizer` knows (their `getClassName()`). */
export type TfOptimizerKind = 'SGD' | 'Momentum' | 'Adam' | 'Adamax' | 'RMSProp' | 'Adagrad' | 'Adadelta';

/** A param group backed by one TF.js optimizer: reading gives what it applies, writing applies it. */
export interface TfParamGroup extends ParamGroup {
  lr: number;
  /** the TF.js optimizer behind this group */
  readonly optimizer: TfOptimizer;
  /** its class, e.g. `'Momentum'` */
  readonly kind: TfOptimizerKind;
}

/** what `tfOptimizer` returns: an `Optimizer` for `CyclicLR`, one group per TF.js optimizer */
export interface TfOptimizerGroups extends Optimizer {
  paramGroups: TfParamGroup[];
}

/** the fields of TF.js 4.22's optimizers this adapter reads and writes (protected/private in the typings) */
interface Internals {
  learningRate: number;
  readonly iterations: number;
  setLearningRate?: (lr: number) => void;
  /** SGD, Momentum: -lr as a float32 scalar, cached (assigning learningRate is ignored) */
  c?: Scalar;
  momentum?: number;
  /** Momentum: the momentum scalar built in the constructor (setMomentum() does not replace it) */
  m?: Scalar;
  beta1?: number;
  beta2?: number;
  /** Adam, Adamax: the divisor 1 - accBeta1 is the bias correction */
  accBeta1?: Variable;
  accBeta2?: Variable;
  /** RMSProp: lr × the PyTorch momentum buffer */
  accumulatedMoments?: ({ variable: Variable } | undefined)[];
}

const KINDS: readonly string[] = ['SGD', 'Momentum', 'Adam', 'Adamax', 'RMSProp', 'Adagrad', 'Adadelta'];
const optErr = (message: string, key?: string) => new CyclicLRError('ERR_OPTIMIZER', message, key);

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new CyclicLRError('ERR_INVALID_OPTION', `${name} must be a finite number, got ${show(v)}`, name);
  return v;
}

/** a float64 value and the float32 TF.js applies: the float64 when it rounds to that float32, else the float32 */
function applied(wanted: number, tensor: Scalar, sign: 1 | -1): number {
  const f = sign * tensor.dataSync()[0];
  return Math.fround(wanted) === f ? wanted : f;
}

function kindOf(opt: unknown, at: string): TfOptimizerKind {
  let name: unknown;
  try {
    name = (opt as { getClassName(): unknown }).getClassName();
  } catch {
    throw optErr(`${at} must be a TF.js optimizer (tf.train.*), got ${show(opt)}`, 'optimizer');
  }
  if (typeof name !== 'string' || !KINDS.includes(name)) {
    throw optErr(
      `${at} is a TF.js optimizer tfOptimizer does not know (${show(name)}): it handles ${KINDS.join(', ')}`,
      'optimizer',
    );
  }
  return name as TfOptimizerKind;
}

/** the fields a kind needs, checked up front: a TF.js version that renamed one is an error, not a no-op */
function checkInternals(o: Internals, kind: TfOptimizerKind, at: string): void {
  const tensor = (k: keyof Internals) => {
    const v = o[k] as { dataSync?: unknown } | undefined;
    if (!v || typeof v.dataSync !== 'function')
      throw optErr(`${at} (${kind}) has no ${String(k)} tensor: not the TF.js 4 optimizer this adapter knows`, k);
  };
  if (typeof o.learningRate !== 'number') throw optErr(`${at} (${kind}) has no numeric learningRate`, 'learningRate');
  if (kind === 'SGD' || kind === 'Momentum') tensor('c');
  if (kind === 'Momentum') tensor('m');
  if (kind === 'Adam' || kind === 'Adamax') tensor('accBeta1');
  if (kind === 'Adam') tensor('accBeta2');
  if (kind === 'RMSProp' && !Array.isArray(o.accumulatedMoments))
    throw optErr(`${at} (RMSProp) has no accumulatedMoments list`, 'accumulatedMoments');
}

function setLr(o: Internals, kind: TfOptimizerKind, lr: number): void {
  if (kind === 'SGD' || kind === 'Momentum') {
    o.setLearningRate!(lr); // disposes the cached scalar and keeps a new one
    return;
  }
  if (kind === 'RMSProp' && lr !== o.learningRate && o.learningRate !== 0) {
    // TF.js keeps lr inside the momentum buffer (M = lr·buf); PyTorch multiplies buf by the current lr
    // (torch/optim/rmsprop.py: param.add_(buf, alpha=-lr)): rescale M so it is lr_new·buf
    const ratio = lr / o.learningRate;
    tidy(() => {
      for (const acc of o.accumulatedMoments!) if (acc) acc.variable.assign(mul(acc.variable, ratio));
    });
  }
  o.learningRate = lr;
}

/**
 * β1 (and β2) with PyTorch's bias corrections 1 - β1_t^t (torch/optim/adam.py, adamax.py: `1 - beta1 ** step`
 * with the current β1): TF.js divides by 1 - accBeta1 and then multiplies accBeta1 by β1, so accBeta1 = β1^t
 * for the step t about to be taken stays right while β1 stays. accBeta2 is set the same way (one rounding,
 * instead of TF.js's running float32 product).
 */
function setBetas(o: Internals, b: readonly number[]): void {
  o.beta1 = b[0];
  if (b.length === 2) o.beta2 = b[1];
  const t = o.iterations + 1; // torch: state['step'] after `+= 1`
  tidy(() => {
    o.accBeta1!.assign(scalar(o.beta1! ** t));
    if (o.accBeta2) o.accBeta2.assign(scalar(o.beta2! ** t));
  });
}

function group(opt: TfOptimizer, g: number): TfParamGroup {
  const at = `optimizers[${g}]`;
  if (opt === null || typeof opt !== 'object') throw optErr(`${at} must be a TF.js optimizer, got ${show(opt)}`);
  const kind = kindOf(opt, at);
  const o = opt as unknown as Internals;
  checkInternals(o, kind, at);
  const props: PropertyDescriptorMap = {
    optimizer: { value: opt, enumerable: false },
    kind: { value: kind, enumerable: true },
    lr: {
      enumerable: true,
      get: () => (o.c ? applied(o.learningRate, o.c, -1) : o.learningRate),
      set: (v: unknown) => setLr(o, kind, finite('lr', v)),
    },
  };
  if (kind === 'Momentum') {
    props.momentum = {
      enumerable: true,
      get: () => applied(o.momentum!, o.m!, 1),
      set: (v: unknown) => {
        const m = finite('momentum', v);
        const old = o.m!;
        o.m = keep(scalar(m)); // what applyGradients multiplies by (setMomentum() only sets a field)
        old.dispose();
        o.momentum = m;
      },
    };
  } else if (kind === 'RMSProp') {
    props.momentum = {
      enumerable: true,
      get: () => o.momentum,
      set: (v: unknown) => {
        o.momentum = finite('momentum', v);
      },
    };
  } else if (kind === 'Adam' || kind === 'Adamax') {
    props.betas = {
      enumerable: true,
      get: () => [o.beta1, o.beta2],
      set: (v: unknown) => {
        if (!Array.isArray(v) || v.length < 1 || v.length > 2)
          throw new CyclicLRError(
            'ERR_INVALID_OPTION',
            `betas must be [beta1] or [beta1, beta2], got ${show(v)}`,
            'betas',
          );
        setBetas(
          o,
          v.map((x, k) => finite(`betas[${k}]`, x)),
        );
      },
    };
  }
  return Object.defineProperties({}, props) as TfParamGroup;
}

/**
 * TF.js optimizers as an `Optimizer` for {@link CyclicLR}: one param group per optimizer, whose `lr`,
 * `momentum` and `betas` apply to the TF.js optimizer the way PyTorch's optimizers use them:
 * SGD (`lr`, via `setLearningRate`), Momentum (`lr`; `momentum` by replacing the scalar the update uses, as
 * `setMomentum()` does not), Adam and Adamax (`lr`; `betas[0]` with PyTorch's bias correction 1 - β1_t^t),
 * RMSProp (`lr`, with PyTorch's lr outside the momentum buffer; `momentum`), Adagrad and Adadelta (`lr`; no
 * momentum: schedule them with `cycleMomentum: false`). Reading a group gives what the optimizer will apply.
 *
 * @param optimizers a TF.js optimizer (`tf.train.*`) or a list of them (one group each, for custom loops)
 * @throws {CyclicLRError} `ERR_OPTIMIZER` for an empty list, a repeated optimizer, an optimizer it does not
 *   know (or a TF.js version whose internals differ); `ERR_INVALID_OPTION` when a non-finite value is written.
 * @example
 * const opt = tf.train.momentum(0.001, 0.9);
 * const scheduler = new CyclicLR(tfOptimizer(opt), { baseLr: 0.001, maxLr: 0.006, stepSizeUp: 2000 });
 */
export function tfOptimizer(optimizers: TfOptimizer | readonly TfOptimizer[]): TfOptimizerGroups {
  const list = Array.isArray(optimizers) ? optimizers : [optimizers as TfOptimizer];
  if (list.length === 0) throw optErr('optimizers must be a TF.js optimizer or a non-empty list of them', 'optimizer');
  list.forEach((opt, g) => {
    if (list.indexOf(opt) !== g)
      throw optErr(`optimizers[${g}] is optimizers[${list.indexOf(opt)}] again: one group per optimizer`, 'optimizer');
  });
  return { paramGroups: list.map(group) };
}
