// Card templates compiled once into plain functions, so a render is object building instead of
// adaptive-expressions evaluating every `${...}` again. The templates in cards/*.json stay the
// source: adaptivecards-templating parses them (its own parser, so literal text and escapes read
// exactly as it reads them), and this turns its parsed tree into closures that do what its
// `expand` does, step for step (internalExpand, expandSingleObject, $data, $when, $index).
//
// Only the expression shapes the templates use are compiled: a field path, a constant, an
// interpolated string, `!=`, `==`, `>`, `||`, `count()`. A template with any other shape is not
// compiled (render.ts expands it with adaptivecards-templating). At run time the compiled code
// takes the plain path only: a field that is missing or null (where the library substitutes
// "${path}"), an operand of another type than the operator's, anything unusual, throws
// Unsupported and render.ts expands that card with adaptivecards-templating instead, so the
// output is the library's in every case.

/** A case the compiled code does not reproduce: render.ts falls back to adaptivecards-templating. */
export class Unsupported extends Error {}

interface Scope {
  root: unknown;
  /** The library's $data: the current $data element, or $root when none was set. */
  data: unknown;
  index: number | undefined;
}

/** A compiled template node: the expanded value, or null (dropped: $when false, empty $data). */
type NodeFn = (scope: Scope) => unknown;
type ExprFn = (scope: Scope) => unknown;

/** The shape of an adaptive-expressions Expression, read structurally. */
interface ExprNode {
  type: string;
  children: ExprNode[];
  value?: unknown;
  toString(): string;
}

const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

function isExpression(node: unknown): node is ExprNode {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && typeof (node as ExprNode).type === 'string' && Array.isArray((node as ExprNode).children) && node.constructor !== Object;
}

/** `a.b.c` of an Accessor chain (children: [Constant name, parent Accessor?]). */
function accessorPath(node: ExprNode): string[] {
  const [name, parent] = node.children;
  if (!name || name.type !== 'Constant' || typeof name.value !== 'string') throw new Unsupported(`accessor ${node.toString()}`);
  return parent ? [...accessorPath(parent), name.value] : [name.value];
}

function compileAccessor(node: ExprNode): ExprFn {
  const path = accessorPath(node);
  const [first, ...rest] = path as [string, ...string[]];
  let start: (scope: Scope) => unknown;
  let segments: string[];
  if (first.startsWith('$')) {
    if (first === '$root') start = (s) => s.root;
    else if (first === '$data') start = (s) => s.data;
    else if (first === '$index') start = (s) => s.index;
    else throw new Unsupported(`field ${first}`);
    segments = rest;
  } else {
    start = (s) => s.data;
    segments = path;
  }
  return (scope) => {
    let value = start(scope);
    for (const segment of segments) {
      // The library looks fields up ignoring case; an own field of exactly this name is what it finds
      // in data built by the card modules.
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, segment)) throw new Unsupported('missing field');
      value = (value as Record<string, unknown>)[segment];
    }
    // Missing or null: the library substitutes "${path}" (or fails a $when).
    if (value === undefined || value === null) throw new Unsupported('missing field');
    return value;
  };
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function compileExpression(node: ExprNode): ExprFn {
  const kids = node.children.map((child) => child);
  switch (node.type) {
    case 'Constant': {
      const { value } = node;
      if (!isScalar(value)) throw new Unsupported('constant');
      return () => value;
    }
    case 'Accessor':
      return compileAccessor(node);
    case '!=':
    case '==': {
      if (kids.length !== 2) throw new Unsupported(node.type);
      const [a, b] = kids.map(compileExpression) as [ExprFn, ExprFn];
      const equal = node.type === '==';
      return (s) => {
        const x = a(s);
        const y = b(s);
        if (!isScalar(x) || typeof x !== typeof y) throw new Unsupported('comparison');
        return (x === y) === equal;
      };
    }
    case '>': {
      if (kids.length !== 2) throw new Unsupported(node.type);
      const [a, b] = kids.map(compileExpression) as [ExprFn, ExprFn];
      return (s) => {
        const x = a(s);
        const y = b(s);
        if (typeof x !== 'number' || typeof y !== 'number') throw new Unsupported('comparison');
        return x > y;
      };
    }
    case '||': {
      const parts = kids.map(compileExpression);
      return (s) => {
        let any = false;
        for (const part of parts) {
          const v = part(s);
          if (typeof v !== 'boolean') throw new Unsupported('or');
          any = any || v;
        }
        return any;
      };
    }
    case 'count': {
      if (kids.length !== 1) throw new Unsupported(node.type);
      const list = compileExpression(kids[0] as ExprNode);
      return (s) => {
        const v = list(s);
        if (!Array.isArray(v)) throw new Unsupported('count');
        return v.length;
      };
    }
    default:
      throw new Unsupported(`expression ${node.type}`);
  }
}

/** A value in a template: an interpolated string concatenates its parts (each part's toString). */
function compileValueExpression(node: ExprNode): ExprFn {
  if (node.type !== 'concat') return compileExpression(node);
  const parts = node.children.map((child) => {
    if (child.type === 'Constant' && typeof child.value === 'string') {
      const text = child.value;
      return () => text;
    }
    const part = compileExpression(child);
    return (s: Scope) => {
      const v = part(s);
      if (typeof v !== 'string' && typeof v !== 'number') throw new Unsupported('interpolation');
      return String(v);
    };
  });
  return (s) => {
    let out = '';
    for (const part of parts) out += part(s) as string;
    return out;
  };
}

function compileNode(node: unknown): NodeFn {
  if (Array.isArray(node)) {
    const items = node.map(compileNode);
    return (scope) => {
      let out: unknown[] = [];
      for (const item of items) {
        const value = item(scope);
        if (value === null) continue;
        if (Array.isArray(value)) out = out.concat(value);
        else out.push(value);
      }
      return out;
    };
  }
  if (isExpression(node)) {
    const expr = compileValueExpression(node);
    return (scope) => expr(scope);
  }
  if (typeof node === 'object' && node !== null) return compileObject(node as Record<string, unknown>);
  // A literal (string without ${...}, number, boolean, null).
  return () => node;
}

function compileObject(node: Record<string, unknown>): NodeFn {
  const fields = Object.keys(node)
    .filter((key) => !RESERVED.has(key))
    .map((key) => ({ key, value: compileNode(node[key]) }));
  const whenNode = node.$when;
  const dataNode = node.$data;
  let when: ExprFn | undefined;
  if (whenNode !== undefined) {
    if (!isExpression(whenNode)) throw new Unsupported('$when without an expression');
    when = compileExpression(whenNode);
  }
  let data: ExprFn | undefined;
  if (dataNode !== undefined) {
    if (!isExpression(dataNode)) throw new Unsupported('$data without an expression');
    data = compileValueExpression(dataNode);
  }
  const expandOne = (scope: Scope): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    for (const field of fields) {
      const value = field.value(scope);
      if (value !== undefined) result[field.key] = value;
    }
    return result;
  };
  const keep = (scope: Scope): boolean => {
    if (!when) return true;
    const value = when(scope);
    if (typeof value !== 'boolean') throw new Unsupported('$when');
    return value;
  };
  return (scope) => {
    if (!data) return keep(scope) ? expandOne(scope) : null;
    const context = data(scope);
    const contexts = Array.isArray(context) ? context : [context];
    const result: Record<string, unknown>[] = [];
    for (let i = 0; i < contexts.length; i += 1) {
      const item = contexts[i];
      // The library sets $index only for an array, and $data only when the element is defined.
      const inner: Scope = { root: scope.root, data: item !== undefined ? item : scope.data, index: Array.isArray(context) ? i : scope.index };
      if (keep(inner)) result.push(expandOne(inner));
    }
    if (result.length === 0) return null;
    return result.length === 1 ? result[0] : result;
  };
}

export type CompiledTemplate = (root: unknown) => unknown;

// ---------------------------------------------------------------------------------------------
// The parse in a form JSON carries (render.ts records it at build time, so that start-up need not
// load the library): an expression becomes { "$expr": { type, value?, text, children } } with
// exactly the fields compiling reads; everything else is kept as it is.

interface EncodedExpr {
  type: string;
  value?: string | number | boolean | null;
  text: string;
  children: EncodedExpr[];
}

export type EncodedPrepared = unknown;

const EXPR_KEY = '$expr';

function encodeExpr(node: ExprNode): EncodedExpr | undefined {
  const children: EncodedExpr[] = [];
  for (const child of node.children) {
    const encoded = encodeExpr(child);
    if (!encoded) return undefined;
    children.push(encoded);
  }
  const out: EncodedExpr = { type: node.type, text: node.toString(), children };
  const { value } = node;
  if (value !== undefined) {
    if (value !== null && !isScalar(value)) return undefined;
    out.value = value;
  }
  return out;
}

/** The library's parse, encoded; undefined when some part would not come back the same from JSON. */
export function encodePrepared(node: unknown): EncodedPrepared | undefined {
  class NotEncodable extends Error {}
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (isExpression(value)) {
      const expr = encodeExpr(value);
      if (!expr) throw new NotEncodable();
      return { [EXPR_KEY]: expr };
    }
    if (typeof value === 'object' && value !== null) {
      if (Object.getPrototypeOf(value) !== Object.prototype || Object.prototype.hasOwnProperty.call(value, EXPR_KEY)) throw new NotEncodable();
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item);
      return out;
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
    throw new NotEncodable();
  };
  try {
    return walk(node);
  } catch (error) {
    if (error instanceof NotEncodable) return undefined;
    throw error;
  }
}

/** An expression read back from its encoding: what compiling reads of the library's, nothing more. */
class DecodedExpr implements ExprNode {
  readonly type: string;
  readonly children: ExprNode[];
  readonly value?: unknown;
  private readonly text: string;

  constructor(encoded: EncodedExpr) {
    this.type = encoded.type;
    this.text = encoded.text;
    this.children = encoded.children.map((child) => new DecodedExpr(child));
    if ('value' in encoded) this.value = encoded.value;
  }

  toString(): string {
    return this.text;
  }
}

export function decodePrepared(node: EncodedPrepared): unknown {
  if (Array.isArray(node)) return node.map(decodePrepared);
  if (typeof node === 'object' && node !== null) {
    const expr = (node as Record<string, unknown>)[EXPR_KEY];
    if (expr !== undefined) return new DecodedExpr(expr as EncodedExpr);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(node)) out[key] = decodePrepared(item);
    return out;
  }
  return node;
}

/**
 * Compile a template as adaptivecards-templating prepared it (`Template.prepare`: strings with
 * `${...}` parsed into expressions). Throws Unsupported when it uses a shape this does not compile.
 */
export function compileTemplate(prepared: unknown): CompiledTemplate {
  // The $schema hint at the top helps editors, not clients: left out when compiling, so a card is
  // never built with it and then deleted (a deleted property turns the object into a slow dictionary).
  const expand = compileNode(withoutSchema(prepared));
  return (root) => expand({ root, data: root, index: undefined });
}

function withoutSchema(prepared: unknown): unknown {
  if (!prepared || typeof prepared !== 'object' || Array.isArray(prepared) || !('$schema' in prepared)) return prepared;
  const { $schema: _schema, ...rest } = prepared as Record<string, unknown>;
  return rest;
}
