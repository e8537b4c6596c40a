// The schedule explorer: the form (PyTorch's names), the URL hash, the worker that computes views, the charts,
// the exact readout under the cursor and the downloads. Nothing here evaluates text as code.
import { CyclicLRError } from '../src/errors.js';
import { resolveWindow, schedule } from '../src/schedule.js';
import { Chart, type ChartLine } from './chart.js';
import { type ConfigError, describeError, type Line, type View, type ViewRequest } from './compute.js';
import { csvParts, npyParts, svgText } from './downloads.js';
import { floatHex, shortest } from './format.js';
import { cliSnippet, pytorchSnippet, typescriptSnippet } from './snippets.js';
import {
  type Config,
  DEFAULTS,
  type Field,
  fromHash,
  MAX_CONFIGS,
  type State,
  type TEXT_FIELDS,
  toHash,
  toOptions,
  toWindow,
  zoomWindow,
} from './state.js';
import './style.css';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const GROUP_ALPHA = ['', 'bb', '88', '66', '55', '44'];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let state: State = fromHash(location.hash);

/** what tests and the speed measurement read */
const stats = { redraws: 0, lastRedrawMs: 0, lastComputeMs: 0, pending: 0 };
(window as unknown as { __explorer: typeof stats }).__explorer = stats;

// ---------------------------------------------------------------- the form

const configsEl = $<HTMLDivElement>('configs');
const template = $<HTMLTemplateElement>('config-template');

function renderForm(): void {
  lastGood = null;
  $<HTMLInputElement>('iterations').value = state.iterations;
  $<HTMLInputElement>('start').value = state.start;
  $<HTMLInputElement>('diff').checked = state.diff;
  configsEl.replaceChildren();
  state.configs.forEach((c, k) => {
    const fs = (template.content.firstElementChild as HTMLFieldSetElement).cloneNode(true) as HTMLFieldSetElement;
    fs.dataset.config = String(k);
    fs.querySelector('.name')!.textContent = `config ${k + 1}`;
    (fs.querySelector('.swatch') as HTMLElement).style.background = COLORS[k];
    for (const field of fs.querySelectorAll<HTMLElement>('.field')) {
      const input = field.querySelector<HTMLInputElement | HTMLSelectElement>('[data-field]')!;
      const name = input.dataset.field!;
      const id = `c${k + 1}-${name}`;
      input.id = id;
      input.name = id;
      field.querySelector('label')!.htmlFor = id;
      const err = field.querySelector('.error');
      if (err) {
        err.id = `${id}-error`;
        input.setAttribute('aria-describedby', err.id);
      }
      if (input instanceof HTMLInputElement && input.type === 'checkbox') {
        input.checked = name === 'show' ? c.show : c.cycle_momentum;
      } else {
        const v = c[name as (typeof TEXT_FIELDS)[number]];
        if (input instanceof HTMLSelectElement && ![...input.options].some((o) => o.value === v)) {
          input.append(new Option(v, v));
        }
        input.value = v;
      }
    }
    const remove = fs.querySelector<HTMLButtonElement>('.remove')!;
    remove.textContent = `Remove config ${k + 1}`;
    remove.hidden = state.configs.length === 1;
    remove.addEventListener('click', () => {
      state.configs.splice(k, 1);
      renderForm();
      changed();
    });
    configsEl.append(fs);
  });
  $<HTMLButtonElement>('add-config').disabled = state.configs.length >= MAX_CONFIGS;
  const exp = $<HTMLSelectElement>('export-config');
  const was = exp.value;
  exp.replaceChildren(...state.configs.map((_, k) => new Option(`config ${k + 1}`, String(k))));
  exp.value = was !== '' && Number(was) < state.configs.length ? was : '0';
}

function readForm(): void {
  state.iterations = $<HTMLInputElement>('iterations').value;
  state.start = $<HTMLInputElement>('start').value;
  state.diff = $<HTMLInputElement>('diff').checked;
  for (const fs of configsEl.querySelectorAll<HTMLFieldSetElement>('fieldset.config')) {
    const c = state.configs[Number(fs.dataset.config)];
    for (const input of fs.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-field]')) {
      const name = input.dataset.field!;
      if (name === 'show') c.show = (input as HTMLInputElement).checked;
      else if (name === 'cycle_momentum') c.cycle_momentum = (input as HTMLInputElement).checked;
      else c[name as (typeof TEXT_FIELDS)[number]] = input.value;
    }
  }
}

function fieldEl(config: number | null, field: Field): HTMLElement | null {
  if (field === 'iterations' || field === 'start') return $(field);
  return config === null ? null : $(`c${config + 1}-${field}`);
}

/** shows each error next to its field (the config's own line when it names none) */
function showErrors(errors: ConfigError[]): void {
  for (const el of document.querySelectorAll<HTMLElement>('.error')) el.textContent = '';
  for (const el of document.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const e of errors) {
    const input = e.field ? fieldEl(e.field === 'iterations' || e.field === 'start' ? null : e.config, e.field) : null;
    const target = input
      ? document.getElementById(`${input.id}-error`)
      : configsEl.querySelector(`fieldset[data-config="${e.config}"] .config-error`);
    input?.setAttribute('aria-invalid', 'true');
    if (target && !target.textContent) target.textContent = e.message;
  }
}

/** the errors the library (or the expression parser) gives for the form, without computing the window */
function validate(): ConfigError[] {
  const errors: ConfigError[] = [];
  let w = toWindow(state);
  try {
    resolveWindow(w);
  } catch (e) {
    errors.push(describeError(-1, e));
    w = { start: 0, length: 1 };
  }
  state.configs.forEach((c, k) => {
    try {
      schedule(toOptions(c), { start: w.start, length: Math.min(1, w.length) });
    } catch (e) {
      errors.push(describeError(k, e));
    }
  });
  return errors;
}

// ---------------------------------------------------------------- the worker

let worker: Worker;
let inFlight: { id: number; at: number } | null = null;
let queued: ViewRequest | null = null;
let nextId = 1;
/** when the edit that the coming view answers was made */
let editAt = 0;

function startWorker(): void {
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (ev: MessageEvent<View>) => {
    inFlight = null;
    if (queued) {
      send(queued);
      queued = null;
      return;
    }
    draw(ev.data);
  };
  worker.onerror = (ev) => {
    $('status').textContent = `worker error: ${ev.message}`;
  };
}

function send(req: ViewRequest): void {
  if (inFlight && performance.now() - inFlight.at > 1500) {
    // a long window is still computing: drop it, the newer request wins
    worker.terminate();
    startWorker();
    inFlight = null;
  }
  if (inFlight) {
    queued = req;
    return;
  }
  inFlight = { id: req.id, at: performance.now() };
  stats.pending = req.id;
  worker.postMessage(req);
}

function columns(): number {
  return Math.max(100, Math.round(($('chart').clientWidth || 960) - 140));
}

function request(): void {
  let w = toWindow(state);
  try {
    resolveWindow(w);
  } catch {
    return; // the error is on the form; the last chart stays
  }
  w = zoomWindow(w, state.zoom);
  send({ id: nextId++, ...w, columns: columns(), configs: state.configs, diff: state.diff });
}

// ---------------------------------------------------------------- the charts

let view: View | null = null;
let drawnAt = 0;

const period = (c: Config): number => {
  const up = Number(c.step_size_up.trim() === '' ? DEFAULTS.step_size_up : c.step_size_up);
  const down = c.step_size_down.trim() === '' ? up : Number(c.step_size_down);
  return up + down;
};
const boundaries = (): [number, string][] =>
  state.configs.flatMap((c, k) => (c.show ? [[period(c), COLORS[k]] as [number, string]] : []));

const chartOptions = {
  sync: 'cyclic-lr',
  boundaries,
  onZoom(a: number, b: number) {
    state.zoom = `${Math.floor(a)},${Math.ceil(b)}`;
    changed();
  },
  onReset() {
    state.zoom = '';
    changed();
  },
  onHover: (t: number | null) => readout(t),
  onDraw() {
    if (drawnAt) {
      stats.lastRedrawMs = performance.now() - drawnAt;
      drawnAt = 0;
      stats.redraws++;
      $('chart').dataset.redraws = String(stats.redraws);
      $('timing').textContent =
        `last redraw ${stats.lastRedrawMs.toFixed(0)} ms (compute ${stats.lastComputeMs.toFixed(0)} ms)`;
    }
  },
};
const main = new Chart({ ...chartOptions, el: $('chart'), height: 420, left: 'lr', right: 'momentum' });
const diffChart = new Chart({ ...chartOptions, el: $('diff-chart'), height: 200, left: 'lr − config 1 lr' });

/** each config's last drawable lines, for the window they were computed for: a bad edit keeps them on the chart */
let lastGood: { start: number; length: number; lines: Map<number, Line[]> } | null = null;
/** configs drawn from their last valid values */
let stale = new Set<number>();

/** the view's lines, with the last valid lines of a config the view has none for (same window only) */
function withLastGood(v: View): Line[] {
  const byConfig = new Map<number, Line[]>();
  for (const l of v.lines) byConfig.set(l.config, [...(byConfig.get(l.config) ?? []), l]);
  const same = lastGood && lastGood.start === v.start && lastGood.length === v.length;
  stale = new Set();
  const failed = new Set(v.errors.map((e) => e.config));
  state.configs.forEach((_, k) => {
    const old = same ? lastGood!.lines.get(k) : undefined;
    if (!byConfig.has(k) && failed.has(k) && old) {
      byConfig.set(k, old);
      stale.add(k);
    }
  });
  lastGood = { start: v.start, length: v.length, lines: byConfig };
  return [...byConfig.values()].flat();
}

function draw(v: View): void {
  view = v;
  stats.lastComputeMs = v.ms;
  showErrors([...validate(), ...v.errors]);
  const all = withLastGood(v);
  const lines: ChartLine[] = [];
  const ys: Float64Array[] = [];
  const diffLines: ChartLine[] = [];
  const diffYs: Float64Array[] = [];
  for (const l of all) {
    const c = state.configs[l.config];
    if (!c?.show) continue;
    const groups = all.filter((m) => m.config === l.config && m.kind === l.kind).length;
    const g = groups > 1 ? ` group ${l.group}` : '';
    const color = COLORS[l.config] + GROUP_ALPHA[Math.min(l.group, GROUP_ALPHA.length - 1)];
    if (l.kind === 'diff') {
      diffLines.push({ label: `config ${l.config + 1} − config 1 lr${g}`, color, axis: 'left' });
      diffYs.push(l.y);
    } else {
      lines.push({
        label: `config ${l.config + 1} ${l.kind}${g}`,
        color,
        axis: l.kind === 'lr' ? 'left' : 'right',
        dash: l.kind === 'momentum' ? [5, 4] : undefined,
      });
      ys.push(l.y);
    }
  }
  renderLegend();
  drawnAt = editAt || performance.now();
  editAt = 0;
  main.set(lines, v.x, ys);
  const diffEl = $('diff-chart');
  diffEl.hidden = !(state.diff && diffLines.length > 0);
  if (!diffEl.hidden) diffChart.set(diffLines, v.x, diffYs);
}

/** one entry per shown config: its colour and what it is; solid lr, dashed momentum */
function renderLegend(): void {
  const items = state.configs.flatMap((c, k) => {
    if (!c.show) return [];
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = COLORS[k];
    const what = c.scale_fn.trim() ? `scale_fn ${c.scale_fn.trim()}` : c.mode;
    const note = stale.has(k) ? ' (its last valid values: see the error)' : '';
    li.append(sw, ` config ${k + 1}: ${what}, base_lr ${c.base_lr}, max_lr ${c.max_lr}${note}`);
    return [li];
  });
  const key = document.createElement('li');
  key.className = 'key';
  const momentum = state.configs.some((c) => c.show && c.cycle_momentum);
  key.textContent =
    `solid: lr (left axis)${momentum ? ' · dashed: momentum (right axis)' : ''} · ` +
    'dotted verticals: cycle boundaries';
  $('legend').replaceChildren(...items, key);
}

// ---------------------------------------------------------------- the readout

function cell(row: HTMLTableRowElement, text: string, cls?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
}

function readout(at: number | null): void {
  const out = $('readout');
  if (at === null || !view || view.length === 0) return;
  const t = Math.min(view.start + view.length - 1, Math.max(view.start, Math.round(at)));
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['', 'group', 'lr', 'lr.hex()', 'momentum', 'momentum.hex()']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  let base: number[] | null = null;
  state.configs.forEach((c, k) => {
    let r: { lr: Float64Array[]; momentum: Float64Array[] | null };
    try {
      r = schedule(toOptions(c), { start: t, length: 1 });
    } catch {
      return;
    }
    if (k === 0) base = r.lr.map((row) => row[0]);
    if (!c.show) return;
    r.lr.forEach((row, g) => {
      const tr = body.insertRow();
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = COLORS[k];
      tr.insertCell().append(sw, ` config ${k + 1}`);
      cell(tr, String(g));
      cell(tr, shortest(row[0]), 'num');
      cell(tr, floatHex(row[0]), 'hex');
      const m = r.momentum?.[g][0];
      cell(tr, m === undefined ? '—' : shortest(m), 'num');
      cell(tr, m === undefined ? '' : floatHex(m), 'hex');
      if (state.diff && k > 0 && base && g < base.length) {
        const d = row[0] - base[g];
        const dr = body.insertRow();
        dr.className = 'delta';
        cell(dr, `  − config 1`);
        cell(dr, String(g));
        cell(dr, shortest(d), 'num');
        cell(dr, floatHex(d), 'hex');
      }
    });
  });
  const caption = table.createCaption();
  caption.textContent = `iteration ${t}`;
  out.replaceChildren(table);
}

// ---------------------------------------------------------------- buttons

/** the config the buttons export, checked by the library first (its error goes to the status line) */
function exportConfig(): { c: Config; k: number } {
  const k = Number($<HTMLSelectElement>('export-config').value) || 0;
  const c = state.configs[k] ?? state.configs[0];
  const w = toWindow(state);
  resolveWindow(w);
  schedule(toOptions(c), { start: w.start, length: Math.min(1, w.length) });
  return { c, k };
}

function status(text: string): void {
  $('status').textContent = text;
}

function guarded(what: string, fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch (e) {
      status(`${what}: ${e instanceof CyclicLRError || e instanceof Error ? e.message : String(e)}`);
    }
  };
}

function save(name: string, parts: BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  status(`saved ${name}`);
}

const fileName = (k: number, ext: string) => `schedule${state.configs.length > 1 ? `-config${k + 1}` : ''}.${ext}`;

$('download-npy').addEventListener(
  'click',
  guarded('Download .npy', () => {
    const { c, k } = exportConfig();
    save(fileName(k, 'npy'), npyParts(toOptions(c), toWindow(state)) as BlobPart[], 'application/octet-stream');
  }),
);
$('download-csv').addEventListener(
  'click',
  guarded('Download .csv', () => {
    const { c, k } = exportConfig();
    save(fileName(k, 'csv'), csvParts(toOptions(c), toWindow(state)), 'text/csv');
  }),
);
$('download-svg').addEventListener(
  'click',
  guarded('Download .svg', () => {
    const shown = state.configs.map((c, k) => ({ c, k })).filter(({ c }) => c.show);
    const label = ({ c, k }: { c: Config; k: number }) => `config ${k + 1} ${c.scale_fn ? 'scale_fn' : c.mode}`;
    const w = toWindow(state);
    const title = `${shown.map(label).join(' vs ')} · ${w.length} iterations from ${w.start}`;
    const configs = shown.map((s) => ({ label: `config ${s.k + 1}`, options: toOptions(s.c) }));
    save('schedule.svg', [svgText(title, configs, w)], 'image/svg+xml');
  }),
);

function copy(what: string, text: string): void {
  $('snippet').textContent = text;
  ($('snippet').closest('details') as HTMLDetailsElement).open = true;
  navigator.clipboard?.writeText(text).then(
    () => status(`${what}: copied`),
    () => status(`${what}: the clipboard refused; the code is below`),
  ) ?? status(`${what}: no clipboard; the code is below`);
}
$('copy-pytorch').addEventListener(
  'click',
  guarded('Copy PyTorch', () => copy('Copy PyTorch', pytorchSnippet(exportConfig().c))),
);
$('copy-cli').addEventListener(
  'click',
  guarded('Copy CLI', () => copy('Copy CLI', cliSnippet(exportConfig().c, state))),
);
$('copy-ts').addEventListener(
  'click',
  guarded('Copy TypeScript', () => copy('Copy TypeScript', typescriptSnippet(exportConfig().c, state))),
);

$('add-config').addEventListener('click', () => {
  if (state.configs.length >= MAX_CONFIGS) return;
  state.configs.push({ ...state.configs[state.configs.length - 1], show: true });
  renderForm();
  changed();
});

// ---------------------------------------------------------------- wiring

let lastHash = '';
/** the form (or the zoom) changed: errors, hash, a new view */
function changed(): void {
  editAt = performance.now();
  readForm();
  showErrors(validate());
  lastHash = toHash(state);
  if (lastHash !== location.hash) history.replaceState(null, '', lastHash);
  request();
}

document.querySelector('main')!.addEventListener('input', (ev) => {
  const t = ev.target as HTMLElement;
  if (t.id === 'iterations' || t.id === 'start') state.zoom = '';
  if (t.closest('.controls')) changed();
});
window.addEventListener('hashchange', () => {
  if (location.hash === lastHash) return;
  state = fromHash(location.hash);
  renderForm();
  changed();
});
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    main.resize();
    diffChart.resize();
    request();
  }, 150);
});

startWorker();
renderForm();
changed();
