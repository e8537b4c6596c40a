// Python's JSON dialect, as `json.dumps`/`json.loads` speak it: -0.0 keeps its sign, NaN and ±Infinity are
// bare words. JSON.stringify writes -0 as "0" and refuses NaN; JSON.parse refuses NaN and Infinity.
import { CyclicLRError } from './errors.js';

/** nesting deeper than this is refused (a state dict is two levels deep) */
const MAX_DEPTH = 64;

/**
 * Writes plain data (objects, arrays, numbers, strings, booleans, null) as Python's `json.dumps` does:
 * `-0.0`, `NaN`, `Infinity`, `-Infinity`, and `", "` / `": "` separators. Keys whose value is undefined or a
 * function are skipped, as JSON.stringify does.
 * @throws {CyclicLRError} `ERR_INVALID_STATE` for a value JSON cannot hold (a cycle, a symbol, a bigint).
 * @example
 * toPythonJSON({ base_lrs: [-0, 0.1] }); // '{"base_lrs": [-0.0, 0.1]}'
 */
export function toPythonJSON(value: unknown): string {
  const seen = new Set<object>();
  const write = (v: unknown, depth: number): string => {
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity) return 'Infinity';
      if (v === -Infinity) return '-Infinity';
      return Object.is(v, -0) ? '-0.0' : JSON.stringify(v);
    }
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return JSON.stringify(v);
    if (typeof v !== 'object' || depth > MAX_DEPTH || seen.has(v)) {
      throw new CyclicLRError('ERR_INVALID_STATE', `state holds a value JSON cannot hold (${typeof v})`, 'state');
    }
    seen.add(v);
    let out: string;
    if (Array.isArray(v)) out = `[${v.map((x) => write(x ?? null, depth + 1)).join(', ')}]`;
    else {
      const parts: string[] = [];
      for (const [k, x] of Object.entries(v)) {
        if (x !== undefined && typeof x !== 'function') parts.push(`${JSON.stringify(k)}: ${write(x, depth + 1)}`);
      }
      out = `{${parts.join(', ')}}`;
    }
    seen.delete(v);
    return out;
  };
  return write(value, 0);
}

const WS = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings must not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WORDS: readonly [string, unknown][] = [
  ['NaN', NaN],
  ['-Infinity', -Infinity],
  ['Infinity', Infinity],
  ['true', true],
  ['false', false],
  ['null', null],
];

/**
 * Reads JSON as Python's `json.loads` does: standard JSON plus the bare words `NaN`, `Infinity` and
 * `-Infinity`; `-0.0` is -0. Objects get own data properties only (a `"__proto__"` key is an ordinary key).
 * @throws {CyclicLRError} `ERR_INVALID_STATE` naming the position of the first thing that is not JSON.
 * @example
 * parsePythonJSON('{"base_lrs": [-0.0, NaN]}'); // { base_lrs: [-0, NaN] }
 */
export function parsePythonJSON(text: string): unknown {
  let pos = 0;
  const fail = (what: string): never => {
    throw new CyclicLRError(
      'ERR_INVALID_STATE',
      `state JSON: ${what} at position ${pos}: ${JSON.stringify(text.slice(pos, pos + 20))}`,
      'state',
    );
  };
  const ws = (): void => {
    WS.lastIndex = pos;
    WS.exec(text);
    pos = WS.lastIndex;
  };
  const token = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return null;
    pos = re.lastIndex;
    return m[0];
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = text[pos];
    if (c === '{' || c === '[') {
      pos++;
      const arr: unknown[] = [];
      const obj: Record<string, unknown> = {};
      const close = c === '{' ? '}' : ']';
      ws();
      if (text[pos] === close) pos++;
      else
        for (;;) {
          if (c === '{') {
            ws();
            const k = token(STRING);
            if (k === null) fail('expected a string key');
            ws();
            if (text[pos++] !== ':') fail("expected ':' after the key");
            Object.defineProperty(obj, JSON.parse(k as string) as string, {
              value: value(depth + 1),
              writable: true,
              enumerable: true,
              configurable: true,
            });
          } else arr.push(value(depth + 1));
          ws();
          const next = text[pos++];
          if (next === close) break;
          if (next !== ',') fail(`expected ',' or '${close}' between the items`);
        }
      return c === '{' ? obj : arr;
    }
    if (c === '"') return JSON.parse(token(STRING) ?? fail('malformed string'));
    for (const [word, v] of WORDS) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    const n = token(NUMBER);
    return n === null ? fail('expected a value') : Number(n);
  };
  const v = value(0);
  ws();
  if (pos !== text.length) fail('unexpected text after the value');
  return v;
}
