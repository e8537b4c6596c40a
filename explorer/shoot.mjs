// Measures the explorer in headless Chromium and takes the screenshot of docs/explorer.png:
//   node explorer/shoot.mjs            (builds into a temp dir; needs /usr/bin/chromium)
// Speed: 1e6 iterations × 4 param groups (lr + momentum: 8 lines), edit base_lr 15 times, each time from the
// input event to the end of uPlot's draw (worker compute + transfer + envelope lines + draw), median printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildExplorer, CHROMIUM, CHROMIUM_ARGS, serve } from './serve.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'explorer-shoot-'));
const png = fileURLToPath(new URL('../docs/explorer.png', import.meta.url));
await buildExplorer(dir);
const site = await serve(dir);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', String(e)));
  const ready = () => page.waitForFunction(() => window.__explorer?.redraws > 0, undefined, { timeout: 60_000 });
  const redraws = () => page.evaluate(() => window.__explorer.redraws);

  await page.goto(
    `${site.url}#base_lr=0.001,0.002,0.003,0.004&max_lr=0.1,0.08,0.06,0.04` +
      '&step_size_up=2000&mode=triangular2&iterations=1000000',
  );
  await ready();
  const input = page.locator('#c1-base_lr');
  const ms = [];
  const compute = [];
  for (let k = 0; k < 32; k++) {
    const n = await redraws();
    await input.fill(`0.00${1 + (k % 2)},0.002,0.003,0.004`);
    await page.waitForFunction((m) => window.__explorer.redraws > m, n);
    const s = await page.evaluate(() => window.__explorer);
    if (k >= 2) {
      ms.push(s.lastRedrawMs);
      compute.push(s.lastComputeMs);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(
    `1e6 iterations × 4 groups, edit → drawn: median ${median(ms).toFixed(1)} ms ` +
      `(min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}, n = ${ms.length}); ` +
      `of which worker compute median ${median(compute).toFixed(1)} ms`,
  );

  await page.goto('about:blank');
  await page.goto(
    `${site.url}#base_lr=0.001&max_lr=0.1&step_size_up=2000&mode=triangular2&iterations=30000` +
      '&2.mode=exp_range&2.gamma=0.9999&diff=1',
  );
  await ready();
  // an edit, so the page's own timing line shows an edit's redraw (not the first load's)
  const n = await redraws();
  await page.locator('#c2-gamma').fill('0.99994');
  await page.waitForFunction((m) => window.__explorer.redraws > m, n);
  const over = page.locator('#chart .u-over');
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.205, box.y + box.height * 0.3);
  await page.waitForFunction(() => document.querySelector('#readout caption') !== null);
  await page.screenshot({ path: png, fullPage: true });
  console.log(`wrote ${png}`);
} finally {
  await browser.close();
  await site.close();
  rmSync(dir, { recursive: true, force: true });
}
