// Properties from the math and between paths: dense ≡ stateful, state dict round trips, bounds, periodicity,
// triangular2's halving amplitude.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CyclicLR, schedule } from '../src/index.js';
import { SCALE_FN_FAMILY } from './helpers/arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? 20261125);
const RUNS = Number(process.env.FC_RUNS ?? 2000);

const cfgArb = fc
  .record({
    baseLr: fc.double({ min: 0, max: 1, noNaN: true }),
    maxLr: fc.double({ min: 0, max: 2, noNaN: true }),
    stepSizeUp: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.5, max: 60, noNaN: true })),
    stepSizeDown: fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 0, max: 60 }),
      fc.double({ min: 0, max: 60, noNaN: true }),
    ),
    mode: fc.constantFrom('triangular', 'triangular2', 'exp_range'),
    gamma: fc.double({ min: 0.9, max: 1, noNaN: true }),
    scaleFn: fc.option(fc.constantFrom('half', 'invSqrt', 'lin', 'wave'), { nil: undefined }),
    scaleMode: fc.constantFrom('cycle', 'iterations'),
    cycleMomentum: fc.boolean(),
    groups: fc.integer({ min: 1, max: 3 }),
  })
  .map((c) => ({ ...c, scaleFn: c.scaleFn ? SCALE_FN_FAMILY[c.scaleFn] : null }));
const sgd = (G: number) => ({
  paramGroups: Array.from({ length: G }, () => ({ lr: 0.5, momentum: 0.5 }) as Record<string, number>),
});

describe('dense ≡ stateful', () => {
  it(
    "a scheduler stepped n times holds schedule()'s values at every step, resumed ones too " +
      `(${Math.floor(RUNS / 4)} runs)`,
    () => {
      fc.assert(
        fc.property(cfgArb, fc.integer({ min: 1, max: 300 }), fc.integer({ min: -1, max: 500 }), (o, n, k) => {
          const opt = sgd(o.groups);
          if (k >= 0)
            opt.paramGroups.forEach((g) => {
              g.initialLr = o.baseLr;
            });
          const s = new CyclicLR(opt, { ...o, lastEpoch: k } as any);
          const d = schedule(o as any, { start: k + 1, length: n });
          for (let i = 0; i < n; i++) {
            for (let g = 0; g < o.groups; g++) {
              if (!Object.is(s.getLastLr()[g], d.lr[g][i])) expect.fail(`lr[${g}] at ${k + 1 + i}`);
              if (d.momentum && !Object.is(opt.paramGroups[g].momentum, d.momentum[g][i]))
                expect.fail(`momentum[${g}] at ${k + 1 + i}`);
            }
            s.step();
          }
        }),
        { numRuns: Math.floor(RUNS / 4), seed: SEED },
      );
    },
  );

  it('stateDict() → JSON → loadStateDict() at a random point continues identically', () => {
    fc.assert(
      fc.property(
        cfgArb,
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
        (o, n, m, jump) => {
          const a = new CyclicLR(sgd(o.groups), o as any);
          for (let i = 0; i < n; i++) a.step();
          if (jump !== undefined) a.step(jump);
          const optB = sgd(o.groups);
          const b = new CyclicLR(optB, o as any);
          b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
          expect(b.lastEpoch).toBe(a.lastEpoch);
          expect(b.getLastLr()).toEqual(a.getLastLr());
          for (let i = 0; i < m; i++) {
            a.step();
            b.step();
            const la = a.getLastLr();
            const lb = b.getLastLr();
            if (!la.every((v, g) => Object.is(v, lb[g]))) expect.fail(`step ${i} after the load`);
          }
          expect(b.stateDict()).toEqual(a.stateDict());
        },
      ),
      { numRuns: Math.floor(RUNS / 4), seed: SEED },
    );
  });
});

describe('invariants of the math', () => {
  // a few ulps of the larger bound: base + (max - base) * 1 may round past max
  const tol = (a: number, b: number) => 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b)) + 4 * Number.MIN_VALUE;
  it('with scales in [0, 1], every lr lies between its bounds and every momentum between its momentum bounds', () => {
    fc.assert(
      fc.property(
        cfgArb,
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (o, start, length, bm, mm) => {
          const opts = {
            ...o,
            baseMomentum: bm,
            maxMomentum: mm,
            scaleFn: o.scaleFn === SCALE_FN_FAMILY.invSqrt ? null : o.scaleFn,
          };
          const r = schedule(opts as any, { start, length });
          const [lo, hi] = [Math.min(o.baseLr, o.maxLr), Math.max(o.baseLr, o.maxLr)];
          const [mlo, mhi] = [Math.min(bm, mm), Math.max(bm, mm)];
          for (let g = 0; g < o.groups; g++) {
            for (let i = 0; i < length; i++) {
              const v = r.lr[g][i];
              if (v < lo - tol(lo, hi) || v > hi + tol(lo, hi))
                expect.fail(`lr ${v} outside [${lo}, ${hi}] at ${start + i}`);
              if (r.momentum) {
                const m = r.momentum[g][i];
                if (m < mlo - tol(mlo, mhi) || m > mhi + tol(mlo, mhi))
                  expect.fail(`momentum ${m} outside [${mlo}, ${mhi}]`);
              }
            }
          }
        },
      ),
      { numRuns: Math.floor(RUNS / 4), seed: SEED },
    );
  });

  it('triangular is periodic with period stepSizeUp + stepSizeDown (to rounding)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 1e7 }),
        (up, down, start) => {
          const total = up + down;
          const o = { baseLr: 0.001, maxLr: 0.1, stepSizeUp: up, stepSizeDown: down };
          const a = schedule(o, { start, length: total });
          const b = schedule(o, { start: start + 7 * total, length: total });
          for (let i = 0; i < total; i++) expect(Math.abs(a.lr[0][i] - b.lr[0][i])).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });

  it("triangular2's amplitude halves each cycle", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (up, down, c) => {
          const total = up + down;
          const o = { baseLr: 0, maxLr: 1, stepSizeUp: up, stepSizeDown: down, mode: 'triangular2' as const };
          const peak = (cycle: number) => schedule(o, { start: (cycle - 1) * total + up, length: 1 }).lr[0][0];
          const ratio = peak(c + 1) / peak(c);
          expect(Math.abs(ratio - 0.5)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});
