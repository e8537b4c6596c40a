// A custom scale_fn as an expression in x, parsed by a small parser of the page's own: numbers, x, pi, e,
// + - * / ** %, unary - and +, parentheses and a whitelist of Math functions. Text from a shared link only ever
// becomes this tree of numbers and operators: no eval, no new Function, no property access, no other names.

/** A parsed expression: numbers, x, and operators over them. */
export type Expr =
  | { readonly k: 'num'; readonly v: number; readonly text: string }
  | { readonly k: 'const'; readonly name: 'pi' | 'e' }
  | { readonly k: 'x' }
  | { readonly k: 'neg'; readonly a: Expr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'call'; readonly f: string; readonly args: readonly Expr[] };

type BinOp = '+' | '-' | '*' | '/' | '%' | '**';

/** Why an expression was refused: the message names the position (1-based) and what was found there. */
export class ExprError extends Error {
  /** @throws never; constructs the error. */
  constructor(message: string) {
    super(message);
    this.name = 'ExprError';
  }
}

/** the functions an expression may call: [arity (-1: two or more), the JS function] */
export const FUNCTIONS: Readonly<Record<string, readonly [number, (...a: number[]) => number]>> = Object.freeze({
  abs: [1, Math.abs],
  acos: [1, Math.acos],
  asin: [1, Math.asin],
  atan: [1, Math.atan],
  atan2: [2, Math.atan2],
  ceil: [1, Math.ceil],
  cos: [1, Math.cos],
  cosh: [1, Math.cosh],
  exp: [1, Math.exp],
  floor: [1, Math.floor],
  log: [1, Math.log],
  log10: [1, Math.log10],
  log2: [1, Math.log2],
  max: [-1, Math.max],
  min: [-1, Math.min],
  pow: [2, Math.pow],
  sin: [1, Math.sin],
  sinh: [1, Math.sinh],
  sqrt: [1, Math.sqrt],
  tan: [1, Math.tan],
  tanh: [1, Math.tanh],
  trunc: [1, Math.trunc],
});

const MAX_LENGTH = 1000;
const MAX_DEPTH = 64;

interface Token {
  readonly t: 'num' | 'id' | 'op' | 'end';
  readonly s: string;
  readonly at: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const re = /\s+|(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/%(),])/y;
  let at = 0;
  while (at < src.length) {
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) throw new ExprError(`unexpected character ${JSON.stringify(src[at])} at ${at + 1}`);
    if (m[1] !== undefined) out.push({ t: 'num', s: m[1], at });
    else if (m[2] !== undefined) out.push({ t: 'id', s: m[2], at });
    else if (m[3] !== undefined) out.push({ t: 'op', s: m[3], at });
    at = re.lastIndex;
  }
  out.push({ t: 'end', s: '', at: src.length });
  return out;
}

/**
 * Parses an expression in x with Python's precedence (`-x ** 2` is `-(x ** 2)`, `**` is right-associative).
 * `%` is the IEEE remainder of JavaScript (C's fmod), which Copy PyTorch writes as `math.fmod`.
 * @throws {ExprError} for any text outside the grammar, an unknown name, a wrong argument count, more than
 *   1000 characters or nesting deeper than 64.
 * @example
 * evaluate(parse('0.5 * (1 + cos(pi * x / 7))'), 7); // 0
 */
export function parse(src: string): Expr {
  if (typeof src !== 'string') throw new ExprError('the expression must be text');
  if (src.length > MAX_LENGTH) throw new ExprError(`the expression is longer than ${MAX_LENGTH} characters`);
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p];
  const where = (tok: Token) => (tok.t === 'end' ? 'the end' : `${JSON.stringify(tok.s)} at ${tok.at + 1}`);
  const expect = (s: string) => {
    const tok = toks[p];
    if (tok.t !== 'op' || tok.s !== s) throw new ExprError(`expected ${JSON.stringify(s)}, found ${where(tok)}`);
    p++;
  };
  const enter = () => {
    if (++depth > MAX_DEPTH) throw new ExprError(`the expression nests deeper than ${MAX_DEPTH}`);
  };
  const isOp = (...ops: string[]) => peek().t === 'op' && ops.includes(peek().s);

  function additive(): Expr {
    let a = multiplicative();
    while (isOp('+', '-')) {
      const op = toks[p++].s as BinOp;
      a = { k: 'bin', op, a, b: multiplicative() };
    }
    return a;
  }
  function multiplicative(): Expr {
    let a = unary();
    while (isOp('*', '/', '%')) {
      const op = toks[p++].s as BinOp;
      a = { k: 'bin', op, a, b: unary() };
    }
    return a;
  }
  function unary(): Expr {
    enter();
    let e: Expr;
    if (isOp('-')) {
      p++;
      e = { k: 'neg', a: unary() };
    } else if (isOp('+')) {
      p++;
      e = unary();
    } else e = power();
    depth--;
    return e;
  }
  function power(): Expr {
    const a = atom();
    if (isOp('**')) {
      p++;
      return { k: 'bin', op: '**', a, b: unary() };
    }
    return a;
  }
  function atom(): Expr {
    const tok = toks[p];
    if (tok.t === 'num') {
      p++;
      return { k: 'num', v: Number(tok.s), text: tok.s };
    }
    if (tok.t === 'id') {
      p++;
      if (tok.s === 'x') return { k: 'x' };
      if (tok.s === 'pi' || tok.s === 'e') return { k: 'const', name: tok.s };
      if (!Object.hasOwn(FUNCTIONS, tok.s)) {
        throw new ExprError(
          `unknown name ${JSON.stringify(tok.s)} at ${tok.at + 1}: ` +
            `use x, pi, e or ${Object.keys(FUNCTIONS).join(', ')}`,
        );
      }
      expect('(');
      const args: Expr[] = [];
      if (!isOp(')')) {
        args.push(additive());
        while (isOp(',')) {
          p++;
          args.push(additive());
        }
      }
      expect(')');
      const arity = FUNCTIONS[tok.s][0];
      if (arity === -1 ? args.length < 2 : args.length !== arity) {
        const want = arity === -1 ? 'two or more arguments' : `${arity} argument${arity === 1 ? '' : 's'}`;
        throw new ExprError(`${tok.s}() takes ${want}, got ${args.length} at ${tok.at + 1}`);
      }
      return { k: 'call', f: tok.s, args };
    }
    if (tok.t === 'op' && tok.s === '(') {
      p++;
      enter();
      const e = additive();
      depth--;
      expect(')');
      return e;
    }
    throw new ExprError(`expected a number, x, a name or "(", found ${where(tok)}`);
  }

  const e = additive();
  if (peek().t !== 'end') throw new ExprError(`unexpected ${where(peek())}`);
  return e;
}

/**
 * Turns a parsed expression into a function of x (a tree of closures: nothing is evaluated as code).
 * @throws never; the function it returns throws nothing either (NaN and ±Infinity are the caller's to judge).
 * @example
 * compile(parse('1 / (2 ** (x - 1))'))(3); // 0.25
 */
export function compile(e: Expr): (x: number) => number {
  switch (e.k) {
    case 'num': {
      const v = e.v;
      return () => v;
    }
    case 'const': {
      const v = e.name === 'pi' ? Math.PI : Math.E;
      return () => v;
    }
    case 'x':
      return (x) => x;
    case 'neg': {
      const a = compile(e.a);
      return (x) => -a(x);
    }
    case 'bin': {
      const a = compile(e.a);
      const b = compile(e.b);
      switch (e.op) {
        case '+':
          return (x) => a(x) + b(x);
        case '-':
          return (x) => a(x) - b(x);
        case '*':
          return (x) => a(x) * b(x);
        case '/':
          return (x) => a(x) / b(x);
        case '%':
          return (x) => a(x) % b(x);
        default:
          return (x) => a(x) ** b(x);
      }
    }
    default: {
      const f = FUNCTIONS[e.f][1];
      const args = e.args.map(compile);
      if (args.length === 1) {
        const a = args[0];
        return (x) => f(a(x));
      }
      return (x) => f(...args.map((a) => a(x)));
    }
  }
}

/** The value of an expression at x. @throws never @example evaluate(parse('x ** 2'), 3); // 9 */
export function evaluate(e: Expr, x: number): number {
  return compile(e)(x);
}

const PREC: Record<BinOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '**': 4 };
const NEG = 3;
const precOf = (e: Expr): number => (e.k === 'bin' ? PREC[e.op] : e.k === 'neg' ? NEG : 5);

/**
 * The expression as Python (`math.cos`, `math.pi`, `math.fmod` for `%`) or TypeScript (`Math.cos`, …) source,
 * with the parentheses each language needs.
 * @throws never
 * @example
 * print(parse('-x**2 % 3'), 'python'); // 'math.fmod(-(x ** 2), 3)'
 */
export function print(e: Expr, lang: 'python' | 'ts'): string {
  const py = lang === 'python';
  const wrap = (child: Expr, min: number) => {
    const s = print(child, lang);
    return precOf(child) < min ? `(${s})` : s;
  };
  switch (e.k) {
    case 'num':
      return e.text;
    case 'const':
      return py ? `math.${e.name}` : e.name === 'pi' ? 'Math.PI' : 'Math.E';
    case 'x':
      return 'x';
    case 'neg':
      return `-${wrap(e.a, 5)}`;
    case 'bin': {
      if (e.op === '%' && py) return `math.fmod(${print(e.a, lang)}, ${print(e.b, lang)})`;
      const p = PREC[e.op];
      if (e.op === '**') return `${wrap(e.a, 5)} ** ${wrap(e.b, NEG)}`;
      const right = e.b.k === 'bin' && PREC[e.b.op] === p ? `(${print(e.b, lang)})` : wrap(e.b, p);
      return `${wrap(e.a, p)} ${e.op} ${right}`;
    }
    default: {
      const args = e.args.map((a) => print(a, lang)).join(', ');
      if (!py) return `Math.${e.f}(${args})`;
      return ['abs', 'min', 'max'].includes(e.f) ? `${e.f}(${args})` : `math.${e.f}(${args})`;
    }
  }
}

/** true when the Python form of the expression needs `import math` @throws never @example usesMath(parse('x')) */
export function usesMath(e: Expr): boolean {
  switch (e.k) {
    case 'const':
      return true;
    case 'neg':
      return usesMath(e.a);
    case 'bin':
      return e.op === '%' || usesMath(e.a) || usesMath(e.b);
    case 'call':
      return !['abs', 'min', 'max'].includes(e.f) || e.args.some(usesMath);
    default:
      return false;
  }
}
