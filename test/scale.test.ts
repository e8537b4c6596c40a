// Many configurations, chunks and threads: each path equals schedule() bit for bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CyclicLRError,
  expandGrid,
  schedule,
  scheduleChunks,
  scheduleMany,
  scheduleParallel,
  type ScheduleResult,
} from '../src/index.js';
import { configArb } from './helpers/arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? 20261125);
type AnyResult = ScheduleResult<Float64Array | Float32Array>;
function same(a: AnyResult, b: AnyResult): string | null {
  if ((a.momentum === null) !== (b.momentum === null)) return 'momentum null on one side';
  const ra = [...a.lr, ...(a.momentum ?? [])];
  const rb = [...b.lr, ...(b.momentum ?? [])];
  if (ra.length !== rb.length) return 'row counts';
  for (let k = 0; k < ra.length; k++) {
    if (ra[k].length !== rb[k].length) return `row ${k} length`;
    for (let i = 0; i < ra[k].length; i++)
      if (!Object.is(ra[k][i], rb[k][i])) return `row ${k} [${i}]: ${ra[k][i]} vs ${rb[k][i]}`;
  }
  return null;
}
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as CyclicLRError).code;
  }
  return 'none';
};

describe('scheduleMany(configs, window) equals schedule(config, window) for each config, in one block', () => {
  it.each(['wasm', 'js'] as const)('[%s] on random lists of configs', (backend) => {
    fc.assert(
      fc.property(
        fc.array(configArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 3000 }),
        (cs, start, length) => {
          const configs = cs.map((c) => c.options as any);
          let many;
          try {
            many = scheduleMany(configs, { start, length, backend });
          } catch (e) {
            expect((e as CyclicLRError).key).toMatch(/^configs\[\d+\]/);
            return;
          }
          expect(many.results).toHaveLength(configs.length);
          configs.forEach((o, c) => {
            const d = same(many.results[c], schedule(o, { start, length, backend: 'js' }));
            if (d) expect.fail(`config ${c}: ${d}`);
            for (const row of many.results[c].lr) expect(row.buffer).toBe(many.lr.buffer);
          });
          const rows = many.results.reduce((n, r) => n + r.lr.length, 0);
          expect(many.lr.length).toBe(rows * length);
        },
      ),
      { numRuns: 150, seed: SEED },
    );
  });

  it('a large grid shares one memory; float32 too', () => {
    const { labels, configs } = expandGrid(
      { stepSizeUp: 2000, groups: 2 },
      { baseLr: [0.001, 0.01], maxLr: [0.1, 1], mode: ['triangular', 'exp_range'], gamma: [0.9999] },
    );
    expect(labels).toEqual([
      'baseLr=0.001,maxLr=0.1,mode=triangular,gamma=0.9999',
      'baseLr=0.001,maxLr=0.1,mode=exp_range,gamma=0.9999',
      'baseLr=0.001,maxLr=1,mode=triangular,gamma=0.9999',
      'baseLr=0.001,maxLr=1,mode=exp_range,gamma=0.9999',
      'baseLr=0.01,maxLr=0.1,mode=triangular,gamma=0.9999',
      'baseLr=0.01,maxLr=0.1,mode=exp_range,gamma=0.9999',
      'baseLr=0.01,maxLr=1,mode=triangular,gamma=0.9999',
      'baseLr=0.01,maxLr=1,mode=exp_range,gamma=0.9999',
    ]);
    const many = scheduleMany(configs, { start: 5, length: 100_000 });
    expect(many.lr.length).toBe(8 * 2 * 100_000);
    expect(many.momentum!.length).toBe(8 * 2 * 100_000);
    for (const c of [0, 3, 7])
      expect(same(many.results[c], schedule(configs[c], { start: 5, length: 100_000 }))).toBeNull();
    const f = scheduleMany(configs, { start: 5, length: 1000, dtype: 'float32' });
    expect(f.lr).toBeInstanceOf(Float32Array);
    expect(Object.is(f.results[5].lr[1][999], Math.fround(many.results[5].lr[1][999]))).toBe(true);
  });

  it('errors name the config; bad grids are refused', () => {
    const e = (() => {
      try {
        scheduleMany(
          [
            { baseLr: 1, maxLr: 2 },
            { baseLr: 1, maxLr: 2, stepSizeUp: 0 },
          ],
          { length: 3 },
        );
      } catch (x) {
        return x as CyclicLRError;
      }
    })();
    expect(e?.code).toBe('ERR_INVALID_OPTION');
    expect(e?.key).toBe('configs[1].stepSizeUp');
    expect(code(() => scheduleMany('x' as any, { length: 3 }))).toBe('ERR_INVALID_OPTION');
    expect(code(() => expandGrid({}, { learningRate: [1] }))).toBe('ERR_INVALID_OPTION');
    expect(code(() => expandGrid({}, { baseLr: [] }))).toBe('ERR_INVALID_OPTION');
    expect(scheduleMany([], { length: 3 }).results).toEqual([]);
  });
});

describe('scheduleChunks(options, window) equals the whole window, chunk by chunk', () => {
  it.each(['wasm', 'js'] as const)('[%s] on random configs and chunk lengths', (backend) => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 1500 }),
        ({ options }, start, length, chunkLength) => {
          let whole: AnyResult;
          try {
            whole = schedule(options as any, { start, length, backend });
          } catch {
            return;
          }
          let at = 0;
          for (const c of scheduleChunks(options as any, { start, length, chunkLength, backend })) {
            expect(c.start).toBe(start + at);
            c.lr.forEach((row, g) => {
              for (let i = 0; i < c.length; i++)
                if (!Object.is(row[i], whole.lr[g][at + i])) expect.fail(`chunk at ${at}, [${g}][${i}]`);
            });
            at += c.length;
          }
          expect(at).toBe(length);
        },
      ),
      { numRuns: 100, seed: SEED },
    );
  });

  it('chunks reuse one buffer (bounded memory) and a bad chunkLength is refused', () => {
    const bufs = new Set<ArrayBufferLike>();
    let n = 0;
    for (const c of scheduleChunks({ baseLr: 0.1, maxLr: 1, groups: 2 }, { length: 1_000_000, chunkLength: 200_000 })) {
      bufs.add(c.lr[0].buffer);
      n++;
    }
    expect(n).toBe(5);
    expect(bufs.size).toBe(1);
    expect(code(() => scheduleChunks({ baseLr: 0.1, maxLr: 1 }, { length: 10, chunkLength: 0 }))).toBe(
      'ERR_INVALID_WINDOW',
    );
  });
});

describe('scheduleParallel(options, window) equals schedule() bit for bit', () => {
  it.each([
    ['triangular', 1, true, 'float64'],
    ['triangular2', 4, true, 'float64'],
    ['exp_range', 1, false, 'float64'],
    ['exp_range', 3, true, 'float32'],
    ['triangular', 2, false, 'float32'],
  ] as const)('%s, %i groups, momentum %s, %s, 2 and 3 threads', async (mode, groups, cycleMomentum, dtype) => {
    const o = {
      baseLr: 0.001,
      maxLr: 0.006,
      stepSizeUp: 1999,
      stepSizeDown: 2500.5,
      mode,
      gamma: 0.99994,
      groups,
      cycleMomentum,
    };
    for (const start of [0, 123_456_789]) {
      const single = schedule(o, { start, length: 300_001, dtype });
      for (const threads of [2, 3]) {
        const par = await scheduleParallel(o, { start, length: 300_001, dtype, threads });
        expect(same(par, single)).toBeNull();
      }
    }
  });

  it('falls back to one thread for a custom scaleFn and small windows; refuses bad threads', async () => {
    const o = { baseLr: 0.1, maxLr: 1, stepSizeUp: 10, scaleFn: (x: number) => 1 / x };
    expect(
      same(await scheduleParallel(o, { length: 200_000, threads: 2 }), schedule(o, { length: 200_000 })),
    ).toBeNull();
    expect(
      same(
        await scheduleParallel({ baseLr: 0.1, maxLr: 1 }, { length: 10 }),
        schedule({ baseLr: 0.1, maxLr: 1 }, { length: 10 }),
      ),
    ).toBeNull();
    await expect(scheduleParallel({ baseLr: 0.1, maxLr: 1 }, { length: 10, threads: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_WINDOW',
    });
    await expect(
      scheduleParallel({ baseLr: 0.1, maxLr: 1, mode: 'exp_range', gamma: 1.5 }, { length: 400_000, threads: 2 }),
    ).rejects.toMatchObject({ code: 'ERR_OVERFLOW' });
  });
});
