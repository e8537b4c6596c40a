// PyTorch's UserWarnings: step(epoch) and get_lr() warn once per process (Python's default warning filter shows
// a warning once per place). Node gets process.emitWarning(text, 'UserWarning'); a runtime without it (a
// browser) gets console.warn('UserWarning: ' + text). The epoch warning's text starts as the goldens recorded
// PyTorch's. This file's tests run in order in one module instance: each warning is shown the first time only.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CyclicLR } from '../src/index.js';
import { sgd } from './helpers/code.js';
import { loadSuite } from './helpers/oracle.js';

/** PyTorch's epoch warning as the oracle recorded it (its first sentence, with Python's 'UserWarning: ') */
const golden = loadSuite('public')
  .flatMap(({ gold }) => (gold as { warnings?: string[] }).warnings ?? [])
  .find((w) => w.includes('epoch parameter'))!;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('UserWarnings, once each', () => {
  it('the golden records the epoch warning (the reference for the next test)', () => {
    expect(golden).toMatch(/^UserWarning: The epoch parameter in `scheduler\.step\(\)` was not necessary/);
  });

  it('step(epoch) without process.emitWarning: console.warn gets PyTorch\'s text after "UserWarning: ", once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const emit = process.emitWarning;
    (process as { emitWarning?: unknown }).emitWarning = undefined;
    try {
      const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 });
      s.step(5);
      s.step(7);
      new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 }).step(2);
    } finally {
      process.emitWarning = emit;
    }
    expect(warn).toHaveBeenCalledTimes(1);
    const [text] = warn.mock.calls[0];
    expect(text.startsWith(golden.trimEnd())).toBe(true);
    expect(text).toContain('Please use `scheduler.step()` to step the scheduler');
    expect(text).toContain('the closed form is used instead of the new chainable form');
  });

  it('getLr(): process.emitWarning(text, "UserWarning") pointing to getLastLr(), once', () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const s = new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 });
    s.getLr();
    s.getLr();
    s.step(3); // the epoch warning was shown already
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit.mock.calls[0]).toEqual([expect.stringContaining('please use `getLastLr()`'), 'UserWarning']);
    expect(emit.mock.calls[0][0]).toMatch(/^To get the last learning rate computed by the scheduler/);
    expect(warn).not.toHaveBeenCalled();
  });
});
