// No leak: many calls keep the process's memory bounded (measured, not timed).
import { describe, expect, it } from 'vitest';
import { CyclicLR, schedule, scheduleParallel } from '../src/index.js';

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
const gc = (globalThis as { gc?: () => void }).gc;

describe('memory stays bounded', () => {
  it('100,000 schedule() calls of varied sizes (and 200 results of their own memory) grow RSS by < 160 MiB', () => {
    const modes = ['triangular', 'triangular2', 'exp_range'] as const;
    const call = (k: number) => {
      const length = (k * 7919) % 2000;
      const groups = 1 + (k % 4);
      return schedule(
        {
          baseLr: 0.001,
          maxLr: 0.006,
          stepSizeUp: 1 + (k % 50),
          mode: modes[k % 3],
          gamma: 0.999,
          groups,
          cycleMomentum: k % 2 === 0,
        },
        { start: k * 13, length, backend: k % 5 === 0 ? 'js' : 'wasm' },
      );
    };
    for (let k = 0; k < 5000; k++) call(k);
    gc?.();
    const before = rssMiB();
    let sum = 0;
    for (let k = 0; k < 100_000; k++) {
      const r = call(k);
      if (r.lr[0].length) sum += r.lr[0][0];
      // 2.4 MB, own memory
      if (k % 500 === 0) sum += schedule({ baseLr: 0.1, maxLr: 1, groups: 2 }, { length: 150_000 }).lr[1][7];
    }
    gc?.();
    const grown = rssMiB() - before;
    console.log(
      `RSS before ${before.toFixed(0)} MiB, grown ${grown.toFixed(0)} MiB over 100,000 calls${gc ? ' (after gc)' : ''}`,
    );
    expect(Number.isFinite(sum)).toBe(true);
    expect(grown).toBeLessThan(160);
  });

  it('1,000,000 CyclicLR.step() calls grow RSS by < 64 MiB', () => {
    const opt = { paramGroups: Array.from({ length: 16 }, () => ({ lr: 0.1, momentum: 0.9 })) };
    const s = new CyclicLR(opt, { baseLr: 0.001, maxLr: 0.006, stepSizeUp: 2000, mode: 'exp_range', gamma: 0.99999 });
    for (let k = 0; k < 10_000; k++) s.step();
    gc?.();
    const before = rssMiB();
    for (let k = 0; k < 1_000_000; k++) s.step();
    gc?.();
    const grown = rssMiB() - before;
    console.log(`RSS grown ${grown.toFixed(0)} MiB over 1,000,000 steps`);
    expect(s.lastEpoch).toBe(1_010_000);
    expect(grown).toBeLessThan(64);
  });

  it('2,000 awaited scheduleParallel() calls of 262,144 values (2 MiB each, dropped) ' +
    'grow RSS by < 256 MiB', async () => {
    const o = { baseLr: 0.001, maxLr: 0.1, cycleMomentum: false };
    for (let k = 0; k < 20; k++) await scheduleParallel(o, { start: k, length: 262_144, threads: 2 });
    gc?.();
    const before = rssMiB();
    let peak = before;
    let sum = 0;
    for (let k = 0; k < 2000; k++) {
      const r = await scheduleParallel(o, { start: k, length: 262_144, threads: 2 });
      sum += r.lr[0][262_143];
      if (k % 50 === 0) peak = Math.max(peak, rssMiB());
    }
    gc?.();
    peak = Math.max(peak, rssMiB());
    console.log(`RSS before ${before.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB over 2,000 scheduleParallel calls`);
    expect(Number.isFinite(sum)).toBe(true);
    expect(peak - before).toBeLessThan(256);
  }, 120_000);
});
