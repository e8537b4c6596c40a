// The schedule explorer (explorer/): its safe expression parser, its hash format and decimation in Node, then the
// built page in Debian's headless Chromium from a local static server: accessible names, downloads equal to
// schedule() bit for bit, the hash round trip, the library's errors next to fields, and a malicious link that
// runs nothing. Skipped, visibly, without Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Viewer } from '../explorer/compute.js';
import { addColumns, Envelope } from '../explorer/decimate.js';
import { compile, ExprError, parse, print } from '../explorer/expr.js';
import { floatHex } from '../explorer/format.js';
import { buildExplorer, CHROMIUM, CHROMIUM_ARGS, serve } from '../explorer/serve.mjs';
import { cliSnippet, pytorchSnippet, typescriptSnippet } from '../explorer/snippets.js';
import { DEFAULTS, fieldOfKey, fromHash, initialState, toHash, toOptions } from '../explorer/state.js';
import { csvHeader, csvLines } from '../src/csv.js';
import type { CyclicLRError } from '../src/errors.js';
import type { CyclicLROptions } from '../src/options.js';
import { schedule } from '../src/schedule.js';
import { readNpy } from './helpers/npy.js';

describe('scale_fn expressions (explorer/expr.ts)', () => {
  it.each([
    ['1 / (2 ** (x - 1))', 3, 0.25],
    ['0.5 * (1 + cos(pi * x / 7))', 7, 0.5 * (1 + Math.cos((Math.PI * 7) / 7))],
    ['-x ** 2', 3, -9],
    ['2 ** 3 ** 2', 0, 512],
    ['2 ** -1', 0, 0.5],
    ['-(-x)', 4, 4],
    ['7 % 3 + 1e-3', 0, 1.001],
    ['-7 % 3', 0, -1],
    ['max(x, 2, 3) - min(1, x)', 5, 4],
    ['exp(log(x)) + sqrt(abs(-16)) + floor(2.5) + ceil(.5) + pow(2, 3)', 1, 1 + 4 + 2 + 1 + 8],
    ['e', 0, Math.E],
    ['+x', 2, 2],
  ])('%s at x = %d is %d', (src, x, want) => {
    expect(compile(parse(src))(x)).toBe(want);
  });

  it.each([
    ["(()=>{document.title='x'})()", /unexpected character "="/],
    ['alert(1)', /unknown name "alert"/],
    ['constructor', /unknown name "constructor"/],
    ['x.constructor', /unexpected character "\."|unexpected "\.constructor"/],
    ['__proto__', /unknown name "__proto__"/],
    ['x y', /unexpected "y" at 3/],
    ['cos()', /cos\(\) takes 1 argument, got 0/],
    ['max(1)', /max\(\) takes two or more arguments/],
    ['(x', /expected "\)", found the end/],
    ['', /expected a number/],
    ['`x`', /unexpected character "`"/],
    ['x; 1', /unexpected character ";"/],
    [`${'('.repeat(100)}x${')'.repeat(100)}`, /nests deeper than 64/],
    [`${'x+'.repeat(600)}x`, /longer than 1000/],
  ])('%s is refused: %s', (src, msg) => {
    expect(() => parse(src)).toThrow(ExprError);
    expect(() => parse(src)).toThrow(msg);
  });

  it.each([
    ['-x**2 % 3', 'math.fmod(-(x ** 2), 3)', '-(x ** 2) % 3'],
    ['0.5 * (1 + cos(pi * x / 7))', '0.5 * (1 + math.cos(math.pi * x / 7))', '0.5 * (1 + Math.cos(Math.PI * x / 7))'],
    ['a - (b - c)'.replace(/[abc]/g, 'x'), 'x - (x - x)', 'x - (x - x)'],
    ['(-x) ** 2 + abs(x)', '(-x) ** 2 + abs(x)', '(-x) ** 2 + Math.abs(x)'],
    ['1 / (2 ** (x - 1))', '1 / 2 ** (x - 1)', '1 / 2 ** (x - 1)'],
  ])('%s prints as Python %s and TypeScript %s', (src, py, ts) => {
    expect(print(parse(src), 'python')).toBe(py);
    expect(print(parse(src), 'ts')).toBe(ts);
    // the TypeScript form is an expression of the same value (checked here, in the test, never in the page)
    const f = compile(parse(src));
    const g = new Function('x', `return ${ts};`) as (x: number) => number;
    for (const x of [0.5, 1, 2, 3.25]) expect(Object.is(g(x), f(x))).toBe(true);
  });
});

describe('the URL hash (explorer/state.ts)', () => {
  it.each([
    ['#', 1, {}],
    ['#base_lr=0.01&max_lr=0.5&mode=triangular2&iterations=100000', 1, { base_lr: '0.01', mode: 'triangular2' }],
    ['#base_lr=0.01&2.mode=exp_range&2.gamma=0.999&3.show=1', 3, { base_lr: '0.01' }],
    ['#9.mode=exp_range', 6, {}],
  ])('%s has %d configs; config 1 has %o', (hash, n, fields) => {
    const s = fromHash(hash);
    expect(s.configs).toHaveLength(n);
    expect(s.configs[0]).toMatchObject(fields);
  });

  it('config k inherits config 1; toHash writes only what differs, and reads back equal', () => {
    const s = fromHash('#base_lr=0.01&max_lr=0.5&mode=triangular2&2.mode=exp_range&2.gamma=0.999&iterations=5000');
    expect(s.configs[1]).toMatchObject({ base_lr: '0.01', max_lr: '0.5', mode: 'exp_range', gamma: '0.999' });
    s.configs.push({ ...s.configs[0] });
    s.configs[0].cycle_momentum = false;
    s.configs[1].show = false;
    s.diff = true;
    s.zoom = '10,20';
    const h = toHash(s);
    expect(h).toBe(
      '#base_lr=0.01&max_lr=0.5&mode=triangular2&cycle_momentum=false&iterations=5000&diff=1&zoom=10%2C20' +
        '&2.mode=exp_range&2.gamma=0.999&2.cycle_momentum=true&2.show=0&3.cycle_momentum=true',
    );
    expect(fromHash(h)).toEqual(s);
    expect(toHash(initialState())).toBe('#base_lr=0.001&max_lr=0.1&iterations=20000');
  });

  it('numbers go to the library as typed, so its own validation speaks', () => {
    const bad = (patch: Partial<typeof DEFAULTS>) => {
      try {
        schedule(toOptions({ ...DEFAULTS, ...patch }), { length: 1 });
      } catch (e) {
        return [(e as CyclicLRError).code, fieldOfKey((e as CyclicLRError).key)];
      }
      return null;
    };
    expect(bad({ step_size_up: '0' })).toEqual(['ERR_INVALID_OPTION', 'step_size_up']);
    expect(bad({ base_lr: 'abc' })).toEqual(['ERR_INVALID_OPTION', 'base_lr']);
    expect(bad({ base_lr: '0.1, x' })).toEqual(['ERR_INVALID_OPTION', 'base_lr']);
    expect(bad({ base_lr: '0.1,0.2', max_momentum: '0.9,0.9,0.9' })).toEqual(['ERR_INVALID_OPTION', 'max_momentum']);
    expect(bad({ mode: 'cosine' })).toEqual(['ERR_INVALID_OPTION', 'mode']);
    expect(bad({ gamma: '' })).toBeNull();
    expect(() => toOptions({ ...DEFAULTS, scale_fn: 'alert(1)' })).toThrow(/scale_fn: unknown name "alert"/);
    expect(toOptions({ ...DEFAULTS, base_lr: '0.001, 0.01' }).baseLr).toEqual([0.001, 0.01]);
  });
});

describe('the page pieces in Node', () => {
  it('addColumns fills the columns Envelope.add fills, chunk by chunk', () => {
    const values = Float64Array.from({ length: 10_007 }, (_, i) => Math.sin(i * 0.37) * (i % 13));
    for (const [columns, piece] of [
      [1, 100],
      [7, 1000],
      [640, 4096],
      [10_007, 333],
      [3, 10_007],
    ]) {
      const a = new Envelope(columns, 5, values.length);
      const b = new Envelope(columns, 5, values.length);
      a.add(5, values);
      for (let at = 0; at < values.length; at += piece) addColumns(b, at, values.subarray(at, at + piece));
      expect([...b.min]).toEqual([...a.min]);
      expect([...b.max]).toEqual([...a.max]);
    }
  });

  it.each([
    [0.001, '0x1.0624dd2f1a9fcp-10'],
    [1, '0x1.0000000000000p+0'],
    [-0, '-0x0.0p+0'],
    [0, '0x0.0p+0'],
    [5e-324, '0x0.0000000000001p-1022'],
    [2.2250738585072014e-308, '0x1.0000000000000p-1022'],
    [1e300, '0x1.7e43c8800759cp+996'],
    [-0.1, '-0x1.999999999999ap-4'],
    [1.5e-310, '0x0.01b9cd1295941p-1022'],
    [Infinity, 'inf'],
  ])("floatHex(%d) is Python's float.hex(): %s", (v, hex) => {
    expect(floatHex(v)).toBe(hex);
  });

  it('a view holds every peak: the envelope of 1e6 iterations reaches max_lr and base_lr of every group', () => {
    const v = new Viewer();
    const c = { ...DEFAULTS, base_lr: '0.001,0.002', max_lr: '0.1,0.05' };
    const view = v.view({ id: 1, start: 0, length: 1_000_000, columns: 997, configs: [c, c], diff: true });
    expect(view.errors).toEqual([]);
    expect(view.x).toHaveLength(2 * 997);
    const lr = view.lines.filter((l) => l.kind === 'lr' && l.config === 0);
    const exact = schedule(toOptions(c), { length: 1_000_000 }).lr;
    const extent = (y: ArrayLike<number>) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < y.length; i++) [lo, hi] = [Math.min(lo, y[i]), Math.max(hi, y[i])];
      return [lo, hi];
    };
    expect(lr.map((l) => extent(l.y))).toEqual(exact.map(extent));
    expect(view.lines.filter((l) => l.kind === 'diff').every((l) => l.y.every((d) => d === 0))).toBe(true);
    const bad = v.view({
      id: 2,
      start: 0,
      length: 10,
      columns: 100,
      configs: [{ ...c, step_size_up: '0' }],
      diff: false,
    });
    expect(bad.errors).toMatchObject([{ config: 0, field: 'step_size_up', code: 'ERR_INVALID_OPTION' }]);
    const overflow = { ...c, mode: 'exp_range', gamma: '1.5' };
    const o = v.view({ id: 3, start: 0, length: 5000, columns: 100, configs: [overflow], diff: false });
    expect(o.errors).toMatchObject([{ config: 0, code: 'ERR_OVERFLOW' }]);
  });

  it('the snippets name every argument; a link cannot put shell or code into them', () => {
    const s = initialState();
    const c = { ...DEFAULTS, mode: "x'; rm -rf ~ #", scale_fn: '1 / (2 ** (x - 1))' };
    expect(pytorchSnippet(c)).toContain('scale_fn=lambda x: 1 / 2 ** (x - 1),');
    expect(pytorchSnippet(c)).toContain('mode="x\'; rm -rf ~ #",');
    expect(cliSnippet(c, s)).toContain("--mode 'x'\\''; rm -rf ~ #'");
    expect(cliSnippet(c, s)).toMatch(/^# the CLI has no scale_fn/);
    expect(typescriptSnippet(c, s)).toContain('mode: "x\'; rm -rf ~ #",');
    expect(cliSnippet(DEFAULTS, s)).toBe(
      'cyclic-lr --base-lr 0.001 --max-lr 0.1 --step-size-up 2000 --mode triangular --base-momentum 0.8 ' +
        '--max-momentum 0.9 --iterations 20000 --out schedule.csv\n',
    );
  });
});

const PYTHON = '/usr/bin/python3';
const can = existsSync(CHROMIUM);
if (!can) console.log('explorer browser tests skipped: Debian chromium is not installed (/usr/bin/chromium)');

describe.skipIf(!can)('the built page in headless Chromium', () => {
  let dir = '';
  let site: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  /** the local servers' URLs: every request must go to one of them */
  const local: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'explorer-'));
    await buildExplorer(dir);
    site = await serve(dir);
    local.push(site.url);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const redraws = () => page.evaluate(() => (window as any).__explorer.redraws as number);
  /** opens a hash (a fresh load) and waits for the chart */
  async function open(hash: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(site.url + hash);
    await page.waitForFunction(() => (window as any).__explorer?.redraws > 0, undefined, { timeout: 30_000 });
  }
  const config = (k: number) => page.getByRole('group', { name: `config ${k}`, exact: true });
  async function download(name: string): Promise<Buffer> {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name, exact: true }).click(),
    ]);
    return readFileSync((await dl.path())!);
  }

  it('loads with no console error; every input, button and the chart are there by their accessible names', async () => {
    await open('');
    expect(await page.title()).toBe('cyclic-lr schedule explorer');
    for (const name of ['iterations', 'start', 'export config', 'difference (config k − config 1)']) {
      expect(await page.getByLabel(name, { exact: true }).count(), name).toBe(1);
    }
    const fields = ['base_lr', 'max_lr', 'step_size_up', 'step_size_down', 'mode', 'gamma', 'scale_fn', 'scale_mode'];
    for (const name of [...fields, 'cycle_momentum', 'base_momentum', 'max_momentum', 'show']) {
      expect(await config(1).getByLabel(name, { exact: true }).count(), name).toBe(1);
    }
    for (const name of [
      'Download .npy',
      'Download .csv',
      'Download .svg',
      'Copy PyTorch',
      'Copy CLI',
      'Copy TypeScript',
      'Add config',
    ]) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await page.getByRole('img', { name: 'Schedule chart' }).count()).toBe(1);
    expect(await page.locator('#chart canvas').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it(
    'open a hash, press Download .csv and Download .npy: ' + 'the files are schedule() of that config, bit for bit',
    async () => {
      const hash =
        '#base_lr=0.001,0.01&max_lr=0.1,0.05&step_size_up=200&step_size_down=50&mode=exp_range&gamma=0.9995' +
        '&base_momentum=0.85&iterations=3000&start=17';
      await open(hash);
      const options = {
        baseLr: [0.001, 0.01],
        maxLr: [0.1, 0.05],
        stepSizeUp: 200,
        stepSizeDown: 50,
        mode: 'exp_range' as const,
        gamma: 0.9995,
        baseMomentum: 0.85,
      };
      const want = schedule(options, { start: 17, length: 3000 });
      const csv = (await download('Download .csv')).toString('utf8');
      expect(csv).toBe(csvHeader(2, true) + [...csvLines(17, want.lr, want.momentum)].join(''));
      const lines = csv.trimEnd().split('\n');
      expect(lines[0]).toBe('iteration,lr_0,lr_1,momentum_0,momentum_1');
      expect(lines).toHaveLength(3001);
      lines.slice(1).forEach((line, i) => {
        const cells = line.split(',').map(Number);
        expect(cells[0]).toBe(17 + i);
        const rows = [...want.lr, ...want.momentum!];
        rows.forEach((row, j) => expect(Object.is(cells[1 + j], row[i])).toBe(true));
      });
      const npy = readNpy(await download('Download .npy'));
      expect(npy.descr).toBe('<f8');
      expect(npy.shape).toEqual([2, 3000]);
      const flat = new Float64Array([...want.lr[0], ...want.lr[1]]);
      expect(Buffer.from(npy.data.buffer).equals(Buffer.from(flat.buffer))).toBe(true);
      const svg = (await download('Download .svg')).toString('utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.match(/class="series"/g)).toHaveLength(4);
      expect(errors).toEqual([]);
    },
  );

  it('edit base_lr: the hash changes and the chart redraws; reload: the same view', async () => {
    await open('#base_lr=0.001&max_lr=0.1&mode=triangular2&iterations=100000&2.mode=exp_range&2.gamma=0.99997');
    const before = await redraws();
    await config(1).getByLabel('base_lr', { exact: true }).fill('0.002');
    await page.waitForFunction((n) => (window as any).__explorer.redraws > n, before);
    const hash = new URL(page.url()).hash;
    expect(new URLSearchParams(hash.slice(1)).get('base_lr')).toBe('0.002');
    expect(hash).toContain('2.mode=exp_range');
    await page.reload();
    await page.waitForFunction(() => (window as any).__explorer?.redraws > 0);
    expect(new URL(page.url()).hash).toBe(hash);
    expect(await config(1).getByLabel('base_lr', { exact: true }).inputValue()).toBe('0.002');
    expect(await config(2).getByLabel('mode', { exact: true }).inputValue()).toBe('exp_range');
    expect(await config(2).getByLabel('gamma', { exact: true }).inputValue()).toBe('0.99997');
    expect(errors).toEqual([]);
  });

  it("a bad value shows the library's own error message next to its field", async () => {
    await open('#base_lr=0.001&max_lr=0.1&iterations=1000');
    const cases: [string, string, Record<string, unknown>][] = [
      ['step_size_up', '0', { stepSizeUp: 0 }],
      ['max_lr', 'Infinity', { maxLr: Infinity }],
      ['base_momentum', 'abc', { baseMomentum: Number.NaN }],
    ];
    for (const [field, value, patch] of cases) {
      let message = '';
      try {
        schedule({ baseLr: 0.001, maxLr: 0.1, ...patch } as CyclicLROptions, { length: 1 });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      const input = config(1).getByLabel(field, { exact: true });
      await input.fill(value);
      await expect.poll(() => page.locator(`#c1-${field}-error`).textContent()).toBe(message);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      // never a blank chart: the config's last valid values stay, and say so
      await expect.poll(() => page.locator('#legend').textContent()).toContain('config 1: triangular');
      await expect.poll(() => page.locator('#legend').textContent()).toContain('its last valid values');
      expect(await page.locator('#chart canvas').count()).toBe(1);
      await input.fill(field === 'max_lr' ? '0.1' : field === 'step_size_up' ? '2000' : '0.8');
    }
    await page.getByLabel('iterations', { exact: true }).fill('-5');
    await expect.poll(() => page.locator('#iterations-error').textContent()).toMatch(/^length must be a whole number/);
    expect(errors).toEqual([]);
  });

  it('a malicious scale_fn link executes nothing: the title stays, no dialog, an error next to scale_fn', async () => {
    for (const fn of ["(()=>{document.title='x'})()", 'alert(1)', "constructor.constructor('alert(1)')()"]) {
      await page.goto('about:blank');
      await page.goto(`${site.url}#base_lr=0.001&max_lr=0.1&scale_fn=${encodeURIComponent(fn)}`);
      await expect.poll(() => page.locator('#c1-scale_fn-error').textContent()).toMatch(/^scale_fn: /);
      expect(await page.title()).toBe('cyclic-lr schedule explorer');
      expect(await config(1).getByLabel('scale_fn', { exact: true }).inputValue()).toBe(fn);
    }
    // and a good one draws, and is copied as a Python lambda
    await open(`#base_lr=0.001&max_lr=0.1&scale_fn=${encodeURIComponent('0.5 * (1 + cos(pi * x / 7))')}`);
    await page.getByRole('button', { name: 'Copy PyTorch', exact: true }).click();
    await expect
      .poll(() => page.locator('#snippet').textContent())
      .toContain('scale_fn=lambda x: 0.5 * (1 + math.cos(');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('drag zooms (the hash holds it), double-click resets; configs compare with their difference', async () => {
    await open('#base_lr=0.001&max_lr=0.1&iterations=100000&2.mode=triangular2&diff=1');
    expect(await page.getByRole('img', { name: 'Difference chart' }).isVisible()).toBe(true);
    const over = page.locator('#chart .u-over');
    const box = (await over.boundingBox())!;
    let n = await redraws();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((m) => (window as any).__explorer.redraws > m, n);
    const zoom = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('zoom')!;
    const [a, b] = zoom.split(',').map(Number);
    expect(a).toBeGreaterThan(15_000);
    expect(b).toBeLessThan(45_000);
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await expect.poll(() => page.locator('#readout caption').textContent()).toMatch(/^iteration \d+$/);
    const t = Number((await page.locator('#readout caption').textContent())!.split(' ')[1]);
    const lr = schedule({ baseLr: 0.001, maxLr: 0.1 }, { start: t, length: 1 }).lr[0][0];
    const cells = await page.locator('#readout tbody tr').first().locator('td').allTextContents();
    expect(cells.slice(2, 4)).toEqual([String(lr), floatHex(lr)]);
    n = await redraws();
    await over.dblclick();
    await page.waitForFunction((m) => (window as any).__explorer.redraws > m, n);
    expect(new URL(page.url()).hash).not.toContain('zoom=');
    await page.getByRole('button', { name: 'Add config', exact: true }).click();
    await page.getByRole('button', { name: 'Add config', exact: true }).click();
    expect(await page.getByRole('group', { name: /^config \d$/ }).count()).toBe(4);
    await config(2).getByLabel('show', { exact: true }).uncheck();
    await expect.poll(() => page.url()).toContain('2.show=0');
    expect(errors).toEqual([]);
  });

  it.skipIf(!existsSync(PYTHON))(
    'Copy PyTorch is a CyclicLR call that gives the page’s lr in real PyTorch',
    async () => {
      const hash = '#base_lr=0.001,0.004&max_lr=0.1&step_size_up=7&step_size_down=3&mode=triangular2&iterations=60';
      await open(hash);
      await page.getByRole('button', { name: 'Copy PyTorch', exact: true }).click();
      const code = (await page.locator('#snippet').textContent())!;
      const script = `import torch, json
p = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
optimizer = torch.optim.SGD([{'params': [p[0]]}, {'params': [p[1]]}], lr=0.1, momentum=0.9)
${code}
out = []
for _ in range(60):
    out.append(scheduler.get_last_lr())
    optimizer.step()
    scheduler.step()
print(json.dumps([[g.hex() for g in row] for row in out]))
`;
      let py: string;
      try {
        py = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        console.log('Copy PyTorch check skipped: python3 could not import torch');
        return;
      }
      const got = JSON.parse(py) as string[][];
      const want = schedule(
        { baseLr: [0.001, 0.004], maxLr: 0.1, stepSizeUp: 7, stepSizeDown: 3, mode: 'triangular2' },
        {
          length: 60,
        },
      );
      expect(got).toEqual(Array.from({ length: 60 }, (_, i) => want.lr.map((r) => floatHex(r[i]))));
    },
  );

  it('served from a subfolder, then offline: an edit still redraws and Download .csv still works', async () => {
    const sub = await serve(dir, '/some/folder/');
    local.push(sub.url);
    try {
      await page.goto('about:blank');
      await page.goto(`${sub.url}#base_lr=0.001&max_lr=0.1&step_size_up=50&iterations=500`);
      await page.waitForFunction(() => (window as any).__explorer?.redraws > 0, undefined, { timeout: 30_000 });
      expect(sub.requests.filter((u) => !u.startsWith('/some/folder/'))).toEqual([]);
      await page.context().setOffline(true);
      const n = await redraws();
      await config(1).getByLabel('base_lr', { exact: true }).fill('0.003');
      await page.waitForFunction((m) => (window as any).__explorer.redraws > m, n);
      const want = schedule({ baseLr: 0.003, maxLr: 0.1, stepSizeUp: 50 }, { length: 500 });
      const csv = (await download('Download .csv')).toString('utf8');
      expect(csv).toBe(csvHeader(1, true) + [...csvLines(0, want.lr, want.momentum)].join(''));
    } finally {
      await page.context().setOffline(false);
      await sub.close();
    }
    expect(errors).toEqual([]);
  });

  it('no request leaves the page: every one went to the local server', () => {
    expect(requests.length).toBeGreaterThan(0);
    const foreign = requests.filter((u) => !local.some((l) => u.startsWith(l)) && !/^(blob|data|about):/.test(u));
    expect(foreign).toEqual([]);
    expect(site.requests.every((u) => u.startsWith('/'))).toBe(true);
  });
});
