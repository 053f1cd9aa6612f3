import type { Predicate, PredicateNode } from './predicate.ts';

/** What a predicate may look at. `review` is absent when checking `review_requests.where`. */
export interface PredicateContext {
  reviewer: { roles: readonly string[]; traits: Readonly<Record<string, readonly string[]>> };
  review?: { reason: string; annotations?: Readonly<Record<string, readonly string[]>> };
  request: {
    roles: readonly string[];
    reason: string;
    /** The request's (system) annotations. */
    annotations: Readonly<Record<string, readonly string[]>>;
  };
}

/**
 * Evaluates a predicate made by `parsePredicate`; the empty predicate is true. Parsing has
 * type-checked it, so evaluation never throws. A missing map key is an empty list.
 */
export function evaluatePredicate(predicate: Predicate, ctx: PredicateContext): boolean {
  return predicate.root === undefined ? true : evalBool(predicate.root, ctx);
}

type Value = boolean | string | readonly string[] | Readonly<Record<string, readonly string[]>>;

function evalBool(node: PredicateNode, ctx: PredicateContext): boolean {
  const v = evalNode(node, ctx);
  return v === true;
}

function evalNode(node: PredicateNode, ctx: PredicateContext): Value {
  switch (node.kind) {
    case 'and':
      return evalBool(node.left, ctx) && evalBool(node.right, ctx);
    case 'or':
      return evalBool(node.left, ctx) || evalBool(node.right, ctx);
    case 'not':
      return !evalBool(node.operand, ctx);
    case 'compare': {
      const same = sameValue(evalNode(node.left, ctx), evalNode(node.right, ctx));
      return node.op === '==' ? same : !same;
    }
    case 'equals':
      return sameValue(evalNode(node.left, ctx), evalNode(node.right, ctx));
    case 'contains': {
      const list = asList(evalNode(node.list, ctx));
      const item = evalNode(node.item, ctx);
      return typeof item === 'string' && list.includes(item);
    }
    case 'match': {
      const subject = evalNode(node.subject, ctx);
      const list = typeof subject === 'string' ? [subject] : asList(subject);
      return list.some((s) => node.matcher(s));
    }
    case 'string':
    case 'bool':
      return node.value;
    case 'var':
      return lookup(node.path, ctx);
    default: {
      const never: never = node;
      return never;
    }
  }
}

function lookup(path: readonly string[], ctx: PredicateContext): Value {
  const [root, field, key] = path;
  let value: Value | undefined;
  if (root === 'reviewer') {
    value = field === 'roles' ? ctx.reviewer.roles : ctx.reviewer.traits;
  } else if (root === 'review') {
    value = field === 'reason' ? (ctx.review?.reason ?? '') : (ctx.review?.annotations ?? {});
  } else {
    value =
      field === 'roles' ? ctx.request.roles : field === 'reason' ? ctx.request.reason : ctx.request.annotations;
  }
  if (key === undefined) return value;
  if (typeof value !== 'object' || Array.isArray(value) || value === null) return [];
  const map = value as Readonly<Record<string, readonly string[]>>;
  return Object.hasOwn(map, key) ? asList(map[key]) : [];
}

function asList(v: unknown): readonly string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function sameValue(a: Value, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const la = asList(a);
  const lb = asList(b);
  return la.length === lb.length && la.every((x, i) => x === lb[i]);
}
