// What a call throws, as the tests assert it: the CyclicLRError code, 'none', or 'not a CyclicLRError'.
import { CyclicLRError, type CyclicLRErrorCode } from '../../src/index.js';

export const code = (f: () => unknown): CyclicLRErrorCode | 'none' | 'not a CyclicLRError' => {
  try {
    f();
  } catch (e) {
    return e instanceof CyclicLRError ? e.code : 'not a CyclicLRError';
  }
  return 'none';
};

/** an SGD-like optimizer of G groups (lr 0.5, momentum 0.5) */
export const sgd = (G = 1) => ({
  paramGroups: Array.from({ length: G }, () => ({ lr: 0.5, momentum: 0.5 }) as Record<string, any>),
});
