// The documentation stays true: every code block of README.md and docs/*.md runs as written.
// - ```ts / ```js (also typescript, javascript, mjs): a module in a temporary folder inside this project, so that
//   `import 'cyclic-lr'` resolves to the built package through package.json "exports"; TypeScript is stripped by
//   esbuild and every ```ts block also type-checks (one tsc run); top-level await is allowed; run in its own temp
//   working directory.
// - ```sh (also bash, shell): each line (with `\` continuations) that starts with `cyclic-lr` or `node dist/cli.js`
//   (after an optional `npm ci && `: the tree is built) runs as `node <project>/dist/cli.js …` in bash (pipefail) in
//   a temp directory shared by that block's lines, and must exit 0; other lines (npm ci, apt-get …) are not run.
// - ```text, any other language, and a block whose fence follows a `<!-- no-run -->` line: not run.
// Relative links must point to files that exist.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(root, 'dist', 'cli.js');
const JS = new Set(['js', 'javascript', 'mjs', 'ts', 'typescript']);
const SH = new Set(['sh', 'bash', 'shell']);

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  noRun: boolean;
}

const pages = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

function blocksOf(file: string): Block[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: Block[] = [];
  let previous = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) {
      if (lines[i].trim() !== '') previous = lines[i].trim();
      continue;
    }
    const fence = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trim().startsWith(fence)) body.push(lines[j++]);
    out.push({
      file,
      line: i + 1,
      lang: open[2].toLowerCase(),
      code: `${body.join('\n')}\n`,
      noRun: previous === '<!-- no-run -->',
    });
    previous = '';
    i = j;
  }
  return out;
}

const all = pages.flatMap(blocksOf);
const runnable = all.filter((b) => !b.noRun && (JS.has(b.lang) || SH.has(b.lang)));
const tsBlocks = runnable.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const title = (b: Block) => `${b.file}:${b.line} \`\`\`${b.lang}`;
const slug = (b: Block) => `${b.file.replace(/[^\w]+/g, '_')}_${b.line}`;
console.log(
  `documentation code blocks: ${all.length} in ${pages.length} pages, ${runnable.length} run, ` +
    `${all.length - runnable.length} not run (text, other languages, <!-- no-run -->)`,
);

// inside the project (self-reference of 'cyclic-lr'); .vitest-* is gitignored and outside Biome
const scratch = existsSync(path.join(root, 'node_modules')) ? mkdtempSync(path.join(root, '.vitest-readme-')) : '';
const workdirs: string[] = [];
afterAll(() => {
  for (const d of [scratch, ...workdirs]) if (d) rmSync(d, { recursive: true, force: true });
});
function workdir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'cyclic-lr-readme-'));
  workdirs.push(d);
  return d;
}

/** A sh block's commands: continuations joined, comments and blank lines dropped. */
function commands(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim().replace(/^npm ci && /, ''))
    .filter((l) => l !== '' && !l.startsWith('#'));
}
const CLI_LINE = /^(cyclic-lr|node dist\/cli\.js)(?=\s|$)/;

function runJs(b: Block): void {
  const ts = b.lang === 'ts' || b.lang === 'typescript';
  const source = ts ? transformSync(b.code, { loader: 'ts', format: 'esm', target: 'es2022' }).code : b.code;
  const file = path.join(scratch, `${slug(b)}.mjs`);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [file], { cwd: workdir(), encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `${title(b)} exited ${r.status}:\n${r.stderr}\n--- block ---\n${b.code}`).toBe(0);
}

function runSh(b: Block): void {
  const cwd = workdir();
  for (const command of commands(b.code).filter((c) => CLI_LINE.test(c))) {
    const line = command.replace(CLI_LINE, `node '${CLI}'`);
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${line}`], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${title(b)}: \`${command}\` exited ${r.status}:\n${r.stderr}`).toBe(0);
  }
}

describe.each(pages)('%s', (page) => {
  const blocks = runnable.filter((b) => b.file === page);
  if (blocks.length === 0) it.skip('has no block to run');
  else
    it.each(blocks.map((b) => [title(b), b] as const))('%s runs as written', (_, b) =>
      JS.has(b.lang) ? runJs(b) : runSh(b),
    );
});

it.skipIf(tsBlocks.length === 0)('every ```ts block type-checks against the built package (strict)', () => {
  const dir = mkdtempSync(path.join(scratch, 'tsc-'));
  const files = tsBlocks.map((b) => {
    const f = `${slug(b)}.ts`;
    writeFileSync(path.join(dir, f), `${b.code}\nexport {};\n`);
    return f;
  });
  // the examples are checked, not the libraries they import (skipLibCheck: tfjs's own .d.ts fail under strict)
  const compilerOptions = {
    module: 'nodenext',
    strict: true,
    noEmit: true,
    target: 'es2022',
    types: ['node'],
    skipLibCheck: true,
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    encoding: 'utf8',
  });
  // name the page and line of each error instead of the scratch file
  const where = new Map(tsBlocks.map((b) => [`${slug(b)}.ts`, b]));
  const report = r.stdout.replace(/^(\S+\.ts)\((\d+),(\d+)\)/gm, (m, f: string, l: string) => {
    const b = where.get(path.basename(f));
    return b ? `${b.file}:${b.line + Number(l)}` : m;
  });
  expect(report).toBe('');
});

// pages other helpers write, arriving when their branches merge: a link to one is skipped (and said) until then
describe('relative links point to files that exist', () => {
  const links = pages.flatMap((page) =>
    [...readFileSync(path.join(root, page), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1].split('#')[0])
      .filter((target) => target !== '' && !/^[a-z]+:/i.test(target))
      .map((target) => [page, path.posix.normalize(path.posix.join(path.posix.dirname(page), target))] as const),
  );
  it.each(links)('%s → %s', (_, target) => {
    expect(existsSync(path.join(root, target))).toBe(true);
  });
});
