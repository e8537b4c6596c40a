// Property tests: the kernel equals its JS twin bit for bit on random configurations and windows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schedule, type ScheduleResult } from '../src/index.js';
import { configArb, outcome, windowArb } from './helpers/arbitraries.js';

const RUNS = Number(process.env.FC_RUNS ?? 2000);
const SEED = Number(process.env.FC_SEED ?? 20261125);

function sameBits(a: ScheduleResult, b: ScheduleResult): string | null {
  const rows = (r: ScheduleResult) => [...r.lr, ...(r.momentum ?? [])];
  if ((a.momentum === null) !== (b.momentum === null)) return 'momentum null on one side only';
  const ra = rows(a);
  const rb = rows(b);
  if (ra.length !== rb.length) return `row counts ${ra.length} vs ${rb.length}`;
  for (let k = 0; k < ra.length; k++) {
    if (ra[k].length !== rb[k].length) return `row ${k} lengths`;
    for (let i = 0; i < ra[k].length; i++)
      if (!Object.is(ra[k][i], rb[k][i])) return `row ${k} [${i}]: ${ra[k][i]} vs ${rb[k][i]}`;
  }
  return null;
}

describe('backend wasm ≡ backend js, bit for bit', () => {
  it(`on ${RUNS} random configs, windows and libm variants (seed ${SEED})`, () => {
    fc.assert(
      fc.property(configArb, windowArb, fc.constantFrom('fma', 'nofma'), ({ options }, window, libm) => {
        const o = { ...options, libm };
        const w = outcome(() => schedule(o as any, { ...window, backend: 'wasm' }));
        const j = outcome(() => schedule(o as any, { ...window, backend: 'js' }));
        expect(w.ok).toBe(j.ok);
        if (!w.ok || !j.ok) {
          expect(w).toEqual(j);
          expect(['ERR_OVERFLOW']).toContain((w as { code: string }).code);
          return;
        }
        const diff = sameBits(w.value, j.value);
        if (diff) expect.fail(diff);
        for (const row of [...w.value.lr, ...(w.value.momentum ?? [])]) expect(row.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(
    "on long windows of whole cycle lengths (the kernel's cycle-shape tables), " + 'across powers of two of the cycle',
    () => {
      const arb = fc.record({
        up: fc.integer({ min: 1, max: 400 }),
        down: fc.integer({ min: 0, max: 400 }),
        mode: fc.constantFrom('triangular', 'triangular2', 'exp_range'),
        custom: fc.constantFrom(null, 'cycle', 'iterations'),
        k: fc.integer({ min: 0, max: 52 }),
        dc: fc.integer({ min: -3, max: 3 }),
        r: fc.double({ min: 0, max: 1, noNaN: true }),
        extra: fc.integer({ min: 0, max: 3000 }),
        groups: fc.integer({ min: 1, max: 3 }),
        unit: fc.boolean(), // baseLr 0, maxLr 1: lr is scale_factor itself, every bit of it visible
      });
      fc.assert(
        fc.property(arb, (a) => {
          const total = a.up + a.down;
          const length = 4 * Math.ceil(1024 / total) * total + a.extra;
          const c = Math.max(0, Math.min(2 ** a.k + a.dc, Math.floor((2 ** 53 - 1 - length) / total) - 1));
          const start = c * total + Math.floor(a.r * total);
          const options = {
            baseLr: a.unit ? 0 : 0.001,
            maxLr: a.unit ? 1 : 0.006,
            stepSizeUp: a.up,
            stepSizeDown: a.down,
            mode: a.mode,
            gamma: 0.9999,
            groups: a.groups,
            scaleFn: a.custom ? (x: number) => 1 / (1 + (x % 7)) : null,
            scaleMode: a.custom ?? 'cycle',
          } as any;
          const w = outcome(() => schedule(options, { start, length }));
          const j = outcome(() => schedule(options, { start, length, backend: 'js' }));
          expect(w.ok).toBe(j.ok);
          if (w.ok && j.ok) {
            const diff = sameBits(w.value, j.value);
            if (diff) expect.fail(`start ${start} total ${total}: ${diff}`);
          }
        }),
        { numRuns: Math.max(50, Math.floor(RUNS / 8)), seed: SEED },
      );
    },
  );

  it('a window split in two equals the whole window (chunk and block boundaries, offsets)', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 140_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ options }, start, length, cut) => {
          const opts = { ...options, groups: Math.min(options.groups, 3) } as any;
          if (Array.isArray(opts.baseLr))
            for (const k of ['baseLr', 'maxLr', 'baseMomentum', 'maxMomentum']) opts[k] = opts[k].slice(0, opts.groups);
          const whole = outcome(() => schedule(opts, { start, length }));
          if (!whole.ok) return;
          const k = Math.floor(cut * length);
          const a = schedule(opts, { start, length: k });
          const b = schedule(opts, { start: start + k, length: length - k, backend: 'js' });
          whole.value.lr.forEach((row, g) => {
            for (let i = 0; i < length; i++) {
              const v = i < k ? a.lr[g][i] : b.lr[g][i - k];
              if (!Object.is(row[i], v)) expect.fail(`lr[${g}][${i}]: ${row[i]} vs ${v}`);
            }
          });
        },
      ),
      { numRuns: 60, seed: SEED },
    );
  });
});
