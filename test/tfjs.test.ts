// cyclic-lr/tfjs against real TF.js 4.22 training (pure-JS CPU backend): what the optimizer APPLIES per batch,
// PyTorch's update rules in float32, resume, the LR range test, and tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CyclicLR, type CyclicLROptions, CyclicLRError, schedule } from '../src/index.js';
import { cyclicLRCallback, lrRangeTest, lrRangeTestSvg, tfOptimizer } from '../src/tfjs.js';
import { rangeTestLr, suggestLrs } from '../src/tfjs/lr-range-test.js';

const f = Math.fround;
type Any = Record<string, any>; // the optimizers' protected fields, read back as the update uses them
const internals = (opt: tf.Optimizer) => opt as unknown as Any;
const scalarOf = (t: tf.Tensor) => t.dataSync()[0];

beforeAll(async () => {
  await tf.setBackend('cpu');
  (tf.backend() as { firstUse?: boolean }).firstUse = false; // no "use tfjs-node" banner
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CyclicLRError) return e.code;
    throw e;
  }
  return undefined;
}
async function codeOfAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof CyclicLRError) return e.code;
    throw e;
  }
  return undefined;
}

/** a small regression model with fixed weights, and 53 samples (14 batches of 4: the last one of 1) */
function setup(optimizer: tf.Optimizer, seed = 1) {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      units: 5,
      inputShape: [3],
      activation: 'tanh',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const n = 53;
  const xs = tf.tensor2d(
    Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 0.7)),
    [n, 3],
  );
  const ys = tf.tensor2d(
    Array.from({ length: n }, (_, i) => Math.cos(i * 0.3)),
    [n, 1],
  );
  return { model, xs, ys, free: () => tf.dispose([xs, ys]) };
}
const BATCHES = 14;

/** records, at each applyGradients call, what that update reads (not what the groups say) */
function recordApplied(opt: tf.Optimizer, read: (o: Any) => number[]): number[][] {
  const rec: number[][] = [];
  const o = internals(opt);
  const apply = opt.applyGradients.bind(opt);
  o.applyGradients = (g: tf.NamedTensorMap) => {
    rec.push(read(o));
    return apply(g);
  };
  return rec;
}
const readMomentum = (o: Any) => [-scalarOf(o.c), scalarOf(o.m)];
const readAdam = (o: Any) => [f(o.learningRate), f(o.beta1), scalarOf(o.accBeta1), o.iterations + 1];

describe('tfOptimizer: one param group per TF.js optimizer', () => {
  it.each([
    ['sgd', () => tf.train.sgd(0.1), ['kind', 'lr']],
    ['momentum', () => tf.train.momentum(0.1, 0.9), ['kind', 'lr', 'momentum']],
    ['adam', () => tf.train.adam(0.1), ['kind', 'lr', 'betas']],
    ['adamax', () => tf.train.adamax(0.1), ['kind', 'lr', 'betas']],
    ['rmsprop', () => tf.train.rmsprop(0.1, 0.9, 0.5), ['kind', 'lr', 'momentum']],
    ['adagrad', () => tf.train.adagrad(0.1), ['kind', 'lr']],
    ['adadelta', () => tf.train.adadelta(0.1), ['kind', 'lr']],
  ])('tf.train.%s maps to the group keys %j', (_, make, keys) => {
    const opt = make();
    const [g] = tfOptimizer(opt).paramGroups;
    expect(Object.keys(g)).toEqual(keys);
    expect(g.lr).toBe(0.1);
    expect(g.optimizer).toBe(opt);
    opt.dispose();
  });

  it('several optimizers are several groups, in order', () => {
    const a = tf.train.sgd(0.1);
    const b = tf.train.adam(0.2);
    expect(tfOptimizer([a, b]).paramGroups.map((g) => [g.kind, g.lr])).toEqual([
      ['SGD', 0.1],
      ['Adam', 0.2],
    ]);
  });

  it.each([
    ['an empty list', () => tfOptimizer([])],
    [
      'the same optimizer twice',
      () => {
        const o = tf.train.sgd(1);
        return tfOptimizer([o, o]);
      },
    ],
    ['not an optimizer', () => tfOptimizer({} as tf.Optimizer)],
    ['null', () => tfOptimizer([null as unknown as tf.Optimizer])],
    [
      'an optimizer class it does not know',
      () => tfOptimizer({ getClassName: () => 'Lion' } as unknown as tf.Optimizer),
    ],
    [
      'a known class without its internals',
      () => tfOptimizer({ getClassName: () => 'Momentum', learningRate: 1 } as never),
    ],
    ['no numeric learningRate', () => tfOptimizer({ getClassName: () => 'Adagrad' } as never)],
    [
      'RMSProp without accumulatedMoments',
      () => tfOptimizer({ getClassName: () => 'RMSProp', learningRate: 1 } as never),
    ],
  ])('%s is ERR_OPTIMIZER', (_, fn) => {
    expect(codeOf(fn)).toBe('ERR_OPTIMIZER');
  });

  it.each([
    ['sgd', () => tf.train.sgd(0.1)],
    ['adagrad', () => tf.train.adagrad(0.1)],
    ['adadelta', () => tf.train.adadelta(0.1)],
  ])(
    'tf.train.%s has no momentum: cycleMomentum is ERR_OPTIMIZER (as PyTorch), cycleMomentum false works',
    (_, make) => {
      const opt = tfOptimizer(make());
      expect(codeOf(() => new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 }))).toBe('ERR_OPTIMIZER');
      new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false });
      expect(opt.paramGroups[0].lr).toBe(0.01);
    },
  );

  it.each([
    ['lr', NaN],
    ['lr', '0.1'],
    ['momentum', Infinity],
    ['betas', 0.9],
    ['betas', []],
    ['betas', [0.9, 0.99, 0.9]],
    ['betas', [Number.NaN]],
  ])('writing %s = %j is ERR_INVALID_OPTION', (key, value) => {
    const opts = [tf.train.momentum(0.1, 0.9), tf.train.adam(0.1)];
    const groups = tfOptimizer(opts).paramGroups;
    const g = key === 'betas' ? groups[1] : groups[0];
    expect(codeOf(() => Object.assign(g, { [key]: value }))).toBe('ERR_INVALID_OPTION');
  });

  it('reads give what the optimizer applies: Momentum ignores setMomentum() and the learningRate field', () => {
    const opt = tf.train.momentum(0.1, 0.9);
    const [g] = tfOptimizer(opt).paramGroups;
    opt.setMomentum(0.5); // TF.js's update still multiplies by the scalar built in the constructor
    internals(opt).learningRate = 0.7; // ignored by the update (it uses the cached -lr scalar)
    expect([g.lr, g.momentum]).toEqual([f(0.1), f(0.9)]);
    g.momentum = 0.85;
    g.lr = 0.3;
    expect([g.lr, g.momentum]).toEqual([0.3, 0.85]); // float64 back: it rounds to what is applied
    expect([-scalarOf(internals(opt).c), scalarOf(internals(opt).m)]).toEqual([f(0.3), f(0.85)]);
  });

  it('Adam: betas[1] may be written too; both bias corrections become beta ** (step about to be taken)', () => {
    const opt = tf.train.adam(0.1, 0.9, 0.999);
    const [g] = tfOptimizer(opt).paramGroups;
    g.betas = [0.8, 0.99];
    expect(g.betas).toEqual([0.8, 0.99]);
    expect([scalarOf(internals(opt).accBeta1), scalarOf(internals(opt).accBeta2)]).toEqual([f(0.8), f(0.99)]);
    const w = tf.variable(tf.tensor1d([1, 2]));
    opt.minimize(() => tf.sum(tf.mul(w, w)), false, [w]);
    g.betas = [0.85];
    expect([scalarOf(internals(opt).accBeta1), scalarOf(internals(opt).accBeta2)]).toEqual([
      f(0.85 ** 2),
      f(0.99 ** 2),
    ]);
    const max = tf.train.adamax(0.1, 0.9, 0.999);
    const [h] = tfOptimizer(max).paramGroups;
    h.betas = [0.7, 0.95];
    expect([internals(max).beta1, internals(max).beta2, scalarOf(internals(max).accBeta1)]).toEqual([
      0.7,
      0.95,
      f(0.7),
    ]);
    tf.dispose([w]);
  });
});

// the schedule in every test below: a cycle of 9 batches against epochs of 14
const OPTIONS: CyclicLROptions = { baseLr: 0.001, maxLr: 0.05, stepSizeUp: 5, stepSizeDown: 4, mode: 'triangular2' };
const expected = (n: number, options = OPTIONS) => schedule(options, { length: n });

/** model.fit with the callback; what the optimizer applied at each batch */
async function fitApplied(
  opt: tf.Optimizer,
  read: (o: Any) => number[],
  args: tf.ModelFitArgs,
  scheduler = new CyclicLR(tfOptimizer(opt), OPTIONS),
) {
  const { model, xs, ys, free } = setup(opt);
  const rec = recordApplied(opt, read);
  await model.fit(xs, ys, {
    batchSize: 4,
    shuffle: false,
    verbose: 0,
    callbacks: [cyclicLRCallback(scheduler)],
    ...args,
  });
  free();
  return { rec, scheduler, column: (k: number) => rec.map((r) => r[k]) };
}
const f32 = (values: ArrayLike<number>) => Array.from(values, f);

describe('cyclicLRCallback in model.fit: per batch, the optimizer applies fround(schedule())', () => {
  it('Momentum: lr and momentum of every batch over 3 epochs of 14 batches', async () => {
    const { column, scheduler } = await fitApplied(tf.train.momentum(0.01, 0.9), readMomentum, { epochs: 3 });
    const e = expected(3 * BATCHES);
    expect([column(0), column(1)]).toEqual([f32(e.lr[0]), f32(e.momentum![0])]);
    expect(scheduler.lastEpoch).toBe(3 * BATCHES);
  });

  it('Adam: lr, beta1 and the bias correction accBeta1 = beta1_t ** t of every batch', async () => {
    const { column } = await fitApplied(tf.train.adam(0.01, 0.9, 0.999, 1e-8), readAdam, { epochs: 3 });
    const e = expected(3 * BATCHES);
    expect([column(0), column(1)]).toEqual([f32(e.lr[0]), f32(e.momentum![0])]);
    expect(column(2)).toEqual(Array.from(e.momentum![0], (b, i) => f(b ** (i + 1))));
  });

  it('wasm backend: the same applied values (Momentum, 2 epochs)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    try {
      const { column } = await fitApplied(tf.train.momentum(0.01, 0.9), readMomentum, { epochs: 2 });
      const e = expected(2 * BATCHES);
      expect([column(0), column(1)]).toEqual([f32(e.lr[0]), f32(e.momentum![0])]);
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('resume: 3 epochs, JSON stateDict, new model + optimizer + scheduler, load, 2 more == 5 in one go', async () => {
    const momentum = () => tf.train.momentum(0.01, 0.9);
    const once = await fitApplied(momentum(), readMomentum, { epochs: 5 });
    const head = await fitApplied(momentum(), readMomentum, { epochs: 3 });
    const saved = JSON.stringify(head.scheduler.stateDict());
    const optC = momentum();
    const second = new CyclicLR(tfOptimizer(optC), OPTIONS);
    second.loadStateDict(JSON.parse(saved));
    const tail = await fitApplied(optC, readMomentum, { epochs: 5, initialEpoch: 3 }, second);
    expect(tail.rec.length).toBe(2 * BATCHES);
    expect([...head.rec, ...tail.rec]).toEqual(once.rec);
    expect(second.stateDict()).toEqual(once.scheduler.stateDict());
  });

  it('resume with initialEpoch alone: a fresh scheduler is advanced to initialEpoch × batches per epoch', async () => {
    const { column } = await fitApplied(tf.train.momentum(0.01, 0.9), readMomentum, { epochs: 4, initialEpoch: 2 });
    expect(column(0)).toEqual(f32(expected(4 * BATCHES).lr[0].subarray(2 * BATCHES)));
  });

  it('fitDataset: steps across epochs; initialEpoch without batchesPerEpoch is ERR_INVALID_OPTION at 0', async () => {
    const opt = tf.train.momentum(0.01, 0.9);
    const { model, xs, ys, free } = setup(opt);
    const rec = recordApplied(opt, readMomentum);
    const scheduler = new CyclicLR(tfOptimizer(opt), OPTIONS);
    // a generator: a dataset of unknown size, so TF.js gives the callback no batches per epoch
    const data = () =>
      tf.data
        .generator(function* () {
          for (let i = 0; i < 53; i++) yield { xs: xs.slice(i, 1).reshape([3]), ys: ys.slice(i, 1).reshape([1]) };
        })
        .batch(4);
    const cb = cyclicLRCallback(scheduler);
    await model.fitDataset(data(), { epochs: 2, verbose: 0, callbacks: [cb] });
    expect(rec.map((r) => r[0])).toEqual(Array.from(expected(2 * BATCHES).lr[0], f));
    const fresh = new CyclicLR(tfOptimizer(tf.train.momentum(0.01, 0.9)), OPTIONS);
    const err = await codeOfAsync(() =>
      model.fitDataset(data(), { epochs: 3, initialEpoch: 2, verbose: 0, callbacks: [cyclicLRCallback(fresh)] }),
    );
    expect(err).toBe('ERR_INVALID_OPTION');
    await model.fitDataset(data(), { epochs: 3, initialEpoch: 2, verbose: 0, callbacks: [cb] }); // loaded: goes on
    expect(scheduler.lastEpoch).toBe(3 * BATCHES);
    free();
  });

  it('works as a complete BaseCallback too (after a TF.js callback in the list)', async () => {
    const opt = tf.train.momentum(0.01, 0.9);
    const { model, xs, ys, free } = setup(opt);
    const scheduler = new CyclicLR(tfOptimizer(opt), OPTIONS);
    const early = tf.callbacks.earlyStopping({ monitor: 'loss', patience: 100 });
    await model.fit(xs, ys, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: [early, cyclicLRCallback(scheduler) as never],
    });
    expect(scheduler.lastEpoch).toBe(2 * BATCHES);
    free();
  });

  it('a scheduler without step() is ERR_INVALID_OPTION', () => {
    expect(codeOf(() => cyclicLRCallback({} as CyclicLR))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => cyclicLRCallback(null as unknown as CyclicLR))).toBe('ERR_INVALID_OPTION');
  });
});

// custom loops with a known gradient: loss = Σ w·g, so every step's gradient is g exactly
const W0 = [0.5, -0.25, 1, 2];
const G = [0.3, -1.2, 2.5, -0.01];
const LOOP: CyclicLROptions = {
  baseLr: 0.01,
  maxLr: 0.1,
  stepSizeUp: 3,
  stepSizeDown: 2,
  baseMomentum: 0.5,
  maxMomentum: 0.95,
};
const N = 25;
const loopValues = () => {
  const e = expected(N, LOOP);
  return { lr: Array.from(e.lr[0]), mom: Array.from(e.momentum![0]) };
};

/** N steps of opt.minimize; before(t) runs before step t, after(t) after it */
function train(opt: tf.Optimizer, before: (t: number) => void, after: (t: number) => void = () => {}): number[] {
  const w = tf.variable(tf.tensor1d(W0));
  const g = tf.tensor1d(G);
  for (let t = 0; t < N; t++) {
    before(t);
    opt.minimize(() => tf.sum(tf.mul(w, g)), false, [w]);
    after(t);
  }
  const out = Array.from(w.dataSync());
  tf.dispose([w, g]);
  return out;
}
/** the loop as a user writes it: optimizer step, then scheduler step */
function scheduled(opt: tf.Optimizer): number[] {
  const scheduler = new CyclicLR(tfOptimizer(opt), LOOP);
  return train(
    opt,
    () => {},
    () => scheduler.step(),
  );
}
const ULP = 2 ** -24;

describe("custom loops: weights equal a float32 reference of PyTorch's update rules", () => {
  it.each([false, true])(
    'SGD with momentum, nesterov %s (torch/optim/sgd.py): equal to the bit; TF.js setMomentum() differs',
    (nesterov) => {
      const { lr, mom } = loopValues();
      // see: torch/optim/sgd.py _single_tensor_sgd: buf = clone(g) on the first step, then
      // buf.mul_(momentum).add_(g); nesterov: g = g.add(buf, alpha=momentum), else g = buf; param.add_(g, alpha=-lr)
      const p = W0.map(f);
      const buf = [0, 0, 0, 0];
      for (let t = 0; t < N; t++) {
        for (let i = 0; i < 4; i++) {
          buf[i] = t === 0 ? f(G[i]) : f(f(f(mom[t]) * buf[i]) + f(G[i]));
          const d = nesterov ? f(f(G[i]) + f(buf[i] * f(mom[t]))) : buf[i];
          p[i] = f(p[i] + f(f(-lr[t]) * d));
        }
      }
      expect(scheduled(tf.train.momentum(0.01, 0.9, nesterov))).toEqual(p);
      const control = tf.train.momentum(0.01, 0.9, nesterov);
      const theirs = train(control, (t) => {
        control.setLearningRate(lr[t]);
        control.setMomentum(mom[t]); // sets a field the update does not read
      });
      expect(Math.max(...theirs.map((v, i) => Math.abs(v - p[i])))).toBeGreaterThan(1e-3);
    },
  );

  it('Adam (torch/optim/adam.py) with a cycled beta1: within float32 rounding; plain beta1 assignment differs', () => {
    const { lr, mom } = loopValues();
    const [beta2, eps] = [0.999, 1e-8];
    // see: torch/optim/adam.py _single_tensor_adam (amsgrad off, no weight decay)
    const p = W0.map(f);
    const m = [0, 0, 0, 0];
    const v = [0, 0, 0, 0];
    const bound = [0, 0, 0, 0]; // float32 rounding: a few ulps per op, and TF.js's 1 - accBeta2 in float32
    for (let t = 0; t < N; t++) {
      const step = t + 1;
      const beta1 = mom[t];
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = lr[t] / biasCorrection1;
      for (let i = 0; i < 4; i++) {
        m[i] = f(f(m[i] * f(beta1)) + f(G[i] * f(1 - beta1)));
        v[i] = f(f(v[i] * f(beta2)) + f(f(f(G[i]) * f(G[i])) * f(1 - beta2)));
        const denom = f(f(f(Math.sqrt(v[i])) / f(Math.sqrt(biasCorrection2))) + f(eps));
        const delta = f(f(-stepSize) * f(m[i] / denom));
        p[i] = f(p[i] + delta);
        bound[i] +=
          Math.abs(delta) * (16 * ULP + ULP / biasCorrection2 + ULP / biasCorrection1) + 2 * ULP * Math.abs(p[i]);
      }
    }
    const ours = scheduled(tf.train.adam(0.01, 0.9, beta2, eps));
    ours.forEach((w, i) => expect(Math.abs(w - p[i])).toBeLessThanOrEqual(bound[i]));
    const control = tf.train.adam(0.01, 0.9, beta2, eps);
    const theirs = train(control, (t) => {
      Object.assign(control, { learningRate: lr[t], beta1: mom[t] }); // protected fields, read every step
    });
    const off = theirs.map((w, i) => Math.abs(w - p[i]) / bound[i]);
    expect(Math.max(...off)).toBeGreaterThan(100);
  });

  it('Adamax (torch/optim/adamax.py bias correction 1 - beta1_t ** t), cycled beta1; plain assignment differs', () => {
    const { lr, mom } = loopValues();
    const [beta2, eps] = [0.999, 1e-8];
    // see: torch/optim/adamax.py: exp_inf = max(beta2·exp_inf, |g| + eps); param -= lr / (1 - beta1 ** step) ·
    // exp_avg / exp_inf. TF.js puts eps in the divisor instead (u = max(beta2·u, |g|), / (u + eps)): the
    // reference follows TF.js there, PyTorch in the bias correction the adapter sets.
    const p = W0.map(f);
    const m = [0, 0, 0, 0];
    const u = [0, 0, 0, 0];
    const bound = [0, 0, 0, 0];
    for (let t = 0; t < N; t++) {
      const clr = lr[t] / (1 - mom[t] ** (t + 1));
      for (let i = 0; i < 4; i++) {
        m[i] = f(f(m[i] * f(mom[t])) + f(G[i] * f(1 - mom[t])));
        u[i] = Math.max(f(u[i] * f(beta2)), Math.abs(f(G[i])));
        const delta = f(f(-clr) * f(m[i] / f(u[i] + f(eps))));
        p[i] = f(p[i] + delta);
        bound[i] += Math.abs(delta) * (16 * ULP + ULP / (1 - mom[t] ** (t + 1))) + 2 * ULP * Math.abs(p[i]);
      }
    }
    const ours = scheduled(tf.train.adamax(0.01, 0.9, beta2, eps));
    ours.forEach((w, i) => expect(Math.abs(w - p[i])).toBeLessThanOrEqual(bound[i]));
    const control = tf.train.adamax(0.01, 0.9, beta2, eps);
    const theirs = train(control, (t) => Object.assign(control, { learningRate: lr[t], beta1: mom[t] }));
    expect(Math.max(...theirs.map((w, i) => Math.abs(w - p[i]) / bound[i]))).toBeGreaterThan(100);
  });

  it('RMSProp (torch/optim/rmsprop.py, lr outside the momentum buffer) with a cycled lr and momentum', () => {
    const { lr, mom } = loopValues();
    const [alpha, eps] = [0.9, 1e-8];
    // see: torch/optim/rmsprop.py: square_avg = alpha·square_avg + (1 - alpha)·g²; buf = momentum·buf + g / avg;
    // param -= lr·buf. TF.js's avg is sqrt(square_avg + eps) (PyTorch: sqrt(square_avg) + eps): followed here.
    const p = W0.map(f);
    const sq = [0, 0, 0, 0];
    const buf = [0, 0, 0, 0];
    const bound = [0, 0, 0, 0];
    for (let t = 0; t < N; t++) {
      for (let i = 0; i < 4; i++) {
        sq[i] = f(f(sq[i] * f(alpha)) + f(f(G[i] * G[i]) * f(1 - alpha)));
        buf[i] = f(f(mom[t] * buf[i]) + f(G[i] / f(Math.sqrt(f(sq[i] + f(eps))))));
        const delta = f(lr[t] * buf[i]);
        p[i] = f(p[i] - delta);
        bound[i] += Math.abs(delta) * 64 * ULP + 2 * ULP * Math.abs(p[i]); // (M rescaled each step: 1 rounding)
      }
    }
    const ours = scheduled(tf.train.rmsprop(0.01, alpha, 0.9, eps));
    ours.forEach((w, i) => expect(Math.abs(w - p[i])).toBeLessThanOrEqual(bound[i]));
    const control = tf.train.rmsprop(0.01, alpha, 0.9, eps);
    const theirs = train(control, (t) => Object.assign(control, { learningRate: lr[t], momentum: mom[t] }));
    expect(Math.max(...theirs.map((w, i) => Math.abs(w - p[i]) / bound[i]))).toBeGreaterThan(100);
  });
});

describe('no tensor leaks', () => {
  it('numTensors is the same after 1,000 steps as after 10 (every optimizer kind), and after more fit', async () => {
    const opts = [
      tf.train.sgd(0.1),
      tf.train.momentum(0.1, 0.9),
      tf.train.adam(0.1),
      tf.train.adamax(0.1),
      tf.train.rmsprop(0.1, 0.9, 0.5),
      tf.train.adagrad(0.1),
      tf.train.adadelta(0.1),
    ];
    const groups = tfOptimizer(opts);
    const scheduler = new CyclicLR(groups, { ...LOOP, cycleMomentum: false });
    const momentum = new CyclicLR(tfOptimizer([opts[1], opts[4]]), LOOP);
    const betas = new CyclicLR(tfOptimizer([opts[2], opts[3]]), LOOP);
    const ws = opts.map(() => tf.variable(tf.tensor1d(W0)));
    const g = tf.tensor1d(G);
    const steps = (n: number) => {
      for (let k = 0; k < n; k++) {
        opts.forEach((opt, j) => opt.minimize(() => tf.sum(tf.mul(ws[j], g)), false, [ws[j]]));
        scheduler.step();
        momentum.step();
        betas.step();
        for (const grp of groups.paramGroups) void [grp.lr, grp.momentum, grp.betas];
      }
    };
    steps(10);
    const after10 = tf.memory().numTensors;
    steps(990);
    expect(tf.memory().numTensors).toBe(after10);

    const opt = tf.train.adam(0.01);
    const { model, xs, ys, free } = setup(opt);
    const cb = cyclicLRCallback(new CyclicLR(tfOptimizer(opt), OPTIONS));
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [cb] });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [cb] });
    expect(tf.memory().numTensors).toBe(before);
    free();
  });
});

/** every own field of an optimizer as plain data (tensors as their values): its whole state */
function optimizerState(opt: tf.Optimizer, names = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opt)) {
    if (v instanceof tf.Tensor) out[k] = Array.from(v.dataSync());
    else if (Array.isArray(v))
      out[k] = v.map((s) => (s?.variable ? [names && s.originalName, Array.from(s.variable.dataSync())] : s));
    else out[k] = v;
  }
  return out;
}
const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('lrRangeTest (Smith 2017 §3.3, pytorch-lr-finder range_test)', () => {
  it.each([
    ['exp', (lrs: number[]) => lrs.slice(1).map((lr, i) => lr / lrs[i])],
    ['linear', (lrs: number[]) => lrs.slice(1).map((lr, i) => lr - lrs[i])],
  ] as const)(
    'stepMode %s: lrs from startLr to endLr, evenly spaced (ratios / differences equal)',
    async (stepMode, gaps) => {
      const { model, xs, ys, free } = setup(tf.train.sgd(0.01));
      const r = await lrRangeTest(model, xs, ys, { startLr: 1e-5, endLr: 1e-3, numIter: 20, stepMode, batchSize: 8 });
      expect(r.lrs.length).toBe(20);
      expect(r.losses.length).toBe(20);
      expect(r.stoppedEarly).toBe(false);
      expect(r.lrs[0]).toBe(1e-5);
      expect(r.lrs[19]).toBeCloseTo(1e-3, 15);
      const g = gaps(r.lrs);
      for (const d of g) expect(d / g[0]).toBeCloseTo(1, 12);
      // pytorch-lr-finder: ExponentialLR / LinearLR get_lr() at last_epoch i
      r.lrs.forEach((lr, i) =>
        expect(lr).toBe(stepMode === 'exp' ? 1e-5 * (1e-3 / 1e-5) ** (i / 19) : 1e-5 + (i / 19) * (1e-3 - 1e-5)),
      );
      // smoothed_i = smoothF·loss_i + (1 - smoothF)·smoothed_(i-1), smoothed_0 = loss_0
      r.smoothed.forEach((s, i) => expect(s).toBe(i ? 0.05 * r.losses[i] + 0.95 * r.smoothed[i - 1] : r.losses[0]));
      free();
    },
  );

  it('stops early when the smoothed loss exceeds divergeTh × the best; smoothF 0 is the raw loss', async () => {
    const { model, xs, ys, free } = setup(tf.train.sgd(0.01));
    const r = await lrRangeTest(model, [xs], [ys], {
      startLr: 1e-3,
      endLr: 1e6,
      numIter: 200,
      smoothF: 0,
      divergeTh: 3,
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.lrs.length).toBeLessThan(200);
    expect(r.smoothed).toEqual(r.losses);
    const last = r.smoothed[r.smoothed.length - 1];
    const best = Math.min(...r.smoothed.slice(0, -1));
    expect(!Number.isFinite(last) || last > 3 * best).toBe(true);
    r.smoothed
      .slice(0, -1)
      .forEach((s, i) => expect(s).toBeLessThanOrEqual(3 * Math.min(...r.smoothed.slice(0, i + 1))));
    free();
  });

  it.each([
    ['Momentum, trained', () => tf.train.momentum(0.01, 0.9), true],
    ['Adam, trained', () => tf.train.adam(0.01), true],
    ['RMSProp, fresh (no accumulators yet)', () => tf.train.rmsprop(0.01, 0.9, 0.5), false],
  ])(
    '%s: weights and optimizer state restored bit for bit; training afterwards as without the test',
    async (_, make, pretrain) => {
      const twins = [make(), make()].map((opt) => ({ opt, ...setup(opt) }));
      for (const t of twins) {
        if (pretrain) await t.model.fit(t.xs, t.ys, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
      }
      const [a, b] = twins;
      const weights = weightsOf(a.model);
      const state = optimizerState(a.opt);
      const tensors = tf.memory().numTensors;
      const r = await lrRangeTest(a.model, a.xs, a.ys, { startLr: 1e-4, endLr: 100, numIter: 60, batchSize: 8 });
      expect(r.lrs.length).toBeGreaterThan(10);
      expect(weightsOf(a.model)).toEqual(weights);
      expect(optimizerState(a.opt)).toEqual(state);
      expect(tf.memory().numTensors).toBe(tensors);
      for (const t of twins) await t.model.fit(t.xs, t.ys, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
      expect(weightsOf(a.model)).toEqual(weightsOf(b.model));
      expect(optimizerState(a.opt, false)).toEqual(optimizerState(b.opt, false)); // (variable names differ)
      a.free();
      b.free();
    },
  );

  it('restores also when training throws (and rethrows)', async () => {
    const { model, xs, free } = setup(tf.train.adam(0.01));
    const weights = weightsOf(model);
    const wrong = tf.zeros([53, 7]);
    await expect(lrRangeTest(model, xs, wrong, { numIter: 5 })).rejects.toThrow();
    expect(weightsOf(model)).toEqual(weights);
    tf.dispose([wrong]);
    free();
  });

  it.each([
    [{ startLr: 0 }],
    [{ startLr: Number.NaN }],
    [{ endLr: 1e-5 }],
    [{ endLr: Infinity }],
    [{ numIter: 1 }],
    [{ numIter: 2.5 }],
    [{ stepMode: 'cos' }],
    [{ smoothF: 1 }],
    [{ smoothF: -0.1 }],
    [{ divergeTh: 1 }],
    [{ divergeTh: '5' }],
    [{ batchSize: 0 }],
    [{ num_iter: 10 }],
  ])('options %j are ERR_INVALID_OPTION', async (options) => {
    const { model, xs, ys, free } = setup(tf.train.sgd(0.01));
    expect(await codeOfAsync(() => lrRangeTest(model, xs, ys, options as never))).toBe('ERR_INVALID_OPTION');
    expect(await codeOfAsync(() => lrRangeTest(model, xs, ys, 5 as never))).toBe('ERR_INVALID_OPTION');
    free();
  });

  it('a model without an optimizer (not compiled) is ERR_OPTIMIZER', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    const x = tf.zeros([4, 1]);
    expect(await codeOfAsync(() => lrRangeTest(model, x, x))).toBe('ERR_OPTIMIZER');
    tf.dispose([x]);
  });

  const at = (i: number) => 10 ** (-4 + i / 10);
  it.each([
    // [curve, index of its minimum (maxLr; baseLr is a quarter of it), index of the steepest descent before it]
    ['flat, fall, rise', [...Array(12).fill(1), 0.95, 0.85, 0.6, 0.45, 0.4, 0.3, 0.25, 0.28, 0.5, 2], 18, 14],
    ['never falls: the start', [1, 1.1, 1.3, 2], 0, 0],
    ['a diverged last point (not finite) is left out', [1, 0.8, 0.5, 0.4, Number.POSITIVE_INFINITY], 3, 1],
    ['one point', [1], 0, 0],
    ['the steepest descent after the minimum does not count', [1, 0.9, 0.7, 0.65, 0.6, 3, 1, 0.7], 4, 1],
  ])('suggestion rules: %s', (_, smoothed, max, steepest) => {
    const lrs = smoothed.map((_, i) => at(i));
    expect(suggestLrs(lrs, smoothed)).toEqual({ baseLr: lrs[max] / 4, maxLr: lrs[max], steepest: lrs[steepest] });
  });

  it('rangeTestLr is pytorch-lr-finder get_lr(): start·(end/start)^(i/(n-1)), start + i/(n-1)·(end - start)', () => {
    expect([0, 1, 2].map((i) => rangeTestLr(i, 3, 0.01, 1, 'exp'))).toEqual([0.01, 0.01 * 100 ** 0.5, 1]);
    expect([0, 1, 2].map((i) => rangeTestLr(i, 3, 0.5, 1, 'linear'))).toEqual([0.5, 0.75, 1]);
  });

  it('lrRangeTestSvg: loss dots, the smoothed line and the three suggestions on a log lr axis', () => {
    const smoothed = [1, 1, 0.9, 0.6, 0.4, 0.35, 0.5, 3];
    const lrs = smoothed.map((_, i) => at(i * 4));
    const result = { lrs, losses: smoothed, smoothed, stoppedEarly: true, suggestion: suggestLrs(lrs, smoothed) };
    const svg = lrRangeTestSvg(result, 'a <test>');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt;test&gt;');
    expect(svg).toContain('stopped early');
    expect(svg.match(/<circle /g)?.length).toBe(8);
    expect(svg.match(/data-suggestion="(baseLr|steepest|maxLr)"/g)?.length).toBe(3);
    expect(svg).toContain('class="smoothed"');
    const empty = lrRangeTestSvg({
      lrs: [],
      losses: [],
      smoothed: [],
      stoppedEarly: false,
      suggestion: result.suggestion,
    });
    expect(empty).not.toContain('data-suggestion');
    const flat = lrRangeTestSvg({
      lrs: [0.1],
      losses: [1],
      smoothed: [1],
      stoppedEarly: false,
      suggestion: suggestLrs([0.1], [1]),
    });
    expect(flat).toContain('<circle');
  });
});
