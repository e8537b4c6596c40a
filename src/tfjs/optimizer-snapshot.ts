// A TF.js optimizer's whole state (every own field: numbers, tensors, accumulator variables), saved and put back
// bit for bit: what lrRangeTest restores after it has trained.
import { keep, type Tensor, type Variable } from '@tensorflow/tfjs-core';

type Slot = { ref: { variable: Variable }; copy: Tensor };
type Saved =
  | { kind: 'value'; value: unknown }
  | { kind: 'tensor'; ref: Tensor; copy: Tensor }
  | { kind: 'slots'; ref: unknown[]; slots: (Slot | undefined)[] };

const isTensor = (v: unknown): v is Tensor =>
  v !== null && typeof v === 'object' && 'dataId' in v && typeof (v as Tensor).clone === 'function';
const isVariable = (v: Tensor): v is Variable => typeof (v as Variable).assign === 'function';
const isSlot = (v: unknown): v is { variable: Variable } =>
  v !== null && typeof v === 'object' && isTensor((v as { variable?: unknown }).variable);

/** Saves `opt`'s state; the returned function restores it (once) and frees the copies. */
export function snapshotOptimizer(opt: object): () => void {
  const o = opt as Record<string, unknown>;
  const saved = new Map<string, Saved>();
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (isTensor(v)) saved.set(k, { kind: 'tensor', ref: v, copy: keep(v.clone()) });
    else if (Array.isArray(v) && v.every((s) => s === undefined || isSlot(s)))
      saved.set(k, {
        kind: 'slots',
        ref: v,
        slots: v.map((s: { variable: Variable } | undefined) => s && { ref: s, copy: keep(s.variable.clone()) }),
      });
    else saved.set(k, { kind: 'value', value: v });
  }
  return () => {
    for (const k of Object.keys(o)) {
      if (saved.has(k)) continue;
      const v = o[k]; // created while training (iterations_): gone again
      if (isTensor(v)) v.dispose();
      delete o[k];
    }
    for (const [k, s] of saved) {
      if (s.kind === 'value') o[k] = s.value;
      else if (s.kind === 'tensor') {
        const cur = o[k];
        if (cur === s.ref && isVariable(s.ref)) {
          s.ref.assign(s.copy); // a variable assigned while training (accBeta1)
          s.copy.dispose();
        } else if (cur === s.ref)
          s.copy.dispose(); // a tensor nobody replaced: unchanged
        else {
          if (isTensor(cur)) cur.dispose(); // replaced (the lr scalar of SGD): the saved copy takes its place
          o[k] = s.copy;
        }
      } else {
        const list = s.ref;
        list.forEach((slot, i) => {
          const was = s.slots[i];
          if (was && slot === was.ref) {
            was.ref.variable.assign(was.copy);
            was.copy.dispose();
          } else if (isSlot(slot)) slot.variable.dispose(); // an accumulator created while training
        });
        list.length = s.slots.length;
        o[k] = list;
      }
    }
  };
}
