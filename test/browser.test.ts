// The package in a browser: headless Chromium (Debian's) imports dist/index.js as a plain ES module from a
// localhost server — no bundler, no fs, no init() — and gets PyTorch's bits. Skipped, visibly, without Chromium.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const can = existsSync(CHROMIUM);
if (!can) console.log('browser test skipped: Debian chromium is not installed (apt-get install -y chromium)');

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { schedule, CyclicLR, scheduleParallel, CyclicLRError } from '/dist/index.js';
const o = { baseLr: 0.1, maxLr: 1.0, stepSizeUp: 4, mode: 'exp_range', gamma: 0.9 };
const wasm = schedule(o, { length: 40 });
const js = schedule(o, { length: 40, backend: 'js' });
const opt = { paramGroups: [{ lr: 0.5, momentum: 0.9 }] };
const s = new CyclicLR(opt, o);
const steps = [];
for (let i = 0; i < 40; i++) { steps.push(s.getLastLr()[0]); s.step(); }
const par = await scheduleParallel(o, { length: 200000 });
let code = null;
try {
  schedule({ ...o, stepSizeUp: 0 }, { length: 3 });
} catch (e) {
  code = e instanceof CyclicLRError ? e.code : String(e);
}
const parRef = schedule(o, { start: 123456, length: 1 }).lr[0][0];
window.result = { wasm: [...wasm.lr[0]], js: [...js.lr[0]], steps, par: par.lr[0][123456], parRef, code };
</script>`;

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
      return;
    }
    const file = path.join(root, path.normalize(url));
    if (!file.startsWith(path.join(root, 'dist')) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe.skipIf(!can)('in headless Chromium', () => {
  const title =
    'import cyclic-lr as an ES module: schedule(), CyclicLR and errors give the golden bits; ' +
    'scheduleParallel falls back';
  it(title, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${base}/`);
      await page.waitForFunction(() => (window as any).result !== undefined || false, undefined, { timeout: 20_000 });
      const r = await page.evaluate(() => (window as any).result);
      expect(errors).toEqual([]);
      const golden = JSON.parse(readFileSync(path.join(root, 'test/fixtures/golden_public_nofma.json'), 'utf8'))
        .results.find((x: { id: string }) => x.id === 'pub_exp_basic')
        .lrs.map((row: number[]) => row[0]);
      expect(r.wasm).toEqual(golden);
      expect(r.js).toEqual(golden);
      expect(r.steps).toEqual(golden);
      expect(r.par).toBe(r.parRef);
      expect(r.code).toBe('ERR_INVALID_OPTION');
    } finally {
      await browser.close();
    }
  });
});
