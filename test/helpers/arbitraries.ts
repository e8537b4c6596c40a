// fast-check generators of valid CyclicLR configurations and windows, shared by the property tests.
import fc from 'fast-check';

/** pure scale functions a user might write (named, so a failing run says which) */
export const SCALE_FN_FAMILY: Record<string, (x: number) => number> = {
  half: () => 0.5,
  invSqrt: (x) => (x > 0 ? 1 / Math.sqrt(x) : 1.0),
  lin: (x) => Math.max(0, 1 - x / 50),
  over: () => 1.5,
  neg: () => -0.25,
  wave: (x) => 0.5 * (1 + Math.cos((x * Math.PI) / 7)),
};

const lr = fc.double({ min: -10, max: 10, noNaN: true });
const stepSize = fc.oneof(
  fc.integer({ min: 1, max: 5000 }),
  fc.double({ min: 0.25, max: 500, noNaN: true }),
  fc.constantFrom(0.5, 1, 2.5, 1.5, 2000),
);

export const configArb = fc
  .record({
    groups: fc.integer({ min: 1, max: 32 }),
    mode: fc.constantFrom('triangular', 'triangular2', 'exp_range'),
    gamma: fc.oneof(
      fc.double({ min: 0.9, max: 1.0, noNaN: true }),
      fc.constantFrom(0.99994, 1.0, 0.5, -0.5, 1.0001, 0),
    ),
    stepSizeUp: stepSize,
    stepSizeDown: fc.oneof(fc.constant(null), fc.constant(0), stepSize),
    scaleFn: fc.option(fc.constantFrom(...Object.keys(SCALE_FN_FAMILY)), { nil: null }),
    scaleMode: fc.constantFrom('cycle', 'iterations'),
    cycleMomentum: fc.boolean(),
    perGroup: fc.boolean(),
    seedLrs: fc.array(fc.tuple(lr, lr, lr, lr), { minLength: 32, maxLength: 32 }),
  })
  .map((c) => {
    const pick = (k: number) => (c.perGroup ? c.seedLrs.slice(0, c.groups).map((t) => t[k]) : c.seedLrs[0][k]);
    return {
      label: `${c.scaleFn ?? c.mode}`,
      options: {
        baseLr: pick(0),
        maxLr: pick(1),
        stepSizeUp: c.stepSizeUp,
        stepSizeDown: c.stepSizeDown,
        mode: c.mode,
        gamma: c.gamma,
        scaleFn: c.scaleFn ? SCALE_FN_FAMILY[c.scaleFn] : null,
        scaleMode: c.scaleMode,
        cycleMomentum: c.cycleMomentum,
        baseMomentum: pick(2),
        maxMomentum: pick(3),
        groups: c.groups,
      },
    };
  });

export const windowArb = fc.oneof(
  fc.record({ start: fc.integer({ min: 0, max: 100_000 }), length: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ start: fc.integer({ min: 0, max: 2 ** 53 - 5000 }), length: fc.integer({ min: 0, max: 3000 }) }),
  fc.integer({ min: 1, max: 3000 }).map((length) => ({ start: 2 ** 53 - length, length })),
);

/** the outcome of a call: values, or the error code */
export function outcome<T>(f: () => T): { ok: true; value: T } | { ok: false; code: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, code: (e as { code?: string }).code ?? `not a CyclicLRError: ${String(e)}` };
  }
}
