// What a call throws, as the tests assert it: the CyclicLRError code, 'none', or 'not a CyclicLRError'.
import { expect } from 'vitest';
import { CyclicLRError, type CyclicLRErrorCode } from '../../src/index.js';

export const code = (f: () => unknown): CyclicLRErrorCode | 'none' | 'not a CyclicLRError' => {
  try {
    f();
  } catch (e) {
    return e instanceof CyclicLRError ? e.code : 'not a CyclicLRError';
  }
  return 'none';
};

/** the CyclicLRError `f` throws (anything else, or no throw, fails the test) */
export const thrown = (f: () => unknown): CyclicLRError => {
  try {
    f();
  } catch (e) {
    if (e instanceof CyclicLRError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

/** an SGD-like optimizer of G groups (lr 0.5, momentum 0.5) */
export const sgd = (G = 1) => ({
  paramGroups: Array.from({ length: G }, () => ({ lr: 0.5, momentum: 0.5 }) as Record<string, any>),
});

/**
 * The message names what is wrong: the key, then a rule in words (not an empty rule), and, for a refused
 * value, "got" and the value. (The words themselves are not the contract; that there are some is.)
 */
export function expectNamed(e: CyclicLRError, key: string): void {
  const m = e.message;
  expect(m).toMatch(/[a-z]{3,} [a-z]{2,}/);
  // overflow and size messages speak of the value at fault (lr of group 0, bytes), not the option
  if (e.code !== 'ERR_OVERFLOW' && e.code !== 'ERR_WINDOW_TOO_LARGE') expect(m).toContain(key.replace(/\[\d+\]$/, ''));
  const at = m.indexOf(key);
  if (at >= 0) expect(m.slice(at + key.length)).toMatch(/^[^,]*[a-z]{2,}/);
  if (/, got /.test(m)) expect(m).toMatch(/, got \S/);
}

/** `code(f)`, and the message of a CyclicLRError names its key and a rule (see expectNamed) */
export const codeNamed = (f: () => unknown): ReturnType<typeof code> => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CyclicLRError)) return 'not a CyclicLRError';
    if (e.key !== undefined) expectNamed(e, e.key);
    return e.code;
  }
  return 'none';
};
