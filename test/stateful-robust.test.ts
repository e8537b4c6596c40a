// CyclicLR when the optimizer under it changes or refuses writes, when a state is malformed, and at its caps
// (issue 9): one rule each, nothing ever half-done, every refusal a typed CyclicLRError.
import { describe, expect, it, vi } from 'vitest';
import { CyclicLR, CyclicLRError, schedule } from '../src/index.js';
import { codeNamed, sgd as sgdOf, thrown } from './helpers/code.js';
import { MAX_GROUPS, resolveOptions } from '../src/options.js';

const sgd = (G = 2) => sgdOf(G);
/** an array of length n (Array.isArray holds) that counts the reads of its elements */
const lazyList = (n: number, counter: { reads: number }, item: unknown) =>
  new Proxy([item], {
    get: (target, k) => {
      if (k === 'length') return n;
      if (typeof k === 'string' && /^[0-9]+$/.test(k)) counter.reads++;
      return Reflect.get(target, k);
    },
  });
const OPTS = { baseLr: [0.01, 0.02], maxLr: [0.1, 0.2], stepSizeUp: 4 };
/** a deep copy of what the groups and the scheduler hold, to compare before/after */
const snapshot = (opt: { paramGroups: object[] }, s?: CyclicLR) => ({
  groups: opt.paramGroups.map((g) => ({ ...g })),
  ...(s ? { lastEpoch: s.lastEpoch, last: s.getLastLr(), state: s.stateDict() } : {}),
});

describe('the optimizer changes under the scheduler: ERR_OPTIMIZER before anything changes', () => {
  const pushed = (o: ReturnType<typeof sgd>) => o.paramGroups.push({ lr: 0.7, momentum: 0.7 });
  const removed = (o: ReturnType<typeof sgd>) => o.paramGroups.pop();
  const replaced = (o: ReturnType<typeof sgd>) => {
    (o as any).paramGroups = [o.paramGroups[0]];
  };
  it.each([
    ['a group pushed, step()', pushed, (s: CyclicLR) => s.step(), {}],
    ['a group pushed, step(2.5)', pushed, (s: CyclicLR) => s.step(2.5), {}],
    ['a group pushed, custom scaleFn', pushed, (s: CyclicLR) => s.step(), { scaleFn: () => 0.5 }],
    ['a group pushed, getLr()', pushed, (s: CyclicLR) => s.getLr(), {}],
    ['a group removed, step()', removed, (s: CyclicLR) => s.step(), {}],
    ['a group removed, step(2.5)', removed, (s: CyclicLR) => s.step(2.5), {}],
    ['paramGroups replaced by a shorter array', replaced, (s: CyclicLR) => s.step(), {}],
  ])('%s: ERR_OPTIMIZER; no group, lastEpoch, getLastLr() or stateDict() changed', (_, change, act, extra) => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const opt = sgd();
    const s = new CyclicLR(opt, { ...OPTS, ...extra });
    s.step();
    change(opt);
    const before = snapshot(opt, s);
    expect(codeNamed(() => act(s))).toBe('ERR_OPTIMIZER');
    expect(snapshot(opt, s)).toEqual(before);
    vi.restoreAllMocks();
  });

  it('after a group was removed, stateDict() still loads into a scheduler of the original groups', () => {
    const opt = sgd();
    const s = new CyclicLR(opt, OPTS);
    s.step();
    opt.paramGroups.pop();
    expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
    const t = new CyclicLR(sgd(), OPTS);
    t.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    t.step();
    const d = schedule(OPTS, { start: 2, length: 1 });
    expect(t.getLastLr()).toEqual([d.lr[0][0], d.lr[1][0]]);
  });

  it('once the group count is back, stepping continues exactly as if nothing had happened', () => {
    const opt = sgd();
    const s = new CyclicLR(opt, OPTS);
    const extra = opt.paramGroups.push({ lr: 1, momentum: 1 });
    expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
    opt.paramGroups.length = extra - 1;
    s.step();
    expect(s.lastEpoch).toBe(1);
    const d = schedule(OPTS, { start: 1, length: 1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [d.lr[0][0], d.momentum![0][0]],
      [d.lr[1][0], d.momentum![1][0]],
    ]);
  });

  it(
    'the same number of groups, new objects (paramGroups reassigned): ' + 'the current groups are written, as PyTorch',
    () => {
      const opt = sgd();
      const s = new CyclicLR(opt, OPTS);
      (opt as any).paramGroups = [
        { lr: 9, momentum: 9 },
        { lr: 9, momentum: 9 },
      ];
      s.step();
      const d = schedule(OPTS, { start: 1, length: 1 });
      expect(opt.paramGroups.map((g) => g.lr)).toEqual([d.lr[0][0], d.lr[1][0]]);
    },
  );

  it('an optimizer with 2^23 groups is refused with ERR_OPTIMIZER without reading a group', () => {
    const counter = { reads: 0 };
    const paramGroups = lazyList(2 ** 23, counter, { lr: 1, momentum: 0.9 });
    expect(codeNamed(() => new CyclicLR({ paramGroups } as any, { baseLr: 0.1, maxLr: 1 }))).toBe('ERR_OPTIMIZER');
    expect(counter.reads).toBe(0);
  });
});

/** a group whose `key` refuses writes (or reads) in one of the ways JS allows */
const refusing: [string, (g: Record<string, any>) => Record<string, any>][] = [
  ['frozen', (g) => Object.freeze(g)],
  ['getter-only lr', (g) => Object.defineProperty(g, 'lr', { get: () => 0.5, enumerable: true, configurable: true })],
  ['a Proxy whose set returns false', (g) => new Proxy(g, { set: () => false })],
  [
    'a Proxy whose set throws',
    (g) =>
      new Proxy(g, {
        set: () => {
          throw new Error('no');
        },
      }),
  ],
  [
    "a Proxy whose set throws for 'lr' only (momentum written first)",
    (g) =>
      new Proxy(g, {
        set: (t, k, v) => {
          if (k === 'lr') throw new Error('no');
          return Reflect.set(t, k, v);
        },
      }),
  ],
];
const refusingReads: [string, (g: Record<string, any>) => Record<string, any>][] = [
  [
    'a Proxy whose has throws',
    (g) =>
      new Proxy(g, {
        has: () => {
          throw new Error('no');
        },
      }),
  ],
  [
    'a Proxy whose get throws',
    (g) =>
      new Proxy(g, {
        get: () => {
          throw new Error('no');
        },
      }),
  ],
];

describe('a group that refuses a write: CyclicLRError, and no partial update', () => {
  it.each([...refusing, ...refusingReads])(
    '%s as group 1 of 2 at construction: ERR_OPTIMIZER, group 0 unchanged',
    (_, make) => {
      const opt = { paramGroups: [{ lr: 0.5, momentum: 0.5 }, make({ lr: 0.5, momentum: 0.5 })] };
      const before = { ...opt.paramGroups[0] };
      expect(codeNamed(() => new CyclicLR(opt, OPTS))).toBe('ERR_OPTIMIZER');
      expect(opt.paramGroups[0]).toEqual(before);
    },
  );

  it('sealed at construction (no room for initialLr, maxMomentum): ERR_OPTIMIZER, group 0 unchanged', () => {
    const opt = { paramGroups: [{ lr: 0.5, momentum: 0.5 }, Object.seal({ lr: 0.5, momentum: 0.5 })] };
    expect(codeNamed(() => new CyclicLR(opt, OPTS))).toBe('ERR_OPTIMIZER');
    expect(opt.paramGroups).toEqual([
      { lr: 0.5, momentum: 0.5 },
      { lr: 0.5, momentum: 0.5 },
    ]);
  });

  it('sealed after construction (every key already there): steps as usual', () => {
    const opt = sgd();
    const s = new CyclicLR(opt, OPTS);
    opt.paramGroups.forEach(Object.seal);
    s.step();
    expect(opt.paramGroups[1].lr).toBe(schedule(OPTS, { start: 1, length: 1 }).lr[1][0]);
  });

  it.each([...refusing, refusingReads[1]])(
    '%s as group 1 of 2 at a step: ERR_OPTIMIZER, nothing changed',
    (_, make) => {
      const opt = sgd();
      const s = new CyclicLR(opt, OPTS);
      s.step();
      opt.paramGroups[1] = make(opt.paramGroups[1]);
      const before = { g0: { ...opt.paramGroups[0] }, lastEpoch: s.lastEpoch, last: s.getLastLr() };
      expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
      expect({ g0: { ...opt.paramGroups[0] }, lastEpoch: s.lastEpoch, last: s.getLastLr() }).toEqual(before);
    },
  );

  it('a frozen betas group of an Adam-like optimizer: ERR_OPTIMIZER, betas of group 0 unchanged', () => {
    const opt = { paramGroups: [0, 1].map(() => ({ lr: 0.001, betas: [0.9, 0.999] }) as Record<string, any>) };
    const s = new CyclicLR(opt, OPTS);
    Object.freeze(opt.paramGroups[1]);
    const betas = opt.paramGroups[0].betas;
    expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
    expect(opt.paramGroups[0].betas).toBe(betas);
  });

  it('betas taken away from a group after construction: ERR_OPTIMIZER, nothing changed', () => {
    const opt = { paramGroups: [0, 1].map(() => ({ lr: 0.001, betas: [0.9, 0.999] }) as Record<string, any>) };
    const s = new CyclicLR(opt, OPTS);
    delete opt.paramGroups[1].betas;
    const before = snapshot(opt, s);
    expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
    expect(snapshot(opt, s)).toEqual(before);
  });

  it.each([
    ['a string', 'ab'],
    ['an empty array', []],
    ['an object with a length', { length: 2, 0: 0.9 }],
  ])('betas replaced by %s after construction: ERR_OPTIMIZER naming betas, nothing changed', (_, betas) => {
    const opt = { paramGroups: [0, 1].map(() => ({ lr: 0.001, betas: [0.9, 0.999] }) as Record<string, any>) };
    const s = new CyclicLR(opt, OPTS);
    opt.paramGroups[1].betas = betas;
    const before = snapshot(opt, s);
    const e = thrown(() => s.step());
    expect([e.code, e.key]).toEqual(['ERR_OPTIMIZER', 'betas']);
    expect(snapshot(opt, s)).toEqual(before);
  });

  it.each([
    ['momentum cycled', {}],
    ['momentum not cycled (no momentum written, none set back)', { cycleMomentum: false }],
  ])('group 0 of 2 refusing lr at a later step (%s): every group as before the step', (_, extra) => {
    const opt = sgd();
    const s = new CyclicLR(opt, { ...OPTS, ...extra });
    s.step();
    s.step();
    opt.paramGroups[0] = new Proxy(opt.paramGroups[0], {
      set: (t, k, v) => {
        if (k === 'lr') throw new Error('no');
        return Reflect.set(t, k, v);
      },
    });
    const before = snapshot(opt, s);
    expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
    expect(snapshot(opt, s)).toEqual(before);
  });

  it('a step gives betas a new array: the array a caller holds keeps its values', () => {
    const opt = { paramGroups: [{ lr: 0.001, betas: [0.9, 0.999] }] };
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 });
    const held = opt.paramGroups[0].betas;
    const values = [...held];
    s.step();
    expect(opt.paramGroups[0].betas).not.toBe(held);
    expect(held).toEqual(values);
  });

  it('betas of one value (the shortest a group may have): betas[0] cycled like momentum', () => {
    const opt = { paramGroups: [{ lr: 0.001, betas: [0.9] }] };
    const s = new CyclicLR(opt, { ...OPTS, baseLr: 0.01, maxLr: 0.1 });
    s.step();
    const d = schedule({ ...OPTS, baseLr: 0.01, maxLr: 0.1 }, { start: 1, length: 1 });
    expect(opt.paramGroups[0].betas).toEqual([d.momentum![0][0]]);
    expect(opt.paramGroups[0]).toMatchObject({ lr: d.lr[0][0] });
  });

  it('getLr() writing momenta into a frozen group: ERR_OPTIMIZER, group 0 unchanged', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const opt = sgd();
    const s = new CyclicLR(opt, OPTS);
    s.step();
    opt.paramGroups[0].momentum = 0.123;
    Object.freeze(opt.paramGroups[1]);
    expect(codeNamed(() => s.getLr())).toBe('ERR_OPTIMIZER');
    expect(opt.paramGroups[0].momentum).toBe(0.123);
    vi.restoreAllMocks();
  });
});

/** a param group whose lr and momentum (or betas) are accessors over private storage, as the TF.js adapter's */
class AccessorGroup {
  #lr = 0.5;
  #m = 0.5;
  readonly log: [string, number][] = [];
  /** the key whose setter throws (a backend refusing it) */
  refuse: string | null = null;
  get lr() {
    return this.#lr;
  }
  set lr(v: number) {
    if (this.refuse === 'lr') throw new Error('backend refused');
    this.log.push(['lr', v]);
    this.#lr = v;
  }
  get momentum() {
    return this.#m;
  }
  set momentum(v: number) {
    if (this.refuse === 'momentum') throw new Error('backend refused');
    this.log.push(['momentum', v]);
    this.#m = v;
  }
}
class AccessorBetasGroup {
  #lr = 0.001;
  #betas = [0.9, 0.999];
  get lr() {
    return this.#lr;
  }
  set lr(v: number) {
    this.#lr = v;
  }
  get betas() {
    return this.#betas;
  }
  set betas(v: number[]) {
    this.#betas = v;
  }
}

describe('groups whose lr/momentum/betas are accessors (get + set) keep working', () => {
  it.each(['wasm', 'js'] as const)(
    'accessor lr and momentum (%s): the setters receive the golden-checked values',
    (backend) => {
      const opt = { paramGroups: [new AccessorGroup(), new AccessorGroup()] as any[] };
      const s = new CyclicLR(opt, { ...OPTS, backend });
      const d = schedule(OPTS, { length: 20 });
      for (let i = 0; i < 20; i++) {
        for (let g = 0; g < 2; g++) {
          expect(Object.is(opt.paramGroups[g].lr, d.lr[g][i])).toBe(true);
          expect(Object.is(opt.paramGroups[g].momentum, d.momentum![g][i])).toBe(true);
        }
        s.step();
      }
      expect(s.stateDict().use_beta1).toBe(false);
    },
  );

  it('accessor betas: betas[0] cycled, betas[1] kept', () => {
    const opt = { paramGroups: [new AccessorBetasGroup(), new AccessorBetasGroup()] as any[] };
    const s = new CyclicLR(opt, OPTS);
    s.step();
    const d = schedule(OPTS, { start: 1, length: 1 });
    expect(opt.paramGroups.map((g) => g.betas)).toEqual([
      [d.momentum![0][0], 0.999],
      [d.momentum![1][0], 0.999],
    ]);
  });

  it('a setter that throws halfway: the values already written are set back through the setters', () => {
    const a = new AccessorGroup();
    const b = new AccessorGroup();
    const opt = { paramGroups: [a, b] as any[] };
    const s = new CyclicLR(opt, OPTS);
    const before = [a.lr, a.momentum, b.lr, b.momentum];
    a.log.length = 0;
    b.log.length = 0;
    b.refuse = 'lr'; // momenta are written first: b takes its momentum, then refuses its lr
    expect(codeNamed(() => s.step())).toBe('ERR_OPTIMIZER');
    expect([a.lr, a.momentum, b.lr, b.momentum]).toEqual(before);
    // written (momenta, then lrs), then restored last first
    expect(a.log).toEqual([
      ['momentum', expect.any(Number)],
      ['lr', expect.any(Number)],
      ['lr', before[0]],
      ['momentum', before[1]],
    ]);
    expect(b.log).toEqual([
      ['momentum', expect.any(Number)],
      ['momentum', before[3]],
    ]);
    expect(s.lastEpoch).toBe(0);
  });
});

describe('loadStateDict is atomic and copies only plain data fields into the scaleFn', () => {
  const custom = () => Object.assign((x: number) => 1 / x, { k: 1 });
  const make = () => {
    const fn = custom();
    const s = new CyclicLR(sgd(), { ...OPTS, scaleFn: fn });
    s.step();
    return { s, fn, state: s.stateDict() };
  };

  it.each([
    ['name (read-only on every function)', { name: 'x' }],
    ['length (read-only)', { length: 3 }],
    ['call (inherited from Function.prototype)', { call: 1 }],
    ['caller (an accessor of Function.prototype)', { caller: 1 }],
    ['a getter', Object.defineProperty({}, 'k', { get: () => 2, enumerable: true })],
  ])('_scale_fn_custom naming %s: ERR_INVALID_STATE, the scheduler unchanged', (_, fields) => {
    const { s, fn, state } = make();
    const before = s.stateDict();
    expect(codeNamed(() => s.loadStateDict({ ...state, last_epoch: 100, _scale_fn_custom: fields }))).toBe(
      'ERR_INVALID_STATE',
    );
    expect(s.stateDict()).toEqual(before);
    expect(s.lastEpoch).toBe(1);
    expect(fn.k).toBe(1);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'a JSON {"%s": …} in _scale_fn_custom: ERR_INVALID_STATE, the scaleFn and its prototype untouched',
    (key) => {
      const { s, fn, state } = make();
      const proto = Object.getPrototypeOf(fn);
      const loaded = JSON.parse(
        JSON.stringify({ ...state, last_epoch: 7 }).replace(
          '"_scale_fn_custom":{',
          `"_scale_fn_custom":{"${key}":{"x":1},`,
        ),
      );
      expect(Object.keys(loaded._scale_fn_custom)).toContain(key);
      expect(codeNamed(() => s.loadStateDict(loaded))).toBe('ERR_INVALID_STATE');
      expect(Object.getPrototypeOf(fn)).toBe(proto);
      expect(Object.getOwnPropertyNames(fn).sort()).toEqual(['k', 'length', 'name']);
      expect(s.lastEpoch).toBe(1);
    },
  );

  it('a new field needs an extensible scaleFn: a frozen one refuses it (ERR_INVALID_STATE), unchanged', () => {
    const fn = Object.freeze(Object.assign((x: number) => 1 / x, { k: 1 }));
    const s = new CyclicLR(sgd(), { ...OPTS, scaleFn: fn });
    expect(
      codeNamed(() => s.loadStateDict({ ...s.stateDict(), last_epoch: 9, _scale_fn_custom: { k: 1, j: 2 } })),
    ).toBe('ERR_INVALID_STATE');
    expect(s.lastEpoch).toBe(0);
  });

  it("plain fields merge: own writable ones are overwritten, new ones added (a callable object's __dict__)", () => {
    const { s, fn, state } = make();
    s.loadStateDict({ ...state, _scale_fn_custom: { k: 5, j: [1, 2] } });
    expect({ k: fn.k, j: (fn as any).j }).toEqual({ k: 5, j: [1, 2] });
    expect(s.stateDict()._scale_fn_custom).toEqual({ k: 5, j: [1, 2] });
  });
});

describe('caps apply to every way of asking, before per-group work', () => {
  it.each(['baseLr', 'maxLr', 'baseMomentum', 'maxMomentum'])(
    'a %s list of 8,388,608 values: ERR_INVALID_OPTION before reading them (schedule and CyclicLR)',
    (key) => {
      const counter = { reads: 0 };
      const opts = { baseLr: 0.1, maxLr: 1, [key]: lazyList(2 ** 23, counter, 0.1) } as any;
      expect(codeNamed(() => schedule(opts, { length: 1 }))).toBe('ERR_INVALID_OPTION');
      expect(codeNamed(() => new CyclicLR(sgd(1), opts))).toBe('ERR_INVALID_OPTION');
      expect(counter.reads).toBe(0);
    },
  );

  /** the key of the CyclicLRError `f` throws: the cap says 'groups' / the list's name, a later check another key */
  const keyOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof CyclicLRError ? e.key : 'not a CyclicLRError';
    }
    return 'none';
  };
  it('groups: exactly 2^22 passes the cap (the next check fails: a list of 3), 2^22 + 1 is the cap', () => {
    expect(MAX_GROUPS).toBe(2 ** 22);
    expect(keyOf(() => resolveOptions({ baseLr: [1, 2, 3], maxLr: 1, groups: 2 ** 22 }))).toBe('baseLr');
    expect(keyOf(() => resolveOptions({ baseLr: [1, 2, 3], maxLr: 1, groups: 2 ** 22 + 1 }))).toBe('groups');
  });

  it('a list of exactly 2^22 passes the cap (its first element is then read), 2^22 + 1 is refused unread', () => {
    const poisoned = (n: number) =>
      new Proxy([0.1], {
        get: (target, k) => {
          if (k === 'length') return n;
          if (k === '0') throw new Error('read');
          return Reflect.get(target, k);
        },
      });
    expect(keyOf(() => resolveOptions({ baseLr: poisoned(2 ** 22), maxLr: 1 }))).toBe('baseLr[0]');
    expect(keyOf(() => resolveOptions({ baseLr: poisoned(2 ** 22 + 1), maxLr: 1 }))).toBe('baseLr');
    const paramGroups = poisoned(2 ** 22);
    expect(keyOf(() => new CyclicLR({ paramGroups } as any, { baseLr: 0.1, maxLr: 1 }))).toBe('paramGroups[0]');
  });
});

describe('a scaleFn that refuses a merged field: all or none', () => {
  it('a Proxy scaleFn whose defineProperty throws on the second field: ERR_INVALID_STATE, the first undone', () => {
    const target = Object.assign((x: number) => 1 / x, { k: 1 });
    let defines = 0;
    const fn = new Proxy(target, {
      defineProperty: (t, key, d) => {
        if (++defines === 2) throw new Error('no');
        return Reflect.defineProperty(t, key, d);
      },
    });
    const s = new CyclicLR(sgd(), { ...OPTS, scaleFn: fn });
    expect(
      codeNamed(() => s.loadStateDict({ ...s.stateDict(), last_epoch: 5, _scale_fn_custom: { k: 2, j: 3 } })),
    ).toBe('ERR_INVALID_STATE');
    expect(target.k).toBe(1);
    expect('j' in target).toBe(false);
    expect(s.lastEpoch).toBe(0);
  });
});

describe('a failed merge sets every merged field back: the scaleFn has exactly its own properties as before', () => {
  it.each([
    ['an own field overwritten, the next refused', { k: 2, j: 3 }, 2, false],
    ['a new field added, the next refused', { j: 3, k: 2 }, 2, false],
    ['a new and an own field merged, the third refused', { j: 3, k: 2, m: 4 }, 3, false],
    ['a new field added, the next refused, and its removal refused too', { j: 3, k: 2 }, 2, true],
  ])('%s: ERR_INVALID_STATE', (_, fields, failAt, refuseDelete) => {
    const target = Object.assign((x: number) => 1 / x, { k: 1 });
    const before = Object.getOwnPropertyDescriptors(target);
    let defines = 0;
    const fn = new Proxy(target, {
      defineProperty: (t, key, d) => {
        if (++defines === failAt) throw new Error('no');
        return Reflect.defineProperty(t, key, d);
      },
      deleteProperty: (t, key) => {
        if (refuseDelete) throw new Error('no delete');
        return Reflect.deleteProperty(t, key);
      },
    });
    const s = new CyclicLR(sgd(), { ...OPTS, scaleFn: fn });
    const e = codeNamed(() => s.loadStateDict({ ...s.stateDict(), last_epoch: 5, _scale_fn_custom: fields }));
    expect(e).toBe('ERR_INVALID_STATE');
    if (refuseDelete)
      expect((target as any).j).toBe(3); // what could not be undone stays, nothing else
    else expect(Object.getOwnPropertyDescriptors(target)).toEqual(before);
    expect(target.k).toBe(1);
    expect(s.lastEpoch).toBe(0);
  });
});
