// The core entry bundles for the browser with no flags: esbuild --bundle --format=esm --platform=browser of
// dist/index.js, no externals, resolves (no static node:* import anywhere), and the bundle computes the same bits.
// (The packaging tests check the packed tarball; this is the direct check of the built entry.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the core entry bundles for the browser', () => {
  it('esbuild --bundle --format=esm --platform=browser dist/index.js: no errors, no static node:* import', async () => {
    const r = await build({
      entryPoints: [ENTRY],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    expect(r.errors).toEqual([]);
    const text = r.outputFiles[0].text;
    expect(text).not.toMatch(/^\s*import[^;]*["']node:/m);
    expect(text).not.toMatch(/\bimport\(\s*["']node:/);
    const file = path.join(dir, 'bundle.mjs');
    writeFileSync(file, text);
    // the bundle runs (here in Node) and gives the package's bits, scheduleParallel included
    const b = await import(pathToFileURL(file).href);
    const d = await import(pathToFileURL(ENTRY).href);
    const o = { baseLr: [0.001, 0.01], maxLr: 0.1, stepSizeUp: 7, mode: 'exp_range', gamma: 0.999 };
    const x = b.schedule(o, { length: 300_000 });
    const y = d.schedule(o, { length: 300_000 });
    const p = await b.scheduleParallel(o, { length: 300_000, threads: 2 });
    for (let g = 0; g < 2; g++) {
      expect(x.lr[g].every((v: number, i: number) => Object.is(v, y.lr[g][i]))).toBe(true);
      expect(p.lr[g].every((v: number, i: number) => Object.is(v, y.lr[g][i]))).toBe(true);
    }
    const steps = (lib: typeof d) => {
      const s = new lib.CyclicLR(
        {
          paramGroups: [
            { lr: 0.1, momentum: 0.9 },
            { lr: 0.1, momentum: 0.9 },
          ],
        },
        o,
      );
      for (let k = 0; k < 1000; k++) s.step();
      return s.getLastLr();
    };
    expect(steps(b)).toEqual(steps(d));
    expect(steps(b)).toEqual([y.lr[0][1000], y.lr[1][1000]]);
  });
});
