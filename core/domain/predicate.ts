import { AppError, invalidArgument } from './app-error.ts';
import { compileNamePattern } from './compile-name-pattern.ts';
import type { NameMatcher } from './compile-name-pattern.ts';
import { quoteShort } from './quote-short.ts';

export { evaluatePredicate } from './evaluate-predicate.ts';
export type { PredicateContext } from './evaluate-predicate.ts';

/**
 * The predicate language of threshold `filter`s and `review_requests.where` (Teleport's
 * "typical" subset): `&&`, `||`, `!`, parentheses, string literals ("…", `…` or '…'),
 * `true`/`false`, `==`/`!=`, `equals(a, b)`, `contains(list, item)`, `regexp.match(list, re)`
 * and the variables below, with dotted access or indexing into maps
 * (`reviewer.traits.team`, `reviewer.traits["team"]`).
 *
 * Every expression is type-checked when parsed, so a role with a bad filter is rejected when it
 * is loaded, not when the first review arrives.
 */

/** Static type of a sub-expression. */
export type PredicateType = 'bool' | 'string' | 'list' | 'map';

/** A parsed predicate node. */
export type PredicateNode =
  | { kind: 'and' | 'or'; left: PredicateNode; right: PredicateNode }
  | { kind: 'not'; operand: PredicateNode }
  | { kind: 'compare'; op: '==' | '!='; left: PredicateNode; right: PredicateNode }
  | { kind: 'equals'; left: PredicateNode; right: PredicateNode }
  | { kind: 'contains'; list: PredicateNode; item: PredicateNode }
  | { kind: 'match'; subject: PredicateNode; pattern: string; matcher: NameMatcher }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'var'; path: readonly string[]; type: PredicateType };

/** A parsed, type-checked predicate. An empty source always matches. */
export interface Predicate {
  source: string;
  /** `undefined` for the empty predicate. */
  root: PredicateNode | undefined;
}

export interface ParsePredicateOptions {
  /**
   * `filter` (threshold filters; `review.*` allowed) or `where` (review_requests.where; no
   * `review.*`, since there is no review yet).
   * @default 'filter'
   */
  scope?: 'filter' | 'where';
}

/** Longest predicate source accepted. */
export const MAX_PREDICATE_LENGTH = 4096;
/** Deepest nesting accepted (parentheses, `!`, calls), so parsing cannot blow the stack. */
const MAX_DEPTH = 32;

/** Variables and their types; `…` maps accept one more key. */
const VARIABLES: Readonly<Record<string, PredicateType>> = {
  'reviewer.roles': 'list',
  'reviewer.traits': 'map',
  'review.reason': 'string',
  'review.annotations': 'map',
  'request.roles': 'list',
  'request.reason': 'string',
  'request.annotations': 'map',
  'request.system_annotations': 'map',
};

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; v: ''; pos: number };

/**
 * Parses and type-checks a predicate. `""` (or only spaces) is the always-true predicate.
 *
 * @throws AppError `invalid_argument` `invalid predicate: <what> at column <n>`.
 */
export function parsePredicate(src: string, options: ParsePredicateOptions = {}): Predicate {
  if (src.length > MAX_PREDICATE_LENGTH) {
    throw invalidArgument(`invalid predicate: longer than ${MAX_PREDICATE_LENGTH} characters`);
  }
  if (src.trim() === '') return { source: src, root: undefined };
  const parser = new Parser(tokenize(src), options.scope ?? 'filter');
  const root = parser.parseExpression(0);
  parser.expectEnd();
  if (typeOf(root) !== 'bool') fail(`expression is a ${typeOf(root)}, not a condition`, 0);
  return { source: src, root };
}

function fail(message: string, pos: number): never {
  throw new AppError('invalid_argument', `invalid predicate: ${message} at column ${pos + 1}`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      tokens.push({ t: 'ident', v: src.slice(start, i), pos: start });
    } else if (c === '"' || c === '`' || c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('unterminated string', start);
        const d = src[i]!;
        if (d === c) break;
        if (d === '\\' && c !== '`') {
          const e = src[i + 1];
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
          if (e === undefined || escapes[e] === undefined) fail('invalid escape in string', i);
          value += escapes[e];
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      tokens.push({ t: 'string', v: value, pos: start });
    } else {
      const two = src.slice(i, i + 2);
      if (two === '&&' || two === '||' || two === '==' || two === '!=') {
        tokens.push({ t: 'op', v: two, pos: i });
        i += 2;
      } else if ('()[],.!'.includes(c)) {
        tokens.push({ t: 'op', v: c, pos: i });
        i++;
      } else {
        fail(`unexpected character ${JSON.stringify(c)}`, i);
      }
    }
  }
  tokens.push({ t: 'end', v: '', pos: src.length });
  return tokens;
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'end of input';
    case 'string':
      return 'a string';
    case 'ident':
    case 'op':
      return quoteShort(tok.v);
    default: {
      const never: never = tok;
      return String(never);
    }
  }
}

class Parser {
  private readonly tokens: Token[];
  private readonly scope: 'filter' | 'where';
  private i = 0;

  constructor(tokens: Token[], scope: 'filter' | 'where') {
    this.tokens = tokens;
    this.scope = scope;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const tok = this.tokens[this.i]!;
    if (tok.t !== 'end') this.i++;
    return tok;
  }

  private isOp(v: string): boolean {
    const tok = this.peek();
    return tok.t === 'op' && tok.v === v;
  }

  private expectOp(v: string): void {
    const tok = this.next();
    if (tok.t !== 'op' || tok.v !== v) fail(`expected ${JSON.stringify(v)} but found ${describe(tok)}`, tok.pos);
  }

  expectEnd(): void {
    const tok = this.peek();
    if (tok.t !== 'end') fail(`unexpected ${describe(tok)}`, tok.pos);
  }

  /** expression := and ('||' and)* */
  parseExpression(depth: number): PredicateNode {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`, this.peek().pos);
    let left = this.parseAnd(depth);
    while (this.isOp('||')) {
      const pos = this.next().pos;
      const right = this.parseAnd(depth);
      left = { kind: 'or', left: this.requireBool(left, pos), right: this.requireBool(right, pos) };
    }
    return left;
  }

  private parseAnd(depth: number): PredicateNode {
    let left = this.parseUnary(depth);
    while (this.isOp('&&')) {
      const pos = this.next().pos;
      const right = this.parseUnary(depth);
      left = { kind: 'and', left: this.requireBool(left, pos), right: this.requireBool(right, pos) };
    }
    return left;
  }

  private parseUnary(depth: number): PredicateNode {
    if (this.isOp('!')) {
      const pos = this.next().pos;
      if (depth + 1 > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`, pos);
      return { kind: 'not', operand: this.requireBool(this.parseUnary(depth + 1), pos) };
    }
    return this.parseComparison(depth);
  }

  private parseComparison(depth: number): PredicateNode {
    const left = this.parsePrimary(depth);
    if (this.isOp('==') || this.isOp('!=')) {
      const tok = this.next();
      const right = this.parsePrimary(depth);
      const lt = typeOf(left);
      const rt = typeOf(right);
      if (lt !== rt || (lt !== 'string' && lt !== 'list')) {
        fail(`${tok.v} needs two strings or two lists, got ${lt} and ${rt}`, tok.pos);
      }
      return { kind: 'compare', op: tok.v === '==' ? '==' : '!=', left, right };
    }
    return left;
  }

  private parsePrimary(depth: number): PredicateNode {
    const tok = this.next();
    if (tok.t === 'op' && tok.v === '(') {
      const inner = this.parseExpression(depth + 1);
      this.expectOp(')');
      return inner;
    }
    if (tok.t === 'string') return { kind: 'string', value: tok.v };
    if (tok.t !== 'ident') fail(`unexpected ${describe(tok)}`, tok.pos);
    if (tok.v === 'true' || tok.v === 'false') return { kind: 'bool', value: tok.v === 'true' };
    const segments = [tok.v];
    let indexed = false;
    for (;;) {
      if (this.isOp('.') && !indexed) {
        this.next();
        const name = this.next();
        if (name.t !== 'ident') fail(`expected a name after "." but found ${describe(name)}`, name.pos);
        segments.push(name.v);
      } else if (this.isOp('[')) {
        this.next();
        const key = this.next();
        if (key.t !== 'string') fail(`expected a string key but found ${describe(key)}`, key.pos);
        this.expectOp(']');
        segments.push(key.v);
        indexed = true;
      } else {
        break;
      }
    }
    if (this.isOp('(')) {
      if (indexed) fail('unexpected "("', this.peek().pos);
      return this.parseCall(segments.join('.'), tok.pos, depth);
    }
    return this.resolveVariable(segments, tok.pos);
  }

  private parseCall(name: string, pos: number, depth: number): PredicateNode {
    this.expectOp('(');
    const args: { node: PredicateNode; pos: number }[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        const argPos = this.peek().pos;
        args.push({ node: this.parseExpression(depth + 1), pos: argPos });
        if (!this.isOp(',')) break;
        this.next();
      }
    }
    this.expectOp(')');
    const [a, b] = args;
    if (args.length !== 2 || a === undefined || b === undefined) {
      if (name === 'equals' || name === 'contains' || name === 'regexp.match') {
        fail(`${name} takes 2 arguments, got ${args.length}`, pos);
      }
      fail(`unknown function ${quoteShort(name)}`, pos);
    }
    const at = typeOf(a.node);
    const bt = typeOf(b.node);
    switch (name) {
      case 'equals':
        if (at !== bt || (at !== 'string' && at !== 'list')) {
          fail(`equals: parameter types must match and be string or list, got ${at} and ${bt}`, pos);
        }
        return { kind: 'equals', left: a.node, right: b.node };
      case 'contains':
        if (at !== 'list') fail(`contains: first argument must be a list, got ${at}`, a.pos);
        if (bt !== 'string') fail(`contains: second argument must be a string, got ${bt}`, b.pos);
        return { kind: 'contains', list: a.node, item: b.node };
      case 'regexp.match': {
        if (at !== 'list' && at !== 'string') fail(`regexp.match: first argument must be a list, got ${at}`, a.pos);
        if (b.node.kind !== 'string') fail('regexp.match: the expression must be a string literal', b.pos);
        let matcher: NameMatcher;
        try {
          matcher = compileNamePattern(b.node.value);
        } catch (err) {
          fail(`regexp.match: ${err instanceof Error ? err.message : String(err)}`, b.pos);
        }
        return { kind: 'match', subject: a.node, pattern: b.node.value, matcher };
      }
      default:
        return fail(`unknown function ${quoteShort(name)}`, pos);
    }
  }

  private resolveVariable(segments: string[], pos: number): PredicateNode {
    const base = segments.slice(0, 2).join('.');
    const type = VARIABLES[base];
    if (type === undefined || segments.length < 2) {
      fail(`unknown variable ${quoteShort(segments.join('.'))}`, pos);
    }
    if (this.scope === 'where' && segments[0] === 'review') {
      fail(`${base} is not available in review_requests.where`, pos);
    }
    if (segments.length === 2) return { kind: 'var', path: segments, type };
    if (type === 'map' && segments.length === 3) return { kind: 'var', path: segments, type: 'list' };
    return fail(`cannot index into ${base} (a ${type})`, pos);
  }

  private requireBool(node: PredicateNode, pos: number): PredicateNode {
    const t = typeOf(node);
    if (t !== 'bool') fail(`expected a condition, got a ${t}`, pos);
    return node;
  }
}

function typeOf(node: PredicateNode): PredicateType {
  switch (node.kind) {
    case 'and':
    case 'or':
    case 'not':
    case 'compare':
    case 'equals':
    case 'contains':
    case 'match':
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
    case 'var':
      return node.type;
    default: {
      const never: never = node;
      return never;
    }
  }
}
