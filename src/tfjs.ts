export { tfOptimizer } from './tfjs/tf-optimizer.js';
export type { TfOptimizerKind, TfParamGroup, TfOptimizerGroups } from './tfjs/tf-optimizer.js';
export { cyclicLRCallback } from './tfjs/cyclic-lr-callback.js';
export type { CyclicLRCallback, FitParams } from './tfjs/cyclic-lr-callback.js';
export { lrRangeTest } from './tfjs/lr-range-test.js';
export type { LrRangeTestOptions, LrRangeTestResult, LrSuggestion, RangeTestModel } from './tfjs/lr-range-test.js';
export { lrRangeTestSvg } from './tfjs/range-test-svg.js';
