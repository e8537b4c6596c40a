// GroupWrites: the writes a scheduler makes into an optimizer's param groups, undone together when one fails
// (a frozen or sealed group, a getter-only lr, a Proxy whose trap throws or returns false): all or nothing.
import { CyclicLRError } from './errors.js';
import { errorText } from './options.js';

/**
 * A journal of property writes: `set()` writes and remembers what was there, `undo()` restores it in reverse
 * order. Accessor properties (get + set) are written through their setter, as a plain assignment would.
 * @throws {CyclicLRError} `ERR_OPTIMIZER` from `set()` when the write (or the read before it) fails.
 * @example
 * const w = new GroupWrites();
 * try { w.set(group, 'lr', 0.1, 0); w.set(group, 'momentum', 0.9, 0); } catch (e) { w.undo(); throw e; }
 */
export class GroupWrites {
  #objs: Record<string, unknown>[] = [];
  #keys: string[] = [];
  #had: boolean[] = [];
  #old: unknown[] = [];
  #n = 0;

  /** Writes `obj[key] = value`, remembering the previous value; `g` names the group in the error. */
  set(obj: object, key: string, value: unknown, g: number): void {
    const o = obj as Record<string, unknown>;
    let had: boolean;
    let old: unknown;
    try {
      had = key in o;
      old = had ? o[key] : undefined;
      o[key] = value;
    } catch (e) {
      throw new CyclicLRError(
        'ERR_OPTIMIZER',
        `paramGroups[${g}].${key} could not be written: ${errorText(e)}; no param group was changed`,
        key,
      );
    }
    const n = this.#n++;
    this.#objs[n] = o;
    this.#keys[n] = key;
    this.#had[n] = had;
    this.#old[n] = old;
  }

  /** Restores every write, last first (a restore that fails is skipped). */
  undo(): void {
    while (this.#n > 0) {
      const n = --this.#n;
      const o = this.#objs[n];
      const key = this.#keys[n];
      try {
        if (this.#had[n]) o[key] = this.#old[n];
        else delete o[key];
      } catch {
        // the group refused the restore too: nothing more can be done for it
      }
    }
  }
}
