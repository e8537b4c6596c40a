// What Copy PyTorch, Copy CLI and Copy TypeScript put on the clipboard for a config: the same schedule as a
// torch.optim.lr_scheduler.CyclicLR call, a cyclic-lr command line and a schedule() / new CyclicLR() call.
import { parse, print, usesMath } from './expr.js';
import type { Config, State } from './state.js';

const numbers = (text: string): number[] =>
  text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map(Number);

/** a per-group field as source: one number, or a list of them (`[a, b]`) */
const perGroup = (text: string): string => {
  const v = numbers(text);
  return v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`;
};

const filled = (text: string) => text.trim() !== '';

/** a word for a POSIX shell: as is when plain, else single-quoted (text from a link never runs on paste) */
const shq = (w: string): string => (/^[A-Za-z0-9_.,+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * The `torch.optim.lr_scheduler.CyclicLR(optimizer, …)` call for a config (every argument spelled out;
 * a scale_fn as a lambda, `%` as `math.fmod`).
 * @throws {ExprError} when scale_fn does not parse (the page shows the error before).
 * @example
 * pytorchSnippet({ ...DEFAULTS, mode: 'triangular2' });
 */
export function pytorchSnippet(c: Config): string {
  const fn = filled(c.scale_fn) ? parse(c.scale_fn) : null;
  const args = [
    'optimizer',
    `base_lr=${perGroup(c.base_lr)}`,
    `max_lr=${perGroup(c.max_lr)}`,
    `step_size_up=${Number(c.step_size_up)}`,
    `step_size_down=${filled(c.step_size_down) ? Number(c.step_size_down) : 'None'}`,
    `mode=${JSON.stringify(c.mode)}`,
    `gamma=${Number(c.gamma)}`,
    `scale_fn=${fn ? `lambda x: ${print(fn, 'python')}` : 'None'}`,
    `scale_mode=${JSON.stringify(c.scale_mode)}`,
    `cycle_momentum=${c.cycle_momentum ? 'True' : 'False'}`,
    `base_momentum=${perGroup(c.base_momentum)}`,
    `max_momentum=${perGroup(c.max_momentum)}`,
  ];
  const imports = fn && usesMath(fn) ? 'import math\n\nimport torch\n' : 'import torch\n';
  return `${imports}\nscheduler = torch.optim.lr_scheduler.CyclicLR(\n    ${args.join(',\n    ')},\n)\n`;
}

/**
 * The `cyclic-lr …` command that writes the config's schedule (the CLI has no scale_fn: a comment says so).
 * @throws never
 * @example
 * cliSnippet({ ...DEFAULTS }, initialState()); // 'cyclic-lr --base-lr 0.001 --max-lr 0.1 … --out schedule.csv\n'
 */
export function cliSnippet(c: Config, s: State): string {
  const a = ['cyclic-lr', '--base-lr', numbers(c.base_lr).join(','), '--max-lr', numbers(c.max_lr).join(',')];
  a.push('--step-size-up', String(Number(c.step_size_up)));
  if (filled(c.step_size_down)) a.push('--step-size-down', String(Number(c.step_size_down)));
  a.push('--mode', shq(c.mode));
  if (c.mode === 'exp_range' || Number(c.gamma) !== 1) a.push('--gamma', String(Number(c.gamma)));
  if (!c.cycle_momentum) a.push('--no-cycle-momentum');
  else
    a.push('--base-momentum', numbers(c.base_momentum).join(','), '--max-momentum', numbers(c.max_momentum).join(','));
  if (Number(s.start) !== 0) a.push('--start', String(Number(s.start)));
  a.push('--iterations', String(Number(s.iterations)), '--out', 'schedule.csv');
  const note = filled(c.scale_fn)
    ? '# the CLI has no scale_fn: this is the built-in mode; use Copy TypeScript for the custom one\n'
    : '';
  return `${note}${a.join(' ')}\n`;
}

/**
 * The TypeScript: the options object, the `schedule()` call for the page's window and the stepped
 * `new CyclicLR(optimizer, options)` form.
 * @throws {ExprError} when scale_fn does not parse.
 * @example
 * typescriptSnippet({ ...DEFAULTS }, initialState());
 */
export function typescriptSnippet(c: Config, s: State): string {
  const fn = filled(c.scale_fn) ? parse(c.scale_fn) : null;
  const o = [
    `baseLr: ${perGroup(c.base_lr)}`,
    `maxLr: ${perGroup(c.max_lr)}`,
    `stepSizeUp: ${Number(c.step_size_up)}`,
    `stepSizeDown: ${filled(c.step_size_down) ? Number(c.step_size_down) : 'null'}`,
    `mode: ${JSON.stringify(c.mode)}`,
    `gamma: ${Number(c.gamma)}`,
    ...(fn ? [`scaleFn: (x: number) => ${print(fn, 'ts')}`, `scaleMode: ${JSON.stringify(c.scale_mode)}`] : []),
    `cycleMomentum: ${c.cycle_momentum}`,
    `baseMomentum: ${perGroup(c.base_momentum)}`,
    `maxMomentum: ${perGroup(c.max_momentum)}`,
  ];
  return [
    "import { CyclicLR, schedule, type CyclicLROptions } from 'cyclic-lr';",
    '',
    'const options: CyclicLROptions = {',
    ...o.map((line) => `  ${line},`),
    '};',
    '// the whole window at once: lr[g][i] is group g at iteration start + i',
    `const { lr, momentum } = schedule(options, { start: ${Number(s.start)}, length: ${Number(s.iterations)} });`,
    '// or stepped beside an optimizer, as in PyTorch',
    '// const scheduler = new CyclicLR(optimizer, options); scheduler.step();',
    '',
  ].join('\n');
}
