export { schedule } from './schedule.js';
export type { Backend, Window, ScheduleResult, Dtype } from './schedule.js';
export type { Row } from './wasm.js';
export { CyclicLRError } from './errors.js';
export type { CyclicLRErrorCode } from './errors.js';
export type {
  BuiltInModeOptions,
  CustomScaleOptions,
  CyclicLROptions,
  CyclicLROptionsBase,
  Libm,
  Mode,
  ScaleMode,
  ScaleFn,
  PerGroup,
} from './options.js';
export { CyclicLR } from './cyclic-lr.js';
export type { CyclicLRSchedulerOptions, CyclicLRState, Optimizer, ParamGroup } from './cyclic-lr.js';
export { scheduleMany, expandGrid } from './many.js';
export type { ManyResult } from './many.js';
export { scheduleChunks } from './chunks.js';
export type { ScheduleChunk } from './chunks.js';
export { scheduleParallel } from './parallel.js';
