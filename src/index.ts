export { schedule } from './schedule.js';
export type { Backend, Window, ScheduleResult, Dtype } from './schedule.js';
export { CyclicLRError } from './errors.js';
export type { CyclicLRErrorCode } from './errors.js';
export type { CyclicLROptions, Mode, ScaleMode, ScaleFn, PerGroup } from './options.js';
export { CyclicLR } from './cyclic-lr.js';
export type { CyclicLRSchedulerOptions, CyclicLRState, Optimizer, ParamGroup } from './cyclic-lr.js';
