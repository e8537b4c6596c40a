// `import 'cyclic-lr'` never loads TF.js (an optional peer dependency): only `cyclic-lr/tfjs` does.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
// a module resolve hook that fails any import of a module under @tensorflow
const hook = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (specifier.startsWith('@tensorflow/') || r.url.includes('/@tensorflow/'))
    throw new Error('TF.js loaded: ' + specifier);
  return r;
}`;
const hookUrl = `data:text/javascript,${encodeURIComponent(hook)}`;
const register = `import { register } from 'node:module'; register(${JSON.stringify(hookUrl)});`;

/** imports `file` in a fresh Node with the hook; also fails if TF.js's engine global exists afterwards */
function importIn(file: string, withHook = true) {
  const code = `const m = await import(${JSON.stringify(pathToFileURL(dist(file)).href)});
if (globalThis._tfengine) throw new Error('TF.js engine created');
console.log(Object.keys(m).length);`;
  const args = withHook ? ['--import', `data:text/javascript,${encodeURIComponent(register)}`] : [];
  return spawnSync(process.execPath, [...args, '--input-type=module', '-e', code], { encoding: 'utf8' });
}

describe('the core entry is free of TF.js (dist/, after npm run build)', () => {
  it('import of dist/index.js loads no module under @tensorflow and creates no TF.js engine', () => {
    const r = importIn('index.js');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Number(r.stdout)).toBeGreaterThan(5);
  });

  it('control: the same check fails for dist/tfjs.js, which does load TF.js', () => {
    const r = importIn('tfjs.js');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('TF.js loaded: @tensorflow/tfjs-core');
    const engine = importIn('tfjs.js', false); // without the hook: imports, but TF.js's engine global exists
    expect(engine.status).not.toBe(0);
    expect(engine.stderr).toContain('TF.js engine created');
  });
});
