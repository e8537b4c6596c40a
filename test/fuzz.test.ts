// Fuzzed bad input at every entry point: the result is a valid schedule or a CyclicLRError with a documented
// code — never another exception, never a NaN or an infinity in an output, never a hung call.
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli-main.js';
import { OPTION_KEYS } from '../src/options.js';
import { CyclicLR, CyclicLRError, schedule, type CyclicLRErrorCode, type Mode } from '../src/index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FC_SEED ?? 20261125);
const CODES: CyclicLRErrorCode[] = [
  'ERR_INVALID_OPTION',
  'ERR_INVALID_WINDOW',
  'ERR_WINDOW_TOO_LARGE',
  'ERR_OVERFLOW',
  'ERR_SCALE_FN',
  'ERR_OPTIMIZER',
  'ERR_INVALID_STATE',
];
/** inputs tried per entry point, and what came of them: reported in the README's Reliability section */
const counts: Record<string, { inputs: number; ok: number; errors: Record<string, number> }> = {};
const tally = (entry: string, outcome: string) => {
  const c = (counts[entry] ??= { inputs: 0, ok: 0, errors: {} });
  c.inputs++;
  if (outcome === 'ok') c.ok++;
  else c.errors[outcome] = (c.errors[outcome] ?? 0) + 1;
};
afterAll(() => {
  console.log(`fuzz counts (seed ${SEED}): ${JSON.stringify(counts)}`);
});

/** runs f: a CyclicLRError with a documented code is fine; anything else thrown is a failure */
function guarded<T>(entry: string, f: () => T): T | undefined {
  try {
    const v = f();
    tally(entry, 'ok');
    return v;
  } catch (e) {
    if (!(e instanceof CyclicLRError)) throw new Error(`${entry} threw ${String(e)}, not a CyclicLRError`);
    expect(CODES).toContain(e.code);
    expect(e.message.length).toBeGreaterThan(0);
    tally(entry, e.code);
    return undefined;
  }
}

const weird = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1e308,
    -1e308,
    5e-324,
    2 ** 53,
    -1,
    1e12,
    '4',
    '',
    null,
    undefined,
    true,
    [],
    {},
    [NaN],
    [1, 2, 3],
  ),
  fc.double(),
  fc.array(fc.double(), { maxLength: 4 }),
);
/** every option key the library knows: the fuzzer follows the list, so a new key is fuzzed too */
const KEYS = [...OPTION_KEYS];
const sane: Record<string, fc.Arbitrary<unknown>> = {
  baseLr: fc.oneof(
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
  ),
  maxLr: fc.double({ min: -1, max: 2, noNaN: true }),
  stepSizeUp: fc.oneof(fc.double({ min: 0.01, max: 5000, noNaN: true }), fc.integer({ min: 1, max: 100 })),
  stepSizeDown: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 5000, noNaN: true })),
  mode: fc.constantFrom('triangular', 'triangular2', 'exp_range', 'triangular', 'triangular2', 'exp_range', 'CATS'),
  gamma: fc.double({ min: -2, max: 2, noNaN: true }),
  scaleFn: fc.constantFrom(
    null,
    null,
    null,
    null,
    (x: number) => 1 / x,
    (x: number) => Math.sin(x),
    () => NaN,
    // biome-ignore lint/correctness/noPrecisionLoss: Infinity written as a literal on purpose
    () => 2e308,
    () => 'x',
    () => {
      throw new Error('boom');
    },
  ),
  scaleMode: fc.constantFrom('cycle', 'iterations', 'cycle', 'iterations', 'bogus'),
  cycleMomentum: fc.boolean(),
  baseMomentum: fc.double({ min: 0, max: 1, noNaN: true }),
  maxMomentum: fc.double({ min: 0, max: 1, noNaN: true }),
  groups: fc.integer({ min: 1, max: 4 }),
  libm: fc.constantFrom('fma', 'nofma', 'fma', 'nofma', 'avx'),
};
/** option objects: mostly plausible values, some weird, extra keys, throwing getters, proxies */
const optionsArb = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...KEYS), fc.boolean(), { maxKeys: KEYS.length }),
    fc.record(
      Object.fromEntries(
        KEYS.map((k) => [k, fc.oneof({ weight: 30, arbitrary: sane[k] }, { weight: 1, arbitrary: weird })]),
      ),
    ),
    fc.oneof({ weight: 19, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
    fc.constantFrom(...new Array<string>(17).fill('plain'), 'getter', 'proxy', 'not-an-object'),
  )
  .map(([present, values, extraKey, shape]) => {
    const o: Record<string, unknown> = { baseLr: values.baseLr, maxLr: values.maxLr };
    for (const [k, on] of Object.entries(present)) if (on) o[k] = values[k];
    if (extraKey !== undefined && extraKey !== '') o[extraKey] = 1;
    if (shape === 'getter')
      Object.defineProperty(o, 'gamma', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
    if (shape === 'proxy')
      return new Proxy(o, {
        ownKeys() {
          throw new Error('trap');
        },
      });
    if (shape === 'not-an-object') return values.gamma;
    return o;
  });
const windowArb = fc.oneof(
  fc.record({
    start: fc.integer({ min: 0, max: 5000 }),
    length: fc.integer({ min: 0, max: 300 }),
    backend: fc.constantFrom('wasm', 'js'),
  }),
  fc.record({ start: weird, length: weird }),
  fc.record({ start: fc.constant(0), length: fc.constantFrom(1e12, 2 ** 53, -5, 3.5) }),
);

function finiteResult(r: { lr: ArrayLike<number>[]; momentum: ArrayLike<number>[] | null }): void {
  for (const row of [...r.lr, ...(r.momentum ?? [])]) {
    for (let i = 0; i < row.length; i++)
      if (!Number.isFinite(row[i])) expect.fail(`a non-finite value ${row[i]} in an output`);
  }
}

describe(
  `fuzzed input (${RUNS} per entry point, seed ${SEED}): ` + 'a valid result or a CyclicLRError with a documented code',
  () => {
    it('schedule(options, window)', () => {
      fc.assert(
        fc.property(optionsArb, windowArb, (o, w) => {
          const r = guarded('schedule', () => schedule(o as any, w as any));
          if (r) finiteResult(r);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });

    it('new CyclicLR(optimizer, options)', () => {
      const optimizerArb = fc.oneof(
        fc.record({
          paramGroups: fc.array(fc.record({ lr: fc.double(), momentum: fc.double({ min: 0, max: 1, noNaN: true }) }), {
            minLength: 1,
            maxLength: 4,
          }),
        }),
        fc.record({
          paramGroups: fc.array(
            fc.record({ lr: fc.double(), betas: fc.constant([0.9, 0.999]), initialLr: fc.double() }),
            { minLength: 1, maxLength: 4 },
          ),
        }),
        fc.record({ paramGroups: weird }),
        weird,
      );
      fc.assert(
        fc.property(
          optimizerArb,
          optionsArb,
          fc.option(fc.oneof(fc.integer({ min: -3, max: 50 }), weird), { nil: undefined }),
          (opt, o, lastEpoch) => {
            if (o && typeof o === 'object' && lastEpoch !== undefined)
              (o as Record<string, unknown>).lastEpoch = lastEpoch;
            const s = guarded('CyclicLR constructor', () => new CyclicLR(opt as any, o as any));
            if (s) expect(s.getLastLr().every(Number.isFinite)).toBe(true);
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
    });

    it('scheduler.step(epoch)', () => {
      const mk = (mode: Mode, gamma: number) =>
        new CyclicLR(
          {
            paramGroups: [
              { lr: 1, momentum: 0.9 },
              { lr: 1, momentum: 0.9 },
            ],
          },
          { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 5, mode, gamma },
        );
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      fc.assert(
        fc.property(
          fc.constantFrom('triangular', 'triangular2', 'exp_range'),
          fc.constantFrom(0.9, -0.5, 1.5, 0),
          fc.array(
            fc.option(fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.double({ min: -1e4, max: 1e4 }), weird), {
              nil: undefined,
            }),
            { maxLength: 6 },
          ),
          (mode, gamma, epochs) => {
            const s = mk(mode, gamma);
            for (const e of epochs) {
              const before = s.getLastLr();
              if (guarded('step(epoch)', () => s.step(e as any)) === undefined && counts['step(epoch)'].ok === 0)
                void before;
              expect(s.getLastLr().every(Number.isFinite)).toBe(true);
            }
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
      warn.mockRestore();
    });

    it('scheduler.loadStateDict(state), and a refused state changes nothing', () => {
      const base = () => {
        const s = new CyclicLR(
          {
            paramGroups: [
              { lr: 1, momentum: 0.9 },
              { lr: 1, momentum: 0.9 },
            ],
          },
          { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 5 },
        );
        s.step();
        s.step();
        return s;
      };
      const good = JSON.parse(JSON.stringify(base().stateDict()));
      const stateArb = fc.oneof(
        weird,
        fc.dictionary(fc.constantFrom(...Object.keys(good)), weird).map((d) => ({ ...good, ...d })),
        fc.constantFrom(...Object.keys(good)).map((k) => {
          const st = { ...good };
          delete st[k];
          return st;
        }),
      );
      fc.assert(
        fc.property(stateArb, (st) => {
          const s = base();
          const before = JSON.stringify(s.stateDict());
          const ok = guarded('loadStateDict', () => {
            s.loadStateDict(st);
            return true;
          });
          if (!ok) expect(JSON.stringify(s.stateDict())).toBe(before);
          else {
            guarded('step after loadStateDict', () => s.step());
            expect(s.getLastLr().every(Number.isFinite)).toBe(true);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });

    it("the CLI's argument handling: exit 0 or 2, one line, never a stack trace", async () => {
      process.env.CYCLIC_LR_FSYNC = '0'; // 10k runs: skip the writer's fsyncs (17 ms each here), not its checks
      const dir = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-fuzz-'));
      const out: string[] = [];
      const w1 = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => {
        out.push(String(s));
        return true;
      });
      const w2 = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => {
        out.push(String(s));
        return true;
      });
      const FLAGS = [
        '--base-lr',
        '--max-lr',
        '--step-size-up',
        '--step-size-down',
        '--mode',
        '--gamma',
        '--scale-mode',
        '--cycle-momentum',
        '--no-cycle-momentum',
        '--base-momentum',
        '--max-momentum',
        '--groups',
        '--start',
        '--dtype',
        '--threads',
        '--plot',
        '--config',
        '--bogus',
        'grid',
        '-x',
        '--',
      ];
      const VALUES = [
        '0',
        '-1',
        '1e6',
        'NaN',
        'Infinity',
        'abc',
        '',
        '0.1,0.2',
        '0.1,,',
        'triangular2',
        'exp_range',
        'float32',
        'int8',
        '2.5',
        ',',
        '1e400',
        path.join(dir, 'x.svg'),
        path.join(dir, 'no.json'),
      ];
      const argvArb = fc.array(
        fc.oneof(fc.constantFrom(...FLAGS), fc.constantFrom(...VALUES), fc.string({ maxLength: 6 })),
        { maxLength: 8 },
      );
      try {
        await fc.assert(
          fc.asyncProperty(argvArb, async (argv) => {
            out.length = 0;
            const code = await main([
              ...(argv.includes('grid') ? ['grid'] : []),
              '--base-lr',
              '0.1',
              '--max-lr',
              '1',
              ...argv.filter((a) => a !== 'grid'),
              '--iterations',
              '20',
              '--out',
              path.join(dir, argv.includes('grid') ? 'g.npz' : 'x.csv'),
              '--quiet',
            ]);
            tally('cli', code === 0 ? 'ok' : `exit ${code}`);
            expect([0, 1, 2]).toContain(code);
            const text = out.join('');
            expect(text).not.toMatch(/\n\s+at .*\(/);
            if (code !== 0) expect(text.startsWith('cyclic-lr: ')).toBe(true);
            if (code === 1) expect(text).toMatch(/ENOENT|EISDIR|EACCES/); // only the file system fails at run time
          }),
          { numRuns: RUNS, seed: SEED },
        );
      } finally {
        w1.mockRestore();
        w2.mockRestore();
        delete process.env.CYCLIC_LR_FSYNC;
      }
      // 10,000 in-process CLI runs: ~1 minute alone, more than the default 120 s on a loaded 2-core machine
    }, 600_000);
  },
);
