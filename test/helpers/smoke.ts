// A smoke run of the package wherever it is loaded (a CommonJS file, a bundle, Bun, Deno): schedule() and CyclicLR
// on the golden case pub_tri2_basic, printed as JSON, and the check of that output against PyTorch's bits.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** The script's body, after a line that binds `schedule`, `CyclicLR` and `CyclicLRError`. */
export const SMOKE_BODY = `
const o = { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'triangular2' };
const dense = schedule(o, { length: 40 });
const optimizer = { paramGroups: [{ lr: 0.123, momentum: 0.9 }] };
const s = new CyclicLR(optimizer, o);
const steps = [];
const momenta = [];
for (let i = 0; i < 40; i++) {
  steps.push(s.getLastLr()[0]);
  momenta.push(optimizer.paramGroups[0].momentum);
  s.step();
}
let code = null;
try {
  schedule({ ...o, stepSizeUp: 0 }, { length: 1 });
} catch (e) {
  code = e instanceof CyclicLRError ? e.code : String(e);
}
const lr = Array.from(dense.lr[0]);
const momentum = Array.from(dense.momentum[0]);
console.log(JSON.stringify({ lr, momentum, steps, momenta, code }));
`;

export const SMOKE_ESM = `import { schedule, CyclicLR, CyclicLRError } from 'cyclic-lr';\n${SMOKE_BODY}`;
export const SMOKE_CJS = `const { schedule, CyclicLR, CyclicLRError } = require('cyclic-lr');\n${SMOKE_BODY}`;

/** Asserts a smoke run's stdout holds PyTorch's bits (Object.is) for lr and momentum, dense and stateful. */
export function expectSmoke(stdout: string): void {
  const golden = JSON.parse(
    readFileSync(new URL('../fixtures/golden_public_nofma.json', import.meta.url), 'utf8'),
  ).results.find((r: { id: string }) => r.id === 'pub_tri2_basic');
  const lr: number[] = golden.lrs.map((row: number[]) => row[0]);
  const momentum: number[] = golden.momentums.map((row: number[]) => row[0]);
  const got = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  for (const [name, want] of [
    ['lr', lr],
    ['steps', lr],
    ['momentum', momentum],
    ['momenta', momentum],
  ] as const) {
    expect(got[name].length, name).toBe(want.length);
    want.forEach((w, i) => expect(Object.is(got[name][i], w), `${name}[${i}]: ${got[name][i]} vs ${w}`).toBe(true));
  }
  expect(got.code).toBe('ERR_INVALID_OPTION');
}
