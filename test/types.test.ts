// The types say what the runtime checks (issue 11): a mode other than PyTorch's three type-checks only with a
// scaleFn. `npm run typecheck` covers this file; an unused @ts-expect-error fails it.
import { describe, expect, it } from 'vitest';
import { CyclicLR, CyclicLRError, schedule, type CyclicLROptions } from '../src/index.js';

const optimizer = { paramGroups: [{ lr: 0.1, momentum: 0.9 }] };

describe('CyclicLROptions: mode is checked by TypeScript unless a scaleFn makes it a label', () => {
  it('a typo in mode does not type-check (and throws ERR_INVALID_OPTION at run time)', () => {
    // @ts-expect-error 'triangle' is not a Mode, and there is no scaleFn
    const typo: CyclicLROptions = { baseLr: 0.1, maxLr: 1, mode: 'triangle' };
    expect(() => schedule(typo, { length: 1 })).toThrow(CyclicLRError);
    // @ts-expect-error the same in the constructor's options
    expect(() => new CyclicLR(optimizer, { baseLr: 0.1, maxLr: 1, mode: 'exp-range' })).toThrow(CyclicLRError);
    // @ts-expect-error scaleFn: null does not make other strings legal
    expect(() => schedule({ baseLr: 0.1, maxLr: 1, mode: 'custom', scaleFn: null }, { length: 1 })).toThrow(
      CyclicLRError,
    );
  });

  it("PyTorch's modes, and any label with a scaleFn, type-check", () => {
    const modes: CyclicLROptions[] = [
      { baseLr: 0.1, maxLr: 1 },
      { baseLr: 0.1, maxLr: 1, mode: 'triangular2' },
      { baseLr: 0.1, maxLr: 1, mode: 'exp_range', gamma: 0.99 },
      { baseLr: 0.1, maxLr: 1, mode: 'my_label', scaleFn: (x) => 1 / x },
      { baseLr: 0.1, maxLr: 1, mode: 'triangular', scaleFn: null },
    ];
    for (const o of modes) expect(schedule(o, { length: 2 }).lr[0].length).toBe(2);
    const fn: ((x: number) => number) | null = Math.random() < 2 ? null : (x) => x;
    expect(schedule({ baseLr: 0.1, maxLr: 1, mode: 'triangular', scaleFn: fn }, { length: 1 }).lr[0][0]).toBe(0.1);
  });
});
